using System.Collections.Immutable;

namespace PortMapper.Core.Model;

public enum ChangeType
{
    Added,
    Modified,
    Deleted,
}

/// <summary>One object added, changed or removed, as a watch reports it.</summary>
public sealed record ClusterChange(ChangeType Type, IKubeObject Object);

/// <summary>The node-port range the API server allocates from (--service-node-port-range).</summary>
public sealed record NodePortRange(int First, int Last)
{
    public static NodePortRange Default { get; } = new(30000, 32767);

    public bool Contains(int port) => port >= First && port <= Last;

    public override string ToString() => $"{First}-{Last}";

    public static bool TryParse(string? text, out NodePortRange range)
    {
        range = Default;
        var parts = (text ?? "").Split('-', 2);
        if (parts.Length == 2 && int.TryParse(parts[0], out var a) && int.TryParse(parts[1], out var b) && a >= 1 && b <= 65535 && a <= b)
        {
            range = new NodePortRange(a, b);
            return true;
        }

        return false;
    }
}

/// <summary>
/// An immutable picture of everything in a cluster that decides how traffic flows.
/// Each change produces a new snapshot that shares almost all of its structure with the old one.
/// </summary>
public sealed record ClusterSnapshot
{
    public static ClusterSnapshot Empty { get; } = new();

    public ImmutableDictionary<string, Namespace> Namespaces { get; init; } = ImmutableDictionary.Create<string, Namespace>(KubeNames.Comparer);

    public ImmutableDictionary<string, Node> Nodes { get; init; } = ImmutableDictionary.Create<string, Node>(KubeNames.Comparer);

    public ImmutableDictionary<ObjectKey, Pod> Pods { get; init; } = ImmutableDictionary<ObjectKey, Pod>.Empty;

    public ImmutableDictionary<ObjectRef, Workload> Workloads { get; init; } = ImmutableDictionary<ObjectRef, Workload>.Empty;

    public ImmutableDictionary<ObjectKey, Service> Services { get; init; } = ImmutableDictionary<ObjectKey, Service>.Empty;

    public ImmutableDictionary<ObjectKey, EndpointSlice> EndpointSlices { get; init; } = ImmutableDictionary<ObjectKey, EndpointSlice>.Empty;

    public ImmutableDictionary<ObjectKey, Ingress> Ingresses { get; init; } = ImmutableDictionary<ObjectKey, Ingress>.Empty;

    public ImmutableDictionary<string, IngressClass> IngressClasses { get; init; } = ImmutableDictionary.Create<string, IngressClass>(KubeNames.Comparer);

    public ImmutableDictionary<ObjectKey, NetworkPolicy> NetworkPolicies { get; init; } = ImmutableDictionary<ObjectKey, NetworkPolicy>.Empty;

    public ImmutableDictionary<string, ClusterNetworkPolicy> ClusterNetworkPolicies { get; init; } = ImmutableDictionary.Create<string, ClusterNetworkPolicy>(KubeNames.Comparer);

    /// <summary>Gateway API (gateway.networking.k8s.io): classes, Gateways, HTTPRoutes and GRPCRoutes, ReferenceGrants.</summary>
    public ImmutableDictionary<string, GatewayClass> GatewayClasses { get; init; } = ImmutableDictionary.Create<string, GatewayClass>(KubeNames.Comparer);

    public ImmutableDictionary<ObjectKey, Gateway> Gateways { get; init; } = ImmutableDictionary<ObjectKey, Gateway>.Empty;

    /// <summary>HTTPRoutes and GRPCRoutes, by kind, namespace and name.</summary>
    public ImmutableDictionary<ObjectRef, HttpRoute> Routes { get; init; } = ImmutableDictionary<ObjectRef, HttpRoute>.Empty;

    public ImmutableDictionary<ObjectKey, ReferenceGrant> ReferenceGrants { get; init; } = ImmutableDictionary<ObjectKey, ReferenceGrant>.Empty;

    /// <summary>kube-proxy's ConfigMaps in kube-system (<see cref="KubeProxyConfig.Names"/>), where they can be read.</summary>
    public ImmutableDictionary<ObjectKey, KubeProxyConfig> KubeProxyConfigs { get; init; } = ImmutableDictionary<ObjectKey, KubeProxyConfig>.Empty;

    /// <summary>The ServiceCIDRs (networking.k8s.io/v1), by name, where the cluster serves and lets PortMapper read them.</summary>
    public ImmutableDictionary<string, ServiceCidr> ServiceCidrs { get; init; } = ImmutableDictionary.Create<string, ServiceCidr>(KubeNames.Comparer);

    /// <summary>
    /// True when the EndpointSlices come from a running control plane (a live or demo cluster) and are the truth.
    /// False for manifests alone: endpoints are then predicted from selectors, as the EndpointSlice controller would.
    /// </summary>
    public bool EndpointSlicesAuthoritative { get; init; }

    public NodePortRange NodePortRange { get; init; } = NodePortRange.Default;

    public int ObjectCount =>
        Namespaces.Count + Nodes.Count + Pods.Count + Workloads.Count + Services.Count + EndpointSlices.Count + Ingresses.Count + IngressClasses.Count
        + NetworkPolicies.Count + ClusterNetworkPolicies.Count + KubeProxyConfigs.Count + ServiceCidrs.Count
        + GatewayClasses.Count + Gateways.Count + Routes.Count + ReferenceGrants.Count;

