using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.Policy;

/// <summary>
/// NetworkPolicy on the paths themselves (PM504, PM505): the packet after DNAT, podIP:targetPort, at every ready
/// endpoint of a Service port or of an Ingress route. Units <c>rsv:ns/name</c> (a Service) and <c>rin:ns/name</c> (an
/// Ingress) read the paths their Service or Ingress unit has built, so they are recomputed after those.
/// </summary>
internal static class ReachChecks
{
    /// <summary>
    /// Set on an IngressClass to name its controller's pods when PortMapper does not know the controller:
    /// a label selector such as <c>app.kubernetes.io/name=my-proxy,app.kubernetes.io/component=controller</c>.
    /// </summary>
    public const string ControllerPodsAnnotation = "portmapper.io/controller-pod-selector";

    private const string ServicePrefix = "rsv:";
    private const string IngressPrefix = "rin:";

    /// <summary>The pod labels the common Ingress controllers' own manifests and charts put on the controller pods.</summary>
    private static readonly Dictionary<string, string> KnownControllers = new(StringComparer.Ordinal)
    {
        ["k8s.io/ingress-nginx"] = "app.kubernetes.io/name=ingress-nginx,app.kubernetes.io/component=controller",
        ["traefik.io/ingress-controller"] = "app.kubernetes.io/name=traefik",
    };

    public static string ServiceUnit(ObjectKey service) => $"{ServicePrefix}{service.Namespace}/{service.Name}";

    public static string IngressUnit(ObjectKey ingress) => $"{IngressPrefix}{ingress.Namespace}/{ingress.Name}";

    public static bool IsReachUnit(string unit) =>
        unit.StartsWith(ServicePrefix, StringComparison.Ordinal) || unit.StartsWith(IngressPrefix, StringComparison.Ordinal);

    /// <summary>The reach unit that follows a Service or Ingress unit (<c>svc:</c>, <c>ing:</c>), or null.</summary>
    public static string? Follower(string unit) =>
        unit.StartsWith("svc:", StringComparison.Ordinal) ? ServicePrefix + unit[4..]
        : unit.StartsWith("ing:", StringComparison.Ordinal) ? IngressPrefix + unit[4..]
        : null;

    /// <summary>
    /// A NetworkPolicy of <paramref name="ns"/> changed: the Services and Ingresses of that namespace, and every Ingress
    /// when the namespace runs an Ingress controller (its egress decides too).
    /// </summary>
    public static void MarkNamespace(ClusterIndex cluster, string ns, HashSet<string> dirty)
    {
        foreach (var key in cluster.ServicesIn(ns))
        {
            dirty.Add(ServiceUnit(key));
        }

        var controllers = ControllerSelectors(cluster.Snapshot);
        // Through the label index: a policy change must not scan every pod of the cluster.
        var allIngresses = controllers.Any(c => cluster.SelectPods(ns, c.MatchLabels).Count > 0);
        foreach (var key in cluster.Snapshot.Ingresses.Keys)
        {
            if (allIngresses || KubeNames.Comparer.Equals(key.Namespace, ns))
            {
                dirty.Add(IngressUnit(key));
            }
        }
    }

    /// <summary>A namespace's labels or a ClusterNetworkPolicy changed: any verdict may have.</summary>
    public static void MarkAll(ClusterSnapshot snapshot, HashSet<string> dirty)
    {
        foreach (var key in snapshot.Services.Keys)
        {
            dirty.Add(ServiceUnit(key));
        }

        foreach (var key in snapshot.Ingresses.Keys)
        {
            dirty.Add(IngressUnit(key));
        }
    }

    /// <summary>An Ingress controller pod changed: every Ingress's verdicts may have.</summary>
    public static void MarkPod(ClusterSnapshot snapshot, Pod pod, HashSet<string> dirty)
    {
        if (ControllerSelectors(snapshot).Any(c => c.Matches(pod.Metadata.Labels)))
        {
            foreach (var key in snapshot.Ingresses.Keys)
            {
                dirty.Add(IngressUnit(key));
            }
        }
    }

    // ---------------------------------------------------------------- PM504

