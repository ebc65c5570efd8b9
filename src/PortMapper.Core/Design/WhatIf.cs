using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;

namespace PortMapper.Core.Design;

/// <summary>A path present before and after, that carries traffic differently (hops, endpoints, status or findings).</summary>
public sealed record PathChange(TrafficPath Before, TrafficPath After)
{
    public string Id => After.Id;

    public bool StatusChanged => Before.Status != After.Status;
}

/// <summary>What applying the designed objects would change: both analyses and their difference.</summary>
public sealed record WhatIfResult(
    ClusterAnalysis Before,
    ClusterAnalysis After,
    ImmutableArray<TrafficPath> Added,
    ImmutableArray<TrafficPath> Removed,
    ImmutableArray<PathChange> Changed,
    ImmutableArray<Diagnostic> Fixed,
    ImmutableArray<Diagnostic> Caused)
{
    /// <summary>Designed objects the cluster does not have yet: applying creates them.</summary>
    public ImmutableArray<ObjectRef> Created { get; init; } = [];

    /// <summary>
    /// True for a finding a new object has only because nothing is allocated in a what-if: a load balancer or
    /// Ingress address, which the controller publishes once the object exists.
    /// </summary>
    public bool IsAwaitingAddress(Diagnostic d) => d.Code == Codes.LoadBalancerPending && Created.Contains(d.Object);

    /// <summary>Designed objects of kinds the path engine does not model (ConfigMaps...): they change nothing here.</summary>
    public ImmutableArray<ObjectRef> NotModelled { get; init; } = [];

    /// <summary>For a design with NetworkPolicies: which clients it lets reach which Service ports, and which it stops.</summary>
    public PolicyWhatIf? Policy { get; init; }

    /// <summary>Fields of the designed objects that could not be read (a port given as a list...): left out of the analysis.</summary>
    public ImmutableArray<LoadIssue> Issues { get; init; } = [];

    public bool HasChanges => !Added.IsEmpty || !Removed.IsEmpty || !Changed.IsEmpty || !Fixed.IsEmpty || !Caused.IsEmpty || Policy?.HasChanges == true;

    public ImmutableHashSet<string> AddedIds => [.. Added.Select(p => p.Id)];

    public ImmutableHashSet<string> RemovedIds => [.. Removed.Select(p => p.Id)];

    public ImmutableHashSet<string> ChangedIds => [.. Changed.Select(c => c.Id)];
}

/// <summary>
/// The designer's preview: the cluster as it is, and as it would be with the designed objects applied (an object with
/// the same kind, namespace and name is replaced). Nothing is allocated: a new Service has no clusterIP and its
/// unset nodePorts stay unset, so the paths say "not allocated yet" rather than inventing numbers. An updated Service
/// keeps what the API server keeps on update — its clusterIPs, the nodePorts of ports that stay, its load-balancer
/// address. On a cluster whose EndpointSlices are the truth (live or demo), the designed Services' endpoints and those
/// of Services selecting re-templated pods are predicted the way the EndpointSlice controller would compute them, and
/// a designed workload's pods are shown as its new template would make them.
/// </summary>
public static class WhatIf
{
    /// <summary>Labels a workload controller adds to its pods; they survive a template change.</summary>
    private static readonly string[] ControllerLabels =
        ["pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name", "apps.kubernetes.io/pod-index", "batch.kubernetes.io/controller-uid", "batch.kubernetes.io/job-name", "controller-uid", "job-name"];

    /// <param name="current">The cluster as it is.</param>
    /// <param name="designed">The designed objects, in the order they would be applied.</param>
    /// <param name="before">The analysis of <paramref name="current"/> when the caller already has one made the same way (without static findings).</param>
    public static WhatIfResult Compute(ClusterSnapshot current, IReadOnlyList<JsonObject> designed, ClusterAnalysis? before = null)
    {
        ArgumentNullException.ThrowIfNull(current);
        ArgumentNullException.ThrowIfNull(designed);
        before ??= ClusterAnalyzer.Analyze(current);
        var (after, notModelled, issues) = Design(current, designed);
        var afterAnalysis = ClusterAnalyzer.Analyze(after);
        var created = after.AllObjects().Select(o => o.Ref()).Where(r => !Exists(current, r)).ToHashSet();
        return Compare(before, afterAnalysis) with
        {
            Policy = PolicyWhatIf.Compute(before, afterAnalysis, [.. designed.Select(Describe)]),
            NotModelled = notModelled,
            Issues = issues,
            Created = [.. designed.Select(Describe).Where(created.Contains).Distinct()],
        };
    }

