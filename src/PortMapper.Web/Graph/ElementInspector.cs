using System.Collections.Immutable;
using System.Globalization;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;
using PortMapper.Core.Policy;

namespace PortMapper.Web.Graph;

public sealed record ElementFact(string Name, string Value);

/// <summary>What the side panel says about one element: facts, what its port means here, findings and paths.</summary>
public sealed record ElementDetails
{
    public required string Id { get; init; }

    public required string Kind { get; init; }

    public required string Heading { get; init; }

    public string? Subheading { get; init; }

    public PathStatus Status { get; init; }

    public ImmutableArray<ElementFact> Facts { get; init; } = [];

    /// <summary>What the port (or the element) means here, in plain words; one paragraph each.</summary>
    public ImmutableArray<string> Meaning { get; init; } = [];

    public ImmutableArray<GraphProblem> Problems { get; init; } = [];

    public ImmutableArray<TrafficPath> Paths { get; init; } = [];

    /// <summary>The object whose YAML to show.</summary>
    public ObjectRef? Object { get; init; }

    /// <summary>The Service whose kube-proxy rules to show (not for headless or ExternalName Services).</summary>
    public ObjectKey? KubeProxyService { get; init; }

    /// <summary>The node to show kube-proxy's rules of (a nodePort shown node by node); null: the first node.</summary>
    public string? KubeProxyNode { get; init; }

    /// <summary>For a pods group: the pods.</summary>
    public ImmutableArray<EndpointTarget> Members { get; init; } = [];

    /// <summary>The element is a group that a click shows member by member.</summary>
    public bool Expandable { get; init; }

    /// <summary>The group this element was expanded from, which can be collapsed again.</summary>
    public string? CollapseGroup { get; init; }

    /// <summary>The NetworkPolicies that select the pods here (or, for a policy, none): each opens its own panel.</summary>
    public ImmutableArray<ObjectRef> Policies { get; init; } = [];
}