    /// <summary>PM504: a Service port whose every ready endpoint admits no client at all, or (exposed outside) no outside client.</summary>
    public static UnitResult CheckService(ClusterIndex cluster, PolicyIndex policies, Service svc, ImmutableArray<TrafficPath> paths)
    {
        var evaluator = new PolicyEvaluator(policies);
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var group in paths.Where(p => p.Exposure is not (Exposure.ExternalName or Exposure.HostPort or Exposure.HostNetwork)).GroupBy(PortOfPath, StringComparer.Ordinal))
        {
            var members = group.ToList();
            var first = members.FirstOrDefault(p => p.Exposure is Exposure.ClusterIP or Exposure.Headless) ?? members[0];
            var endpoints = ReadyEndpoints(cluster, first);
            if (endpoints.Count == 0)
            {
                continue;
            }

            var portIndex = svc.Ports.IsDefaultOrEmpty ? -1 : svc.Ports.ToList().FindIndex(p => PortOfService(svc, p) == group.Key);
            var servicePort = portIndex >= 0 ? svc.Ports[portIndex] : null;
            var field = portIndex >= 0 ? $"spec.ports[{portIndex}]" : "spec.ports";
            var closing = endpoints.Select(e => evaluator.ClosingPolicies(e.Pod, e.Port, first.Protocol)).ToList();
            if (closing.All(c => c.Count > 0))
            {
                var names = closing.SelectMany(c => c).Select(Name).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
                var ports = PortsText(endpoints, first.Protocol);
                var hint = ServicePortHint(closing.SelectMany(c => c).Distinct(), servicePort, endpoints, first.Protocol);
                diagnostics.Add(new Diagnostic
                {
                    Code = Codes.PolicyClosesService,
                    Severity = Severity.Error,
                    Object = svc.Ref(),
                    Field = field,
                    Hop = HopKind.Endpoints,
                    Message = $"Service {Name(svc)}{ServicePortText(servicePort)}: {(names.Count == 1 ? "NetworkPolicy" : "NetworkPolicies")} {string.Join(", ", names)} {(names.Count == 1 ? "isolates" : "isolate")} {Every(endpoints)} for Ingress and no rule admits {ports} from any peer, so no client reaches the Service.{hint} {PolicyVerdict.PredictionNote}",
                    Fix = $"Add an ingress rule that admits {ports} (the container port: NetworkPolicy sees the packet after DNAT, never the Service port) from the Service's clients, in a policy that selects these pods. The designer's NetworkPolicy form writes it.",
                    Paths = [.. members.Select(p => p.Id)],
                });
                continue;
            }

            var outside = members.Where(p => p.Exposure is Exposure.NodePort or Exposure.LoadBalancer or Exposure.ExternalIP).ToList();
            if (outside.Count == 0)
            {
                continue;
            }

            var nodeIp = FirstNodeIp(cluster.Snapshot.Nodes);
            var source = nodeIp is null ? PolicySource.FromExternal(null) : PolicySource.ExternalThrough(svc, null, nodeIp);
            var verdicts = endpoints.Select(e => evaluator.Evaluate(new PolicyPacket(source, e.Pod, e.Port, first.Protocol))).ToList();
            if (verdicts.All(v => v.Verdict == PolicyVerdictKind.Blocked))
            {
                var ports = PortsText(endpoints, first.Protocol);
                var ways = string.Join(", ", outside.Select(p => p.Exposure).Distinct().Select(e => e == Exposure.ExternalIP ? "externalIPs" : e.ToString()));
                diagnostics.Add(new Diagnostic
                {
                    Code = Codes.PolicyClosesService,
                    Severity = Severity.Error,
                    Object = svc.Ref(),
                    Field = field,
                    Hop = HopKind.Endpoints,
                    Message = $"Service {Name(svc)}{ServicePortText(servicePort)} is exposed outside the cluster ({ways}), but {Every(endpoints)} block clients from outside on {ports}: {verdicts[0].Reason}. Requests from outside do not arrive. {PolicyVerdict.PredictionNote}",
                    Fix = $"Admit outside clients on {ports} in a policy that selects these pods: an ipBlock of the client addresses (and, with externalTrafficPolicy Cluster, the nodes' addresses kube-proxy may SNAT them to), or a rule without from.",
                    Paths = [.. outside.Select(p => p.Id)],
                });
            }
        }