    /// <summary>The difference between two analyses: paths by id, findings by code, object and field.</summary>
    public static WhatIfResult Compare(ClusterAnalysis before, ClusterAnalysis after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var added = after.Paths.Where(p => before.FindPath(p.Id) is null).OrderBy(p => p.Id, StringComparer.Ordinal).ToImmutableArray();
        var removed = before.Paths.Where(p => after.FindPath(p.Id) is null).OrderBy(p => p.Id, StringComparer.Ordinal).ToImmutableArray();
        var changed = after.Paths
            .Select(p => (Before: before.FindPath(p.Id), After: p))
            .Where(x => x.Before is not null && Signature(x.Before) != Signature(x.After))
            .Select(x => new PathChange(x.Before!, x.After))
            .OrderBy(c => c.Id, StringComparer.Ordinal)
            .ToImmutableArray();
        var beforeKeys = before.Diagnostics.Select(Key).ToHashSet();
        var afterKeys = after.Diagnostics.Select(Key).ToHashSet();
        var fix = before.Diagnostics.Where(d => !afterKeys.Contains(Key(d))).DistinctBy(Key).ToImmutableArray();
        var caused = after.Diagnostics.Where(d => !beforeKeys.Contains(Key(d))).DistinctBy(Key).ToImmutableArray();
        return new WhatIfResult(before, after, added, removed, changed, fix, caused);
    }

    private static (string Code, ObjectRef Object, string? Field) Key(Diagnostic d) => (d.Code, d.Object, d.Field);

    /// <summary>The snapshot with the designed objects applied.</summary>
    internal static (ClusterSnapshot After, ImmutableArray<ObjectRef> NotModelled, ImmutableArray<LoadIssue> Issues) Design(ClusterSnapshot current, IReadOnlyList<JsonObject> designed)
    {
        var issues = new List<LoadIssue>();
        var reader = new ModelReader(issues);
        var notModelled = ImmutableArray.CreateBuilder<ObjectRef>();
        var after = current;
        var changedPods = new List<Pod>();
        var designedServices = new List<ObjectKey>();
        ClusterServiceFamilies? families = null;
        foreach (var json in designed)
        {
            var model = reader.Read(json);
            if (model is null)
            {
                notModelled.Add(Describe(json));
                continue;
            }

            switch (model)
            {
                case Service svc:
                    after = after.Upsert(AsUpdate(svc, after.Services.GetValueOrDefault(svc.Key()), families ??= ClusterServiceFamilies.Infer(current)));
                    designedServices.Add(svc.Key());
                    break;
                case Ingress ing:
                    var oldIngress = after.Ingresses.GetValueOrDefault(ing.Key());
                    after = after.Upsert(oldIngress is null || !ing.LoadBalancerStatus.IsDefaultOrEmpty ? ing : ing with { LoadBalancerStatus = oldIngress.LoadBalancerStatus });
                    break;
                case Model.Gateway gw:
                    // The implementation keeps serving an updated Gateway at its address; a manifest carries no status.
                    var oldGateway = after.Gateways.GetValueOrDefault(gw.Key());
                    after = after.Upsert(oldGateway is null || !gw.Addresses.IsDefaultOrEmpty ? gw : gw with { Addresses = oldGateway.Addresses, Conditions = oldGateway.Conditions });
                    break;
                case Pod pod:
                    var updated = AsUpdate(pod, after.Pods.GetValueOrDefault(pod.Key()));
                    after = after.Upsert(updated);
                    changedPods.Add(updated);
                    break;
                case Workload w:
                    after = after.Upsert(w);
                    if (after.EndpointSlicesAuthoritative)
                    {
                        after = Rollout(after, w, changedPods);
                    }

                    break;
                default:
                    after = after.Upsert(model);
                    break;
            }
        }

        if (after.EndpointSlicesAuthoritative)
        {
            after = PredictSlices(current, after, designedServices, changedPods);
        }

        return (after, notModelled.ToImmutable(), [.. issues]);
    }