/// <summary>Explains the elements of a graph: builds <see cref="ElementDetails"/> from the analysis and the model.</summary>
public static class ElementInspector
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The details of element (or arrow) <paramref name="id"/>; null when the id names nothing PortMapper knows.</summary>
    public static ElementDetails? Describe(ClusterAnalysis analysis, GraphModel model, string id)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(model);
        if (id.StartsWith(PolicyPrefix, StringComparison.Ordinal))
        {
            return Policy(analysis, id);
        }

        var node = model.FindNode(id);
        var edge = node is null ? model.Edges.FirstOrDefault(e => e.Id == id) : null;
        if (edge is not null)
        {
            return DescribeEdge(analysis, model, edge);
        }

        var ids = node is null || node.Kind == GraphKinds.Namespace ? PathsOfGroup(analysis, id) : node.Paths;
        var paths = ids.Select(analysis.FindPath).OfType<TrafficPath>().ToImmutableArray();
        var kind = node?.Kind ?? KindOf(id);
        if (kind is null)
        {
            return null;
        }

        var details = new ElementDetails
        {
            Id = id,
            Kind = kind,
            Heading = node?.Title.Split('\n')[0] ?? id,
            Subheading = node?.Title.Split('\n').ElementAtOrDefault(1),
            Status = node?.Status ?? PathStatus.Ok,
            Problems = node?.Problems ?? [],
            Paths = paths,
            Object = node?.Object,
            Expandable = node?.Expandable ?? false,
            CollapseGroup = node?.Group,
        };

        return kind switch
        {
            GraphKinds.Client => Client(details, id == "client:external"),
            GraphKinds.Namespace => Namespace(details, node, paths),
            GraphKinds.Service or GraphKinds.Dns => Service(analysis, details, paths),
            GraphKinds.NodePort or GraphKinds.Node => NodePort(analysis, details, paths, id),
            GraphKinds.LoadBalancer => LoadBalancer(analysis, details, paths),
            GraphKinds.ExternalIp => ExternalIp(analysis, details, paths),
            GraphKinds.Ingress => Ingress(details, paths),
            GraphKinds.Gateway => Gateway(analysis, details, paths),
            GraphKinds.HostPort => HostPort(details, paths),
            GraphKinds.HostNetwork => HostNetwork(details, paths),
            GraphKinds.Pods => Pods(analysis, details, paths, id, node is null),
            GraphKinds.Pod => Pod(analysis, details, paths, id),
            GraphKinds.ExternalName => details with
            {
                Meaning = [$"The client looks up {details.Subheading} itself and connects there directly. Kubernetes only answers the DNS query with this CNAME: nothing is proxied and no port is translated."],
            },
            _ => details with
            {
                Meaning = ["A resource backend: the Ingress controller serves the request itself (for example from object storage). No Service and no pod are involved."],
            },
        };
    }

    private const string PolicyPrefix = "policy:";

    /// <summary>The side-panel id of a NetworkPolicy: <c>policy:ns/name</c>.</summary>
    public static string PolicyId(ObjectRef policy) => $"{PolicyPrefix}{policy.Namespace}/{policy.Name}";

    /// <summary>A NetworkPolicy: the pods it selects, what its rules admit, the paths into those pods and its findings.</summary>
    private static ElementDetails? Policy(ClusterAnalysis analysis, string id)
    {
        var rest = id[PolicyPrefix.Length..];
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || !analysis.Snapshot.NetworkPolicies.TryGetValue(new ObjectKey(rest[..slash], rest[(slash + 1)..]), out var policy) || analysis.Policies is not { } policies)
        {
            return null;
        }

        var key = policy.Key();
        var selected = policies.SelectedPods(key).Select(k => analysis.Snapshot.Pods[k]).ToList();
        var selectedKeys = selected.Select(p => p.Ref()).ToHashSet();
        var members = selected.Select(p => new EndpointTarget { Ip = p.PodIp, Pod = p.Ref(), NodeName = p.NodeName, Ready = p.Ready ?? true, Serving = p.Ready ?? true }).ToImmutableArray();
        var paths = analysis.Paths
            .Where(p => p.Hops.Any(h => h.Kind == HopKind.Endpoints && h.Endpoints.Any(e => e.Pod is { } r && selectedKeys.Contains(r))))
            .ToImmutableArray();
        var pathIds = paths.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var problems = analysis.Diagnostics
            .Where(d => d.Object == policy.Ref() || (d.Code is Codes.PolicyClosesService or Codes.PolicyBlocksIngressController && d.Paths.Any(pathIds.Contains)))
            .Select(d => new GraphProblem(d.Code, GraphBuilder.SeverityName(d.Severity), d.Message, d.Fix))
            .ToImmutableArray();
        var types = string.Join(", ", policy.EffectivePolicyTypes);
        var meaning = new List<string>
        {
            $"Selects {Plural(selected.Count, "pod")} of namespace {key.Namespace} (podSelector {PolicyText.Selector(policy.PodSelector)}) and isolates them for {types}: " +
            "only what the rules of the policies selecting a pod admit gets through, the rest is dropped. Rules only ever allow; a packet needs the source's egress and the destination's ingress.",
        };
        meaning.AddRange(PolicyText.Rules(policy, PolicyTypes.Ingress).Select(r => "Ingress " + r + "."));
        meaning.AddRange(PolicyText.Rules(policy, PolicyTypes.Egress).Select(r => "Egress " + r + "."));
        meaning.Add("Ports are checked after DNAT: a rule must name the container port (targetPort), not the Service port. " + PortMapper.Core.Policy.PolicyVerdict.PredictionNote);
        return new ElementDetails
        {
            Id = id,
            Kind = GraphKinds.Policy,
            Heading = key.Name,
            Subheading = $"NetworkPolicy in {key.Namespace}",
            Status = problems.Any(p => p.Severity == "error") ? PathStatus.Broken : problems.IsEmpty ? PathStatus.Ok : PathStatus.Degraded,
            Problems = problems,
            Facts =
            [
                new("podSelector", PolicyText.Selector(policy.PodSelector, "{} (every pod)")),
                new("policyTypes", types + (policy.PolicyTypes.IsDefaultOrEmpty ? " (defaulted)" : "")),
                new("Selects", Plural(selected.Count, "pod")),
                new("Rules", $"{Plural(policy.Ingress.Length, "ingress rule")}, {Plural(policy.Egress.Length, "egress rule")}"),
            ],
            Meaning = [.. meaning],
            Members = members,
            Paths = paths,
            Object = policy.Ref(),
        };
    }

    /// <summary>The NetworkPolicies that select any of <paramref name="pods"/>, sorted.</summary>
    private static ImmutableArray<ObjectRef> SelectingPolicies(ClusterAnalysis analysis, IEnumerable<Pod> pods) =>
        analysis.Policies is not { } policies
            ? []
            : [.. pods.SelectMany(policies.SelectingPolicies).Select(p => p.Ref()).Distinct().OrderBy(r => r.Namespace, StringComparer.Ordinal).ThenBy(r => r.Name, StringComparer.Ordinal)];

    private static string? KindOf(string id) =>
        id.StartsWith("pods:", StringComparison.Ordinal) ? GraphKinds.Pods
        : id.StartsWith("nodeport:", StringComparison.Ordinal) ? (id.Contains('@', StringComparison.Ordinal) ? GraphKinds.Node : GraphKinds.NodePort)
        : id.StartsWith("ns:", StringComparison.Ordinal) ? GraphKinds.Namespace
        : null;

    /// <summary>The paths of a group that is shown member by member (so it is not an element itself).</summary>
    private static IEnumerable<string> PathsOfGroup(ClusterAnalysis analysis, string id)
    {
        if (id.StartsWith("pods:", StringComparison.Ordinal) || id.StartsWith("nodeport:", StringComparison.Ordinal))
        {
            var key = GraphBuilder.KeyOf(id.Split('@')[0]);
            return analysis.Paths.Where(p => GraphBuilder.KeyOf(p.Id) == key && p.Exposure != Exposure.Ingress).Select(p => p.Id);
        }

        if (id.StartsWith("ns:", StringComparison.Ordinal))
        {
            return analysis.PathsIn(id[3..]).Select(p => p.Id);
        }

        return [];
    }

    private static ElementDetails DescribeEdge(ClusterAnalysis analysis, GraphModel model, GraphEdge edge)
    {
        var from = model.FindNode(edge.Source)?.Title.Split('\n')[0] ?? edge.Source;
        var to = model.FindNode(edge.Target)?.Title.Split('\n')[0] ?? edge.Target;
        var port = edge.Label.StartsWith(':') ? $"to port {edge.Label[1..]}" : edge.Label.Length > 0 ? $"({edge.Label})" : "";
        return new ElementDetails
        {
            Id = edge.Id,
            Kind = "edge",
            Heading = $"{from} → {to}",
            Subheading = port,
            Status = edge.Status,
            Paths = [.. edge.Paths.Select(analysis.FindPath).OfType<TrafficPath>()],
            Meaning = [$"Traffic from {from} to {to}, addressed {port}. The arrow carries {Plural(edge.Paths.Length, "path")}; pick one below to follow it end to end."],
        };
    }

    private static ElementDetails Client(ElementDetails d, bool external) => d with
    {
        Meaning = external
            ?
            [
                "A client outside the cluster: a browser, or curl on your laptop. It can only use addresses that are routed from outside: a node's address on a nodePort or hostPort, a hostNetwork pod, a load balancer address, an externalIP, or an Ingress host.",
            ]
            :
            [
                "A process in a pod (or on a node) of the cluster. It reaches a Service at its clusterIP and port, or by name: <service>.<namespace>.svc.cluster.local (just <service> from the same namespace).",
            ],
    };

    private static ElementDetails Namespace(ElementDetails d, GraphNode? node, ImmutableArray<TrafficPath> paths)
    {
        var broken = paths.Count(p => p.Status == PathStatus.Broken);
        var degraded = paths.Count(p => p.Status == PathStatus.Degraded);
        return d with
        {
            Heading = "Namespace " + (node?.Namespace ?? d.Id[3..]),
            Subheading = null,
            Facts =
            [
                new("Services", paths.Select(p => p.Service).OfType<ObjectRef>().Distinct().Count().ToString(Inv)),
                new("Paths", paths.Length.ToString(Inv)),
                new("Broken paths", broken.ToString(Inv)),
                new("Degraded paths", degraded.ToString(Inv)),
            ],
            Meaning = node?.Expandable == true
                ? ["This namespace is shown as one box to keep a large view quick. Open it to see its Services, entry points and pods."]
                : ["A namespace: the Services, entry points and pods inside the box belong to it. Services select pods and Ingresses reach Services only within their own namespace."],
            Object = null,
        };
    }

    private static (Service? Service, ServicePort? Port) ServiceOf(ClusterAnalysis analysis, ImmutableArray<TrafficPath> paths, string? key = null)
    {
        var path = paths.FirstOrDefault(p => p.Service is not null && p.Exposure != Exposure.Ingress) ?? paths.FirstOrDefault(p => p.Service is not null);
        if (path?.Service is not { } r || !analysis.Snapshot.Services.TryGetValue(new ObjectKey(r.Namespace, r.Name), out var svc))
        {
            return (null, null);
        }

        key ??= path.Exposure == Exposure.Ingress ? null : GraphBuilder.KeyOf(path.Id);
        var port = svc.Ports.FirstOrDefault(p => key is not null && key.EndsWith($":{p.Port.ToString(Inv)}/{p.Protocol}", StringComparison.Ordinal));
        if (port is null && path.Exposure == Exposure.Ingress)
        {
            var hopPort = path.Hops.FirstOrDefault(h => h.Kind == HopKind.ClusterIp)?.Port;
            port = svc.Ports.FirstOrDefault(p => p.Port == hopPort);
        }

        return (svc, port);
    }

    private static string TargetPortMeaning(ServicePort port) => port.TargetPort switch
    {
        null => $"targetPort is not set, so it equals port ({port.Port.ToString(Inv)}): the pods must listen on {port.Port.ToString(Inv)}.",
        { IsName: true } named => $"targetPort \"{named.Name}\" is a name, not a number: on each pod it becomes the number of the container port called \"{named.Name}\" (protocol {port.Protocol}). A pod that declares no such port gets no traffic on this Service port.",
        { } number => $"targetPort {number.Number?.ToString(Inv)} is the port on the pod that receives the traffic. It is used as written: the process must listen there (declaring it as a containerPort is good practice but not required).",
    };

    private static ElementDetails Service(ClusterAnalysis analysis, ElementDetails d, ImmutableArray<TrafficPath> paths)
    {
        var (svc, port) = ServiceOf(analysis, paths);
        if (svc is null)
        {
            var missing = paths.FirstOrDefault(p => p.Exposure == Exposure.Ingress)?.Service;
            return d with
            {
                Meaning = [$"An Ingress sends requests to Service \"{missing?.Name}\", which does not exist in namespace {missing?.Namespace}. The Ingress controller answers them with 503 Service Unavailable."],
            };
        }

        var dns = $"{svc.Metadata.Name}.{svc.Metadata.Namespace}.svc.cluster.local";
        var facts = new List<ElementFact>
        {
            new("Service", $"{svc.Metadata.Namespace}/{svc.Metadata.Name}"),
            new("Type", svc.IsHeadless ? "ClusterIP (headless)" : svc.Type),
            new("DNS name", dns),
        };
        if (svc.IsExternalName)
        {
            facts.Add(new("externalName", svc.ExternalName ?? "(not set)"));
            return d with
            {
                Facts = [.. facts],
                Object = svc.Ref(),
                Meaning =
                [
                    $"{dns} is only a DNS alias (a CNAME record) for {svc.ExternalName}. Nothing is proxied and no port is translated: the client connects to {svc.ExternalName} on whatever port it dials. Ports in spec.ports change nothing.",
                ],
            };
        }

        if (!svc.IsHeadless)
        {
            facts.Add(new("clusterIP", svc.ClusterIps.IsDefaultOrEmpty ? "(not allocated)" : string.Join(", ", svc.ClusterIps)));
        }

        if (port is not null)
        {
            facts.Add(new("port", $"{port.Port.ToString(Inv)}/{port.Protocol}" + (port.Name is { Length: > 0 } n ? $" (\"{n}\")" : "")));
            facts.Add(new("targetPort", port.TargetPort?.ToString() ?? $"(not set: {port.Port.ToString(Inv)})"));
            if (port.NodePort is { } np)
            {
                facts.Add(new("nodePort", np.ToString(Inv)));
            }
        }

        if (svc.ExternalTrafficPolicy is { } etp && svc.HasNodePorts)
        {
            facts.Add(new("externalTrafficPolicy", etp));
        }

        var meaning = new List<string>();
        if (svc.IsHeadless)
        {
            meaning.Add($"This Service is headless (clusterIP: None): there is no virtual IP and kube-proxy writes no rules for it. {dns} resolves to the ready pods' own IPs and clients connect to them directly.");
            if (port is not null)
            {
                meaning.Add(TargetPortMeaning(port));
            }
        }
        else if (port is not null)
        {
            var ip = svc.ClusterIp ?? "the clusterIP";
            meaning.Add($"port {port.Port.ToString(Inv)} is the Service's own port: clients in the cluster connect to {ip}:{port.Port.ToString(Inv)} or {dns}:{port.Port.ToString(Inv)}. Nothing listens there — the clusterIP is virtual. kube-proxy on the client's node rewrites the destination to one ready pod's IP and targetPort before the packet leaves the node.");
            meaning.Add(TargetPortMeaning(port));
            if (port.NodePort is { } np && svc.HasNodePorts)
            {
                meaning.Add($"Because the Service is of type {svc.Type}, the same rules also answer on nodePort {np.ToString(Inv)} of every node (the NodePort box to the left).");
            }
        }

        return d with
        {
            Facts = [.. facts],
            Meaning = [.. meaning],
            Object = svc.Ref(),
            KubeProxyService = svc.IsHeadless ? null : svc.Key(),
        };
    }

    private static ElementDetails NodePort(ClusterAnalysis analysis, ElementDetails d, ImmutableArray<TrafficPath> paths, string id)
    {
        var (svc, port) = ServiceOf(analysis, paths, GraphBuilder.KeyOf(id.Split('@')[0]));
        var hop = paths.SelectMany(p => p.Hops).FirstOrDefault(h => h.Kind == HopKind.NodePort);
        var node = id.Contains('@', StringComparison.Ordinal) ? id[(id.IndexOf('@', StringComparison.Ordinal) + 1)..] : null;
        var np = hop?.Port?.ToString(Inv) ?? "(not allocated)";
        var address = node is not null && hop is not null && hop.Nodes.IndexOf(node) is var i and >= 0 && i < hop.Addresses.Length ? hop.Addresses[i]
            : hop?.Addresses.FirstOrDefault() ?? "<node address>";
        var facts = new List<ElementFact> { new("nodePort", np) };
        if (node is not null)
        {
            facts.Add(new("Node", node));
            facts.Add(new("Address", address));
        }
        else if (hop is not null)
        {
            facts.Add(new("Nodes", hop.Nodes.Length == 0 ? "(none known)" : Sample(hop.Nodes.Zip(hop.Addresses, (n, a) => $"{n} ({a})"))));
        }

        if (svc is not null)
        {
            facts.Add(new("Service", $"{svc.Metadata.Namespace}/{svc.Metadata.Name} port {port?.Port.ToString(Inv) ?? "?"}"));
            facts.Add(new("externalTrafficPolicy", svc.ExternalTrafficPolicy ?? TrafficPolicies.Cluster));
        }

        var meaning = new List<string>
        {
            $"nodePort {np} is opened on every node: from outside the cluster, connect to any node's address on port {np} — for example {address}:{np}. kube-proxy on that node sends the connection through the same rules as the clusterIP, to one pod's targetPort; the Service port ({port?.Port.ToString(Inv) ?? "?"}) never appears on the wire for this traffic.",
            $"nodePorts come from the API server's range ({analysis.Snapshot.NodePortRange}). Leave nodePort out and one is picked for you; set it only when something outside needs a fixed number.",
        };
        if (svc?.ExternalPolicyLocal == true)
        {
            var delivering = hop?.DeliveringNodes ?? [];
            meaning.Add($"externalTrafficPolicy is Local: a node delivers only to ready pods on itself and keeps the client's source address; nodes without one drop the traffic. Delivering: {(delivering.IsEmpty ? "no node" : string.Join(", ", delivering))}.");
        }
        else
        {
            meaning.Add("externalTrafficPolicy is Cluster (the default): every node forwards, possibly to a pod on another node, and the pod sees the node's address instead of the client's (SNAT).");
        }

        return d with
        {
            Facts = [.. facts],
            Meaning = [.. meaning],
            Object = svc?.Ref(),
            KubeProxyService = svc?.Key(),
            KubeProxyNode = node,
            Expandable = node is null && hop is { Nodes.Length: > 0 },
        };
    }

    private static ElementDetails LoadBalancer(ClusterAnalysis analysis, ElementDetails d, ImmutableArray<TrafficPath> paths)
    {
        var (svc, port) = ServiceOf(analysis, paths);
        var hop = paths.SelectMany(p => p.Hops).FirstOrDefault(h => h.Kind == HopKind.LoadBalancer);
        var addresses = hop?.Addresses.IsDefaultOrEmpty != false ? "pending" : string.Join(", ", hop.Addresses);
        var portText = port?.Port.ToString(Inv) ?? "?";
        var meaning = new List<string>
        {
            hop?.Addresses.IsDefaultOrEmpty != false
                ? "No load balancer address has been assigned yet, so nothing outside can use this entry point. A cloud controller (or MetalLB on bare metal) fills status.loadBalancer when it has provisioned one."
                : $"The load balancer listens on {addresses} at port {portText} — the Service's own port — and spreads connections over the nodes.",
            svc?.AllocateLoadBalancerNodePorts == false
                ? "allocateLoadBalancerNodePorts is false: the load balancer sends straight to the pods' IPs and targetPort, without a nodePort."
                : $"It forwards to nodePort {port?.NodePort?.ToString(Inv) ?? "?"} on the nodes; from there on it is NodePort traffic.",
        };
        if (svc is not null && !svc.LoadBalancerSourceRanges.IsDefaultOrEmpty)
        {
            meaning.Add($"Only clients from {string.Join(", ", svc.LoadBalancerSourceRanges)} are let in (loadBalancerSourceRanges).");
        }

        return d with
        {
            Facts = [new("Address", addresses), new("port", portText), new("Service", svc is null ? "?" : $"{svc.Metadata.Namespace}/{svc.Metadata.Name}")],
            Meaning = [.. meaning],
            Object = svc?.Ref(),
            KubeProxyService = svc?.Key(),
        };
    }

    private static ElementDetails ExternalIp(ClusterAnalysis analysis, ElementDetails d, ImmutableArray<TrafficPath> paths)
    {
        var (svc, port) = ServiceOf(analysis, paths);
        var ips = svc is null ? "?" : string.Join(", ", svc.ExternalIps);
        return d with
        {
            Facts = [new("externalIPs", ips), new("port", port?.Port.ToString(Inv) ?? "?")],
            Meaning =
            [
                $"kube-proxy on every node captures packets addressed to {ips} on port {port?.Port.ToString(Inv) ?? "?"} (the Service port) and forwards them like the clusterIP. Kubernetes does not route these addresses to your nodes: your network has to.",
            ],
            Object = svc?.Ref(),
            KubeProxyService = svc?.Key(),
        };
    }

    private static ElementDetails Ingress(ElementDetails d, ImmutableArray<TrafficPath> paths)
    {
        var path = paths.FirstOrDefault();
        var hop = path?.Hops.FirstOrDefault(h => h.Kind == HopKind.Ingress);
        var cluster = path?.Hops.FirstOrDefault(h => h.Kind == HopKind.ClusterIp);
        var address = hop?.Addresses.IsDefaultOrEmpty != false ? "its address (none published yet)" : string.Join(", ", hop.Addresses);
        var meaning = new List<string>
        {
            $"An Ingress rule is not a port of its own. The Ingress controller — a proxy running in the cluster — listens on :80 and :443 at {address}, matches the host and path ({hop?.Name}) and forwards the request to Service {path?.Service?.Name} on port {cluster?.Port?.ToString(Inv) ?? "?"}: the Service's port, not the container's.",
            "Most controllers then read the Service's endpoints and connect straight to the pods on their targetPort, so the clusterIP is skipped.",
        };
        if (hop?.Tls == true)
        {
            meaning.Add("TLS is terminated at the controller: the pods receive plain HTTP unless the backend is configured otherwise.");
        }

        return d with
        {
            Facts = [new("Rule", hop?.Name ?? ""), new("Listens on", hop?.Tls == true ? ":443 (TLS)" : ":80"), new("Backend", $"{path?.Service?.Name} : {cluster?.Port?.ToString(Inv) ?? "?"}")],
            Meaning = [.. meaning],
        };
    }

    /// <summary>A Gateway listener and route rule: how the request is chosen, where it goes, and what the controller says.</summary>
    private static ElementDetails Gateway(ClusterAnalysis analysis, ElementDetails d, ImmutableArray<TrafficPath> paths)
    {
        var path = paths.FirstOrDefault();
        var hop = path?.Hops.FirstOrDefault(h => h.Kind == HopKind.Gateway);
        var cluster = path?.Hops.FirstOrDefault(h => h.Kind == HopKind.ClusterIp);
        var s = analysis.Snapshot;
        var route = path?.Route is { } r ? s.Routes.GetValueOrDefault(r) : null;
        var gateway = path?.Gateway is { } g ? s.Gateways.GetValueOrDefault(new ObjectKey(g.Namespace, g.Name)) : null;
        var listener = gateway?.Listeners.FirstOrDefault(l => l.Name == path!.Listener);
        if (path is null || hop is null || route is null || gateway is null || listener is null)
        {
            return d;
        }

        var rule = path.RuleIndex is { } ri && ri < route.Rules.Length ? route.Rules[ri] : null;
        var address = hop.Addresses.IsDefaultOrEmpty ? "its address (none published yet)" : string.Join(", ", hop.Addresses);
        var backend = rule?.Redirect is { } redirect ? $"none: the Gateway answers a {redirect}"
            : cluster?.Broken == true ? cluster.Note ?? "refused"
            : $"{path.Service?.Name} : {cluster?.Port?.ToString(Inv) ?? "?"}";
        var facts = new List<ElementFact>
        {
            new("Gateway", $"{gateway.Metadata.Namespace}/{gateway.Metadata.Name} (class {gateway.GatewayClassName})"),
            new("Listener", $"{listener.Name}: {listener.Protocol} :{listener.Port.ToString(Inv)}{(listener.Hostname is { } h ? " " + h : "")}"),
            new(route.Kind, $"{route.Metadata.Namespace}/{route.Metadata.Name}, rule {path.RuleIndex?.ToString(Inv)}"),
            new("Matches", rule is null ? "" : string.Join(" · ", (rule.Matches.IsDefaultOrEmpty && !GatewayApi.IsConnectionRoute(route.Kind) ? [] : rule.EffectiveMatches).Select(m => PortMapper.Core.Gateway.GatewayRouting.Describe(route, m))) is { Length: > 0 } text ? text : "every request"),
            new("Backend", path.Weight is { } w and < 1 ? $"{backend} ({PortMapper.Core.Gateway.GatewayBackends.Percent(w)} of the rule's requests)" : backend),
        };
        var status = route.Parents.FirstOrDefault(p => p.ParentRef.Name == gateway.Metadata.Name);
        if (status is not null)
        {
            facts.Add(new("Controller says", string.Join(", ", status.Conditions.Select(c => $"{c.Type}={c.Status}{(c.Reason is { } reason && reason != c.Type ? $" ({reason})" : "")}"))
                + (status.ControllerName.Length > 0 ? $" — {status.ControllerName}" : "")));
        }

        var meaning = new List<string>
        {
            $"A Gateway listener is a port the Gateway's proxy listens on: {listener.Protocol} on :{listener.Port.ToString(Inv)} at {address}. "
                + (GatewayApi.IsConnectionRoute(route.Kind)
                    ? $"The {route.Kind} attaches to it and takes {(route.Kind == "TLSRoute" ? "the TLS connections whose SNI names one of its hostnames; the Gateway does not decrypt them (passthrough)" : "every TCP connection on the listener")}."
                    : "The route attaches to it and the proxy picks one rule per request across every route on the listener — most specific hostname first, then an Exact path, the longest prefix, method, headers, query; then the oldest route."),
            rule?.Redirect is { } answer
                ? $"This rule answers every request itself with a {answer} (a RequestRedirect filter): no backend and no pod are involved."
                : $"This rule sends its requests to Service {path.Service?.Name ?? "(none)"} on port {cluster?.Port?.ToString(Inv) ?? "?"}: the Service's port, not the container's. Implementations read the Service's endpoints and connect straight to the pods on their targetPort.",
        };
        if (listener.Protocol == "HTTPS")
        {
            meaning.Add("TLS is terminated at the Gateway (HTTPS listener): the pods receive plain HTTP.");
        }

        if (status is null)
        {
            meaning.Add("No controller has written a status for this route yet: what you see is PortMapper's prediction from the spec.");
        }

        return d with
        {
            Facts = [.. facts],
            Meaning = [.. meaning],
            Object = path.Route,
            KubeProxyService = null,
        };
    }

    private static ElementDetails HostPort(ElementDetails d, ImmutableArray<TrafficPath> paths)
    {
        var path = paths.FirstOrDefault();
        var hop = path?.Hops.FirstOrDefault(h => h.Kind == HopKind.HostPort);
        var target = path?.Hops.LastOrDefault()?.Endpoints.FirstOrDefault();
        var address = hop?.Addresses.FirstOrDefault() ?? "<node address>";
        var hp = hop?.Port?.ToString(Inv) ?? "?";
        var cp = target?.Port?.ToString(Inv) ?? "?";
        return d with
        {
            Facts = [new("hostPort", hp), new("containerPort", cp), new("Node", hop?.Name ?? "?"), new("Pod", path?.Pod?.Name ?? "?")],
            Meaning =
            [
                $"hostPort {hp} publishes containerPort {cp} of this one pod on its node: the container runtime forwards {address}:{hp} to {target?.Ip ?? "the pod"}:{cp}. It exists only on node {hop?.Name} — where the pod runs — and only one pod per node can claim port {hp}/{path?.Protocol}.",
                "Unlike a nodePort, kube-proxy plays no part, and the port moves with the pod when it is rescheduled.",
            ],
        };
    }

    private static ElementDetails HostNetwork(ElementDetails d, ImmutableArray<TrafficPath> paths)
    {
        var path = paths.FirstOrDefault();
        var hop = path?.Hops.FirstOrDefault(h => h.Kind == HopKind.HostNetwork);
        var address = hop?.Addresses.FirstOrDefault() ?? "<node address>";
        var port = hop?.Port?.ToString(Inv) ?? "?";
        return d with
        {
            Facts = [new("Port", port), new("Node", hop?.Name ?? "?"), new("Pod", path?.Pod?.Name ?? "?")],
            Meaning =
            [
                $"This pod shares its node's network (hostNetwork: true): the process listens directly on {address}:{port}, with no translation at all. containerPort only documents the port here, and the port is taken on that node for every other process.",
            ],
        };
    }

    private static ElementDetails Pods(ClusterAnalysis analysis, ElementDetails d, ImmutableArray<TrafficPath> paths, string id, bool expanded)
    {
        var (svc, port) = ServiceOf(analysis, paths, GraphBuilder.KeyOf(id));
        var hop = paths.Select(p => p.Hops.LastOrDefault(h => h.Kind == HopKind.Endpoints)).FirstOrDefault(h => h is not null);
        var members = hop?.Endpoints ?? [];
        var ready = members.Count(e => e.Ready);
        var target = hop?.Port is { } p ? p.ToString(Inv) : hop?.Name ?? port?.EffectiveTargetPort.ToString() ?? "?";
        var meaning = new List<string>
        {
            members.IsEmpty
                ? "No pod receives this Service port's traffic: connections are refused (kube-proxy installs a REJECT rule). The findings below say why."
                : $"{Plural(members.Length, "pod")} receive this Service port's traffic on targetPort {target}: kube-proxy rewrites the destination to podIP:{target} of one ready pod. Only ready pods get new connections ({ready.ToString(Inv)} of {members.Length.ToString(Inv)} are ready).",
        };
        if (port is not null)
        {
            meaning.Add(TargetPortMeaning(port));
        }

        var isolating = IngressPolicies(analysis, members);
        if (!isolating.IsEmpty)
        {
            meaning.Add($"NetworkPolicy {string.Join(", ", isolating)} isolates these pods for Ingress: only the clients their rules admit get through, whatever the Service allows. Trace a request from a client to see its verdict (a prediction; the network plugin enforces).");
        }

        return d with
        {
            Heading = expanded ? $"Pods of {svc?.Metadata.Name} (shown one by one)" : d.Heading,
            Facts = [
                new("Service", svc is null ? "?" : $"{svc.Metadata.Namespace}/{svc.Metadata.Name}"), new("targetPort", target), new("Ready", $"{ready.ToString(Inv)} of {members.Length.ToString(Inv)}"),
                .. isolating.IsEmpty ? Array.Empty<ElementFact>() : [new ElementFact("Ingress policies", string.Join(", ", isolating))],
            ],
            Meaning = [.. meaning],
            Members = members,
            Object = svc?.Ref(),
            Policies = SelectingPolicies(analysis, members.Select(m => m.Pod is { } r ? analysis.Snapshot.Pods.GetValueOrDefault(new ObjectKey(r.Namespace, r.Name)) : null).OfType<Pod>()),
            KubeProxyService = svc is { IsHeadless: false } ? svc.Key() : null,
            Expandable = !expanded && !members.IsEmpty,
            CollapseGroup = expanded ? id : null,
        };
    }

    private static ElementDetails Pod(ClusterAnalysis analysis, ElementDetails d, ImmutableArray<TrafficPath> paths, string id)
    {
        var target = paths.SelectMany(p => p.Hops).SelectMany(h => h.Endpoints).FirstOrDefault(e => d.Object is not null && e.Pod == d.Object);
        var pod = d.Object is { } r && analysis.Snapshot.Pods.TryGetValue(new ObjectKey(r.Namespace, r.Name), out var found) ? found : null;
        var colon = id.LastIndexOf(':');
        var port = colon > 0 ? id[(colon + 1)..].Split('/')[0] : "?";
        var ip = target?.Ip ?? pod?.PodIp ?? "(no IP yet)";
        var ready = target?.Ready ?? pod?.Ready ?? true;
        var facts = new List<ElementFact>
        {
            new("Pod", d.Object is null ? ip : $"{d.Object.Namespace}/{d.Object.Name}"),
            new("IP", ip),
            new("Port", port),
            new("Node", target?.NodeName ?? pod?.NodeName ?? "(not scheduled)"),
            new("Ready", ready ? "yes" : "no"),
        };
        if (pod?.HostNetwork == true)
        {
            facts.Add(new("hostNetwork", "true"));
        }

        var meaning = new List<string>
        {
            pod?.HostNetwork == true
                ? $"This pod uses its node's network, so its IP is the node's ({ip}) and the process listens on {ip}:{port} directly."
                : $"The request arrives at {ip}:{port}: the pod's own IP and the port its process listens on — the containerPort that the Service's targetPort resolves to.",
        };
        if (!ready)
        {
            meaning.Add("This pod is not ready, so kube-proxy sends it no new connections until its readiness probe passes.");
        }

        if (pod is not null && analysis.Policies is { } policies)
        {
            var ingress = string.Join(", ", policies.IsolatingPolicies(pod, PolicyTypes.Ingress).Select(p => p.Metadata.Name));
            var egress = string.Join(", ", policies.IsolatingPolicies(pod, PolicyTypes.Egress).Select(p => p.Metadata.Name));
            facts.Add(new("Ingress policies", ingress.Length == 0 ? "none" : ingress));
            facts.Add(new("Egress policies", egress.Length == 0 ? "none" : egress));
            meaning.Add(ingress.Length == 0
                ? "No NetworkPolicy selects this pod for Ingress: every source may connect to it."
                : $"NetworkPolicy {ingress} isolates this pod for Ingress: only the sources and ports their rules admit reach it, the rest is dropped. Trace a request to see the verdict for a client. (A prediction from the API objects: the network plugin enforces.)");
            var admitted = policies.IsolatingPolicies(pod, PolicyTypes.Ingress)
                .SelectMany(p => PolicyText.Rules(p, PolicyTypes.Ingress).Select(r => $"{p.Metadata.Name} {r}"))
                .ToList();
            if (admitted.Count > 0)
            {
                meaning.Add("Who may reach it: " + string.Join("; ", admitted) + ".");
            }

            if (egress.Length > 0)
            {
                meaning.Add($"NetworkPolicy {egress} isolates this pod for Egress: it may only open connections their rules admit — DNS included.");
            }
        }

        return d with { Facts = [.. facts], Meaning = [.. meaning], Policies = pod is null ? [] : SelectingPolicies(analysis, [pod]) };
    }

    /// <summary>The NetworkPolicies (namespace/name) that isolate any of the member pods for Ingress.</summary>
    private static ImmutableArray<string> IngressPolicies(ClusterAnalysis analysis, ImmutableArray<EndpointTarget> members)
    {
        if (analysis.Policies is not { } policies)
        {
            return [];
        }

        return members
            .Select(m => m.Pod is { } r && analysis.Snapshot.Pods.TryGetValue(new ObjectKey(r.Namespace, r.Name), out var pod) ? pod : null)
            .OfType<Pod>()
            .SelectMany(p => policies.IsolatingPolicies(p, PolicyTypes.Ingress))
            .Select(p => $"{p.Metadata.Namespace}/{p.Metadata.Name}")
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)
            .ToImmutableArray();
    }

    private static string Sample(IEnumerable<string> items)
    {
        var list = items.ToList();
        return string.Join(", ", list.Take(4)) + (list.Count > 4 ? $" and {(list.Count - 4).ToString(Inv)} more" : "");
    }

    private static string Plural(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString(Inv)} {noun}s";
}