        return new UnitResult([], diagnostics.ToImmutable());
    }

    // ---------------------------------------------------------------- PM505

    /// <summary>PM505: an Ingress route whose controller pods may reach none of the backend pods.</summary>
    public static UnitResult CheckIngress(ClusterIndex cluster, PolicyIndex policies, Ingress ing, ImmutableArray<TrafficPath> paths)
    {
        if (Controllers(cluster, ing) is not { Pods.Count: > 0 } controllers)
        {
            return UnitResult.Empty;
        }

        var evaluator = new PolicyEvaluator(policies);
        var diagnostics = ImmutableArray.CreateBuilder<Diagnostic>();
        var routes = paths.Select(p => (Path: p, Endpoints: ReadyEndpoints(cluster, p))).Where(r => r.Endpoints.Count > 0);
        foreach (var group in routes.GroupBy(r => $"{r.Path.Service?.Name}|{PortsText(r.Endpoints, r.Path.Protocol)}", StringComparer.Ordinal))
        {
            var (path, endpoints) = group.First();
            var verdicts = controllers.Pods
                .SelectMany(c => endpoints.Select(e => evaluator.Evaluate(new PolicyPacket(PolicySource.FromPod(c), e.Pod, e.Port, path.Protocol))))
                .ToList();
            if (!verdicts.All(v => v.Verdict == PolicyVerdictKind.Blocked))
            {
                continue;
            }

            var ports = PortsText(endpoints, path.Protocol);
            var controllerNs = controllers.Pods.Select(p => p.Metadata.Namespace).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var hosts = string.Join(", ", group.Select(r => r.Path.Hops.FirstOrDefault(h => h.Kind == HopKind.Ingress)?.Name).OfType<string>());
            var blocked = verdicts.FirstOrDefault(v => v.Ingress?.Verdict == PolicyVerdictKind.Blocked) ?? verdicts[0];
            var side = blocked.Egress?.Verdict == PolicyVerdictKind.Blocked ? "the controller's egress" : "the backend pods' ingress";
            diagnostics.Add(new Diagnostic
            {
                Code = Codes.PolicyBlocksIngressController,
                Severity = Severity.Error,
                Object = ing.Ref(),
                Field = FieldOf(path.Id),
                Hop = HopKind.Endpoints,
                Message = $"Ingress {Name(ing)} sends {hosts} to Service {path.Service?.Namespace}/{path.Service?.Name}, but NetworkPolicy blocks {Count(controllers.Pods.Count, "controller pod")} of IngressClass {controllers.ClassName} ({Shorten(controllers.Pods.Select(Name).ToList())}) from {Every(endpoints)} on {ports}, at {side}: {blocked.Reason}. The controller connects to the pod IPs, so it answers 502 or 504. {PolicyVerdict.PredictionNote}",
                Fix = blocked.Egress?.Verdict == PolicyVerdictKind.Blocked
                    ? $"Let the controller's egress reach the backend pods on {ports} (a policy in {string.Join(", ", controllerNs)} selecting the controller pods)."
                    : $"Admit the controller in a policy that selects the backend pods: ingress from namespaceSelector kubernetes.io/metadata.name: {controllerNs[0]} with podSelector {controllers.Selector}, on {ports}.",
                Paths = [.. group.Select(r => r.Path.Id)],
            });
        }

        return new UnitResult([], diagnostics.ToImmutable());
    }

    /// <summary>The controller pods of the Ingress's class: from <see cref="ControllerPodsAnnotation"/> or a known controller.</summary>
    private static (string ClassName, string Selector, List<Pod> Pods)? Controllers(ClusterIndex cluster, Ingress ing)
    {
        var classes = cluster.Snapshot.IngressClasses;
        var ingressClass = ing.IngressClassName is { } name ? classes.GetValueOrDefault(name) : classes.Values.Where(c => c.IsDefault).MinBy(c => c.Metadata.Name, StringComparer.Ordinal);
        if (ingressClass is null || SelectorText(ingressClass) is not { } text || ParseSelector(text) is not { } selector)
        {
            return null;
        }

        return (ingressClass.Metadata.Name, text.Replace(",", ", ", StringComparison.Ordinal), cluster.SelectPodsAnywhere(selector));
    }

    private static List<LabelSelector> ControllerSelectors(ClusterSnapshot snapshot) =>
        [.. snapshot.IngressClasses.Values.Select(SelectorText).OfType<string>().Select(ParseSelector).OfType<LabelSelector>()];

    private static string? SelectorText(IngressClass c) =>
        c.Metadata.Annotations.GetValueOrDefault(ControllerPodsAnnotation) is { Length: > 0 } annotated ? annotated
        : c.Controller is { } controller ? KnownControllers.GetValueOrDefault(controller) : null;

    /// <summary>Equality-based selector text (<c>k=v,k2=v2</c>); null when it is not one.</summary>
    private static LabelSelector? ParseSelector(string text)
    {
        var labels = ImmutableDictionary.CreateBuilder<string, string>(KubeNames.Comparer);
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                return null;
            }

            labels[part[..eq].Trim()] = part[(eq + 1)..].Trim();
        }

        return labels.Count == 0 ? null : new LabelSelector(labels.ToImmutable(), []);
    }

    // ---------------------------------------------------------------- helpers

    private sealed record ReadyEndpoint(EndpointTarget Target, Pod Pod, int Port);

    private static List<ReadyEndpoint> ReadyEndpoints(ClusterIndex cluster, TrafficPath path)
    {
        var hop = path.Hops.FirstOrDefault(h => h.Kind == HopKind.Endpoints);
        if (hop is null)
        {
            return [];
        }

        var result = new List<ReadyEndpoint>();
        foreach (var e in hop.Endpoints)
        {
            if (e.Ready && e.Port is { } port && e.Pod is { } podRef && cluster.Pod(new ObjectKey(podRef.Namespace, podRef.Name)) is { } pod)
            {
                result.Add(new ReadyEndpoint(e, pod, port));
            }
        }

        return result;
    }

    /// <summary>The Service port a Service path carries: its id ends in <c>ns/name:port/protocol</c> for every exposure.</summary>
    internal static string PortOfPath(TrafficPath p) => p.Id[(p.Id.IndexOf(':', StringComparison.Ordinal) + 1)..];

    private static string PortOfService(Service svc, ServicePort p) => $"{svc.Metadata.Namespace}/{svc.Metadata.Name}:{UnitAnalysis.PortKey(p)}";

    private static string ServicePortText(ServicePort? p) =>
        p is null ? "" : $" port {p.Port.ToString(CultureInfo.InvariantCulture)}/{p.Protocol}" + (p.Name is { Length: > 0 } n ? $" ({n})" : "");

    /// <summary>"rule spec.ingress[0] of shop/x admits port 80, the Service port…" when a rule lists the Service port instead of the container's.</summary>
    private static string ServicePortHint(IEnumerable<NetworkPolicy> policies, ServicePort? servicePort, List<ReadyEndpoint> endpoints, string protocol)
    {
        if (servicePort is null || endpoints.All(e => e.Port == servicePort.Port))
        {
            return "";
        }

        foreach (var policy in policies.OrderBy(Name, StringComparer.Ordinal))
        {
            for (var i = 0; i < policy.Ingress.Length; i++)
            {
                if (policy.Ingress[i].Ports.Any(x => x.Protocol == protocol && x.Port is { IsName: false, Number: { } n } && n == servicePort.Port))
                {
                    return $" Rule spec.ingress[{i}] of {Name(policy)} admits port {servicePort.Port.ToString(CultureInfo.InvariantCulture)}, the Service port; the pods receive on {PortsText(endpoints, protocol)}.";
                }
            }
        }

        return "";
    }

    private static string PortsText(List<ReadyEndpoint> endpoints, string protocol) =>
        "port " + string.Join(", ", endpoints.Select(e => e.Port).Distinct().Order().Select(p => p.ToString(CultureInfo.InvariantCulture))) + "/" + protocol;

    private static string Every(List<ReadyEndpoint> endpoints) =>
        endpoints.Count == 1 ? $"the only ready endpoint ({Name(endpoints[0].Pod)})" : $"every one of the {endpoints.Count} ready endpoints";

    private static string Count(int n, string noun) => n == 1 ? $"the {noun}" : $"all {n} {noun}s";

    private static string Shorten(List<string> items) => string.Join(", ", items.Take(3)) + (items.Count > 3 ? $" and {items.Count - 3} more" : "");

    /// <summary>The backend field of an Ingress path id (<c>ingress:ns/name:r:p</c> or <c>…:default</c>).</summary>
    private static string FieldOf(string id)
    {
        var parts = id.Split(':');
        return parts[^1] == "default" ? "spec.defaultBackend" : $"spec.rules[{parts[^2]}].http.paths[{parts[^1]}].backend";
    }

    private static string Name(IKubeObject o) => $"{o.Metadata.Namespace}/{o.Metadata.Name}";

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<ImmutableDictionary<string, Node>, StrongBox<string?>> FirstNodeIps = [];

    /// <summary>
    /// The address of the first node by name: where an outside client's packet is SNATed in the PM504 check. Kept per
    /// node set, because sorting a thousand nodes for every NodePort Service made one policy change slow.
    /// </summary>
    public static string? FirstNodeIp(ImmutableDictionary<string, Node> nodes) =>
        FirstNodeIps.GetValue(nodes, n => new StrongBox<string?>(
            n.Values.OrderBy(x => x.Metadata.Name, StringComparer.Ordinal).Select(x => x.PrimaryAddress).OfType<string>().FirstOrDefault())).Value;
}