    /// <summary>
    /// What the API server keeps when a Service is updated: the clusterIPs of the families it still serves (a move to
    /// SingleStack releases the secondary one; a new family's address is not known before it is allocated), nodePorts of
    /// ports that stay, status.
    /// </summary>
    private static Service AsUpdate(Service designed, Service? existing, ClusterServiceFamilies families)
    {
        if (existing is null)
        {
            return designed;
        }

        var result = designed;
        if (designed.ClusterIps.IsDefaultOrEmpty && !existing.ClusterIps.IsDefaultOrEmpty && designed.Type != ServiceTypes.ExternalName)
        {
            var allocation = ServiceFamilies.Resolve(designed, existing, families);
            result = allocation is null || allocation.HasErrors
                ? result with { ClusterIps = existing.ClusterIps }
                : result with { ClusterIps = allocation.ClusterIps, IpFamilies = allocation.Families, IpFamilyPolicy = allocation.Policy };
        }

        if (designed.HasNodePorts && existing.HasNodePorts)
        {
            result = result with
            {
                Ports = [.. designed.Ports.Select(p => p.NodePort is not null ? p
                    : p with { NodePort = existing.Ports.FirstOrDefault(e => e.Port == p.Port && e.Protocol == p.Protocol)?.NodePort })],
            };
        }

        if (designed.LoadBalancerStatus.IsDefaultOrEmpty && designed.Type == ServiceTypes.LoadBalancer)
        {
            result = result with { LoadBalancerStatus = existing.LoadBalancerStatus };
        }

        return result;
    }

    /// <summary>A designed pod that replaces a running one keeps what the kubelet reported (a manifest carries no status).</summary>
    private static Pod AsUpdate(Pod designed, Pod? existing)
    {
        if (existing is null || designed.Phase is not null)
        {
            return designed;
        }

        return designed with
        {
            PodIps = existing.PodIps,
            HostIp = existing.HostIp,
            Phase = existing.Phase,
            Ready = existing.Ready,
            Terminating = existing.Terminating,
            UnschedulableMessage = existing.UnschedulableMessage,
            Spec = designed.Spec with { NodeName = designed.Spec.NodeName ?? existing.Spec.NodeName },
        };
    }

    /// <summary>
    /// The workload's pods as its new template makes them: on the same nodes and addresses, with the template's ports
    /// and labels. A workload with no pods yet gets one stand-in pod (no address, not scheduled) built from its template.
    /// </summary>
    private static ClusterSnapshot Rollout(ClusterSnapshot snapshot, Workload w, List<Pod> changedPods)
    {
        var ns = w.Metadata.Namespace;
        var pods = snapshot.Pods.Values.Where(p => p.Metadata.Namespace == ns && !p.FromTemplate && Owns(w, p)).ToList();
        if (pods.Count == 0)
        {
            var stand = new Pod(new ObjectMeta
            {
                Name = w.Metadata.Name,
                Namespace = ns,
                Labels = w.TemplateLabels.WithComparers(KubeNames.Comparer),
                OwnerReferences = [new OwnerReference(w.Kind, w.Metadata.Name, w.Metadata.Uid, true)],
            })
            {
                Spec = w.Template,
                FromTemplate = true,
            };
            if (snapshot.Pods.ContainsKey(stand.Key()))
            {
                return snapshot;
            }

            changedPods.Add(stand);
            return snapshot.Upsert(stand);
        }

        foreach (var pod in pods)
        {
            var labels = w.TemplateLabels.WithComparers(KubeNames.Comparer);
            foreach (var key in ControllerLabels)
            {
                if (pod.Metadata.Labels.TryGetValue(key, out var value))
                {
                    labels = labels.SetItem(key, value);
                }
            }

            var rolled = pod with
            {
                Metadata = pod.Metadata with { Labels = labels },
                Spec = w.Template with { NodeName = pod.Spec.NodeName },
            };
            changedPods.Add(pod);
            changedPods.Add(rolled);
            snapshot = snapshot.Upsert(rolled);
        }

        return snapshot;
    }