    public ClusterSnapshot Apply(ClusterChange change) => change.Type == ChangeType.Deleted ? Remove(change.Object) : Upsert(change.Object);

    public ClusterSnapshot Apply(IEnumerable<ClusterChange> changes) => changes.Aggregate(this, (s, c) => s.Apply(c));

    public ClusterSnapshot Upsert(IKubeObject o) => o switch
    {
        Namespace n => this with { Namespaces = Namespaces.SetItem(n.Metadata.Name, n) },
        Node n => this with { Nodes = Nodes.SetItem(n.Metadata.Name, n) },
        Pod p => this with { Pods = Pods.SetItem(p.Key(), p) },
        Workload w => this with { Workloads = Workloads.SetItem(w.Ref(), w) },
        Service s => this with { Services = Services.SetItem(s.Key(), s) },
        EndpointSlice e => this with { EndpointSlices = EndpointSlices.SetItem(e.Key(), e) },
        Ingress i => this with { Ingresses = Ingresses.SetItem(i.Key(), i) },
        IngressClass c => this with { IngressClasses = IngressClasses.SetItem(c.Metadata.Name, c) },
        NetworkPolicy p => this with { NetworkPolicies = NetworkPolicies.SetItem(p.Key(), p) },
        ClusterNetworkPolicy p => this with { ClusterNetworkPolicies = ClusterNetworkPolicies.SetItem(p.Metadata.Name, p) },
        KubeProxyConfig c => this with { KubeProxyConfigs = KubeProxyConfigs.SetItem(c.Key(), c) },
        ServiceCidr c => this with { ServiceCidrs = ServiceCidrs.SetItem(c.Metadata.Name, c) },
        GatewayClass c => this with { GatewayClasses = GatewayClasses.SetItem(c.Metadata.Name, c) },
        Gateway g => this with { Gateways = Gateways.SetItem(g.Key(), g) },
        HttpRoute r => this with { Routes = Routes.SetItem(r.Ref(), r) },
        ReferenceGrant g => this with { ReferenceGrants = ReferenceGrants.SetItem(g.Key(), g) },
        _ => throw new ArgumentException($"PortMapper does not model kind {o.Kind}.", nameof(o)),
    };

    public ClusterSnapshot Remove(IKubeObject o) => o switch
    {
        Namespace n => this with { Namespaces = Namespaces.Remove(n.Metadata.Name) },
        Node n => this with { Nodes = Nodes.Remove(n.Metadata.Name) },
        Pod p => this with { Pods = Pods.Remove(p.Key()) },
        Workload w => this with { Workloads = Workloads.Remove(w.Ref()) },
        Service s => this with { Services = Services.Remove(s.Key()) },
        EndpointSlice e => this with { EndpointSlices = EndpointSlices.Remove(e.Key()) },
        Ingress i => this with { Ingresses = Ingresses.Remove(i.Key()) },
        IngressClass c => this with { IngressClasses = IngressClasses.Remove(c.Metadata.Name) },
        NetworkPolicy p => this with { NetworkPolicies = NetworkPolicies.Remove(p.Key()) },
        ClusterNetworkPolicy p => this with { ClusterNetworkPolicies = ClusterNetworkPolicies.Remove(p.Metadata.Name) },
        KubeProxyConfig c => this with { KubeProxyConfigs = KubeProxyConfigs.Remove(c.Key()) },
        ServiceCidr c => this with { ServiceCidrs = ServiceCidrs.Remove(c.Metadata.Name) },
        GatewayClass c => this with { GatewayClasses = GatewayClasses.Remove(c.Metadata.Name) },
        Gateway g => this with { Gateways = Gateways.Remove(g.Key()) },
        HttpRoute r => this with { Routes = Routes.Remove(r.Ref()) },
        ReferenceGrant g => this with { ReferenceGrants = ReferenceGrants.Remove(g.Key()) },
        _ => throw new ArgumentException($"PortMapper does not model kind {o.Kind}.", nameof(o)),
    };

    public static ClusterSnapshot From(IEnumerable<IKubeObject> objects, bool endpointSlicesAuthoritative = false) =>
        objects.Aggregate(Empty with { EndpointSlicesAuthoritative = endpointSlicesAuthoritative }, (s, o) => s.Upsert(o));

    public IEnumerable<IKubeObject> AllObjects() =>
        Namespaces.Values.Cast<IKubeObject>()
            .Concat(Nodes.Values).Concat(Pods.Values).Concat(Workloads.Values).Concat(Services.Values)
            .Concat(EndpointSlices.Values).Concat(Ingresses.Values).Concat(IngressClasses.Values)
            .Concat(NetworkPolicies.Values).Concat(ClusterNetworkPolicies.Values).Concat(KubeProxyConfigs.Values).Concat(ServiceCidrs.Values)
            .Concat(GatewayClasses.Values).Concat(Gateways.Values).Concat(Routes.Values).Concat(ReferenceGrants.Values);

    /// <summary>Every namespace that is declared or that holds an object.</summary>
    public ImmutableSortedSet<string> NamespaceNames() =>
        Namespaces.Keys
            .Concat(Pods.Keys.Select(k => k.Namespace)).Concat(Services.Keys.Select(k => k.Namespace))
            .Concat(Ingresses.Keys.Select(k => k.Namespace)).Concat(Workloads.Keys.Select(k => k.Namespace))
            .ToImmutableSortedSet(StringComparer.Ordinal);
}