    /// <summary>Pods a workload owns: its selector matches them and no other workload's name is on their controller reference.</summary>
    private static bool Owns(Workload w, Pod p)
    {
        if (!w.Selector.Matches(p.Metadata.Labels))
        {
            return false;
        }

        var controller = p.Metadata.OwnerReferences.FirstOrDefault(o => o.Controller);
        return controller is null || controller.Name == w.Metadata.Name || (controller.Kind == "ReplicaSet" && w.Kind == "Deployment" && controller.Name.StartsWith(w.Metadata.Name + "-", StringComparison.Ordinal));
    }

    /// <summary>
    /// EndpointSlices as the EndpointSlice controller would write them for the designed Services and for the Services
    /// that select a pod whose labels or ports changed. Slices managed by anything other than that controller stay.
    /// </summary>
    private static ClusterSnapshot PredictSlices(ClusterSnapshot current, ClusterSnapshot after, List<ObjectKey> designedServices, List<Pod> changedPods)
    {
        var affected = new HashSet<ObjectKey>(designedServices);
        foreach (var svc in after.Services.Values)
        {
            if (svc.Selector is { Count: > 0 } sel && changedPods.Any(p => p.Metadata.Namespace == svc.Metadata.Namespace && ClusterIndex.Matches(sel, p.Metadata.Labels)))
            {
                affected.Add(svc.Key());
            }
        }

        foreach (var key in affected.Order())
        {
            if (!after.Services.TryGetValue(key, out var svc) || svc.IsExternalName || svc.Selector is not { Count: > 0 } selector)
            {
                continue;
            }

            foreach (var old in after.EndpointSlices.Values.Where(s => s.Metadata.Namespace == key.Namespace && s.ServiceName == key.Name && IsControllerManaged(s)).ToList())
            {
                after = after.Remove(old);
            }

            var selected = after.Pods.Values
                .Where(p => p.Metadata.Namespace == key.Namespace && p.Phase is not ("Succeeded" or "Failed") && ClusterIndex.Matches(selector, p.Metadata.Labels))
                .OrderBy(p => p.Metadata.Name, KubeNames.Comparer)
                .ToList();
            var groups = selected.GroupBy(p => string.Join(",", svc.Ports.Select(sp => $"{sp.Name}/{sp.Protocol}/{UnitAnalysis.ResolveTargetPort(p, sp)?.ToString(CultureInfo.InvariantCulture) ?? "-"}")));
            var n = 0;
            foreach (var group in groups)
            {
                var first = group.First();
                ImmutableArray<EndpointSlicePort> ports = [.. svc.Ports
                    .Select(sp => (sp, Number: UnitAnalysis.ResolveTargetPort(first, sp)))
                    .Where(x => x.Number is not null)
                    .Select(x => new EndpointSlicePort(x.sp.Name ?? "", x.sp.Protocol, x.Number, x.sp.AppProtocol))];

                // One slice per family the Service serves, each with the pods' addresses of that family, as the controller writes them.
                foreach (var family in svc.Families)
                {
                    var endpoints = group.Select(pod => Endpoint(svc, pod, family, after)).OfType<Endpoint>().ToImmutableArray();
                    if (endpoints.IsEmpty && svc.Families.Length > 1)
                    {
                        continue;
                    }

                    after = after.Upsert(new EndpointSlice(new ObjectMeta
                    {
                        Name = $"{key.Name}-whatif-{n++}",
                        Namespace = key.Namespace,
                        Labels = ImmutableDictionary.CreateRange(KubeNames.Comparer, [KeyValuePair.Create("kubernetes.io/service-name", key.Name)]),
                    })
                    {
                        AddressType = family,
                        Ports = ports,
                        Endpoints = endpoints,
                    });
                }
            }
        }

        return after;
    }

    /// <summary>The pod's endpoint in the slice of <paramref name="family"/>; null when it has addresses, but none of that family.</summary>
    private static Endpoint? Endpoint(Service svc, Pod pod, string family, ClusterSnapshot cluster)
    {
        // A pod that exists keeps its readiness; a pod only designed has none yet and is shown as it will be once it runs.
        var ready = svc.PublishNotReadyAddresses || (pod.Ready ?? pod.Phase is null);
        var node = pod.NodeName is { } name ? cluster.Nodes.GetValueOrDefault(name) : null;
        var own = pod.HostNetwork && node is not null && pod.PodIps.IsDefaultOrEmpty
            ? [.. node.Addresses.Where(a => a.Type == "InternalIP").Select(a => a.Address)]
            : pod.PodIps;
        string? address = null;
        if (own.IsDefaultOrEmpty && family != svc.Families[0])
        {
            // No address yet (a pod only designed): one endpoint, in the primary family's slice.
            return null;
        }

        if (!own.IsDefaultOrEmpty)
        {
            address = own.FirstOrDefault(ip => Service.IpFamilyOf(ip) == family);
            if (address is null)
            {
                return null;
            }
        }

        var (forZones, forNodes) = KubeProxy.Topology.HintsFor(svc.TrafficDistribution, node?.Zone, pod.NodeName);
        return new Endpoint
        {
            Addresses = address is null ? [] : [address],
            Conditions = new EndpointConditions(ready && !pod.Terminating, ready, pod.Terminating),
            NodeName = pod.NodeName,
            Zone = node?.Zone,
            ForZones = forZones,
            ForNodes = forNodes,
            TargetRef = pod.FromTemplate
                ? pod.Metadata.OwnerReferences.Select(o => new ObjectRef(o.Kind, pod.Metadata.Namespace, o.Name)).FirstOrDefault()
                : pod.Ref(),
        };
    }

    private static bool IsControllerManaged(EndpointSlice s) =>
        s.Metadata.Labels.GetValueOrDefault("endpointslice.kubernetes.io/managed-by") is null or "endpointslice-controller.k8s.io";

    private static ObjectRef Describe(JsonObject json) => Validation.ManifestValidator.Describe(json);

    private static bool Exists(ClusterSnapshot s, ObjectRef r) => r.Kind switch
    {
        "Service" => s.Services.ContainsKey(new ObjectKey(r.Namespace, r.Name)),
        "Ingress" => s.Ingresses.ContainsKey(new ObjectKey(r.Namespace, r.Name)),
        "Pod" => s.Pods.ContainsKey(new ObjectKey(r.Namespace, r.Name)),
        "Namespace" => s.Namespaces.ContainsKey(r.Name),
        "IngressClass" => s.IngressClasses.ContainsKey(r.Name),
        "EndpointSlice" => s.EndpointSlices.ContainsKey(new ObjectKey(r.Namespace, r.Name)),
        "Node" => s.Nodes.ContainsKey(r.Name),
        "NetworkPolicy" => s.NetworkPolicies.ContainsKey(new ObjectKey(r.Namespace, r.Name)),
        "ClusterNetworkPolicy" => s.ClusterNetworkPolicies.ContainsKey(r.Name),
        "ConfigMap" => s.KubeProxyConfigs.ContainsKey(new ObjectKey(r.Namespace, r.Name)),
        "GatewayClass" => s.GatewayClasses.ContainsKey(r.Name),
        "Gateway" => s.Gateways.ContainsKey(new ObjectKey(r.Namespace, r.Name)),
        "HTTPRoute" or "GRPCRoute" or "TLSRoute" or "TCPRoute" => s.Routes.ContainsKey(r),
        "ReferenceGrant" => s.ReferenceGrants.ContainsKey(new ObjectKey(r.Namespace, r.Name)),
        _ => s.Workloads.ContainsKey(r),
    };

    /// <summary>Everything about a path that decides how traffic flows, to tell a changed path from an unchanged one.</summary>
    private static string Signature(TrafficPath p)
    {
        var sb = new StringBuilder();
        sb.Append(p.Status).Append('|').AppendJoin(",", p.Diagnostics).Append('|');
        foreach (var h in p.Hops)
        {
            sb.Append(h.Kind).Append(':').AppendJoin(",", h.Addresses).Append(':').Append(h.Port).Append(':').Append(h.Name).Append(':').Append(h.Broken)
                .Append(':').AppendJoin(",", h.DeliveringNodes ?? []);
            foreach (var e in h.Endpoints)
            {
                sb.Append('[').Append(e.Ip).Append(':').Append(e.Port).Append(':').Append(e.Pod).Append(':').Append(e.Ready).Append(']');
            }

            sb.Append(';');
        }

        return sb.ToString();
    }
}
