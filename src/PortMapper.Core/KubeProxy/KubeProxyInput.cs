using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.KubeProxy;

/// <summary>
/// Everything kube-proxy on one node knows about one Service when it writes that Service's rules.
/// The rest of the engine fills this in: the Service as the API server holds it, the endpoints of each
/// port (target ports already resolved, as in EndpointSlices), and the node the rules are rendered for.
/// </summary>
public sealed record KubeProxyInput(Service Service, KubeProxyNode Node)
{
    /// <summary>
    /// The pod network PortMapper assumes when <see cref="ClusterCidr"/> is unknown: the kubeadm and
    /// Flannel default. The rule set says so in a note and in every rule that depends on it.
    /// </summary>
    public const string AssumedClusterCidr = "10.244.0.0/16";

    /// <summary>Endpoints per Service port, matched to the port by name ("" for an unnamed port).</summary>
    public ImmutableArray<KubeProxyPortEndpoints> Endpoints { get; init; } = [];

    /// <summary>
    /// The pod network (kube-proxy's --cluster-cidr) its local-traffic detector uses to tell pod traffic
    /// from everything else. Null when unknown: PortMapper then assumes <see cref="AssumedClusterCidr"/>
    /// for IPv4 Services, the common case where kube-proxy does have a detector.
    /// </summary>
    public string? ClusterCidr { get; init; }

    public KubeProxySettings Settings { get; init; } = new();

    /// <summary>
    /// The address family to render ("IPv4" or "IPv6"); null for the family of the primary cluster IP. kube-proxy
    /// runs one proxier per family, so a dual-stack Service has one rule set per family.
    /// </summary>
    public string? IpFamily { get; init; }

    /// <summary>
    /// The Service CIDRs (kube-proxy's view of the ServiceCIDR objects); nftables mode drops traffic to unallocated
    /// addresses in those of the rendered family. Empty when unknown: PortMapper assumes <see cref="AssumedServiceCidr"/>
    /// for IPv4 and says so.
    /// </summary>
    public ImmutableArray<string> ServiceCidrs { get; init; } = [];

    /// <summary>The kubeadm default Service CIDR, assumed when <see cref="ServiceCidr"/> is unknown.</summary>
    public const string AssumedServiceCidr = "10.96.0.0/12";

    /// <summary>The cluster IP of <see cref="IpFamily"/> (or the primary one), as the Service lists it; null when there is none.</summary>
    public string? ClusterIpOfFamily()
    {
        if (IpFamily is null || Service.ClusterIps.IsDefaultOrEmpty)
        {
            return Service.ClusterIp;
        }

        var v6 = IpFamily == "IPv6";
        return Service.ClusterIps.FirstOrDefault(ip => IpText.TryNormalize(ip, out var a) && IpText.IsV6(a) == v6);
    }

    public ImmutableArray<KubeProxyEndpoint> EndpointsFor(ServicePort port)
    {
        var name = port.Name ?? "";
        var match = Endpoints.FirstOrDefault(e => e.PortName == name && string.Equals(e.Protocol, port.Protocol, StringComparison.OrdinalIgnoreCase));
        return match?.Endpoints ?? [];
    }

    /// <summary>
    /// Reads the endpoints of <paramref name="service"/> from its EndpointSlices the way kube-proxy's
    /// endpoint cache does: slice ports by name and protocol, nil conditions meaning ready and serving.
    /// </summary>
    public static ImmutableArray<KubeProxyPortEndpoints> EndpointsFromSlices(Service service, IEnumerable<EndpointSlice> slices)
    {
        var ofService = slices.Where(s =>
            s.Metadata.Namespace == service.Metadata.Namespace && s.ServiceName == service.Metadata.Name);
        var byPort = new Dictionary<(string Name, string Protocol), ImmutableArray<KubeProxyEndpoint>.Builder>();
        foreach (var slice in ofService)
        {
            foreach (var port in slice.Ports)
            {
                // kube-proxy ignores slice ports without a number (the API allows them to mean "all ports").
                if (port.Port is not > 0)
                {
                    continue;
                }

                var key = (port.Name ?? "", port.Protocol ?? Protocols.Tcp);
                if (!byPort.TryGetValue(key, out var list))
                {
                    list = ImmutableArray.CreateBuilder<KubeProxyEndpoint>();
                    byPort[key] = list;
                }

                foreach (var endpoint in slice.Endpoints.Where(e => !e.Addresses.IsDefaultOrEmpty))
                {
                    list.Add(new KubeProxyEndpoint(endpoint.Addresses[0], port.Port.Value)
                    {
                        NodeName = endpoint.NodeName,
                        Ready = endpoint.Conditions.Ready ?? true,
                        Serving = endpoint.Conditions.Serving ?? true,
                        Terminating = endpoint.Conditions.Terminating ?? false,
                        ForZones = endpoint.ForZones,
                        ForNodes = endpoint.ForNodes,
                    });
                }
            }
        }

        return byPort
            .OrderBy(p => p.Key.Name, StringComparer.Ordinal)
            .ThenBy(p => p.Key.Protocol, StringComparer.Ordinal)
            .Select(p => new KubeProxyPortEndpoints(p.Key.Name, p.Value.ToImmutable()) { Protocol = p.Key.Protocol })
            .ToImmutableArray();
    }
}

/// <summary>The endpoints of one Service port.</summary>
/// <param name="PortName">The Service port's name; "" for an unnamed port.</param>
public sealed record KubeProxyPortEndpoints(string PortName, ImmutableArray<KubeProxyEndpoint> Endpoints)
{
    public string Protocol { get; init; } = Protocols.Tcp;
}

/// <summary>One endpoint as kube-proxy sees it: an address and the port after targetPort resolution.</summary>
public sealed record KubeProxyEndpoint(string Ip, int Port)
{
    /// <summary>The node the endpoint runs on; an endpoint is local when this is the rendered node.</summary>
    public string? NodeName { get; init; }

    public bool Ready { get; init; } = true;

    public bool Serving { get; init; } = true;

    public bool Terminating { get; init; }

    /// <summary>hints.forZones and hints.forNodes (topology-aware routing).</summary>
    public ImmutableArray<string> ForZones { get; init; } = [];

    public ImmutableArray<string> ForNodes { get; init; } = [];
}

/// <summary>The node whose kube-proxy writes the rules.</summary>
public sealed record KubeProxyNode(string Name)
{
    /// <summary>
    /// The node's own addresses: they decide which destinations count as local (the
    /// <c>--dst-type LOCAL</c> NodePort match) and whether a source range admits the node itself.
    /// The first one of the Service's IP family is kube-proxy's node IP.
    /// </summary>
    public ImmutableArray<string> Addresses { get; init; } = [];

    /// <summary>The node's topology.kubernetes.io/zone label, for topology hints.</summary>
    public string? Zone { get; init; }

    public static KubeProxyNode From(Node node) =>
        new(node.Metadata.Name)
        {
            Zone = node.Zone,
            // InternalIP first: kube-proxy takes its node IP from there before ExternalIP.
            Addresses = node.Addresses
                .Where(a => a.Type is "InternalIP" or "ExternalIP")
                .OrderBy(a => a.Type == "InternalIP" ? 0 : 1)
                .Select(a => a.Address)
                .ToImmutableArray(),
        };
}

/// <summary>The kube-proxy flags that change the text of the rules.</summary>
public sealed record KubeProxySettings
{
    /// <summary>
    /// The SNAT mark (--iptables-masquerade-bit, default 14), written the way iptables-save shows it.
    /// </summary>
    public string MasqueradeMark { get; init; } = "0x4000";

    /// <summary>--masquerade-all: SNAT every packet sent to a cluster IP.</summary>
    public bool MasqueradeAll { get; init; }

    /// <summary>
    /// Whether kube-proxy has a local-traffic detector (--detect-local-mode ClusterCIDR with a cluster CIDR).
    /// Without one it writes neither the <c>! -s &lt;cluster CIDR&gt;</c> masquerade rule nor the
    /// "pod traffic" short-circuit for Local external traffic policy.
    /// </summary>
    public bool DetectLocalTraffic { get; init; } = true;

    /// <summary>Whether iptables supports MASQUERADE --random-fully (iptables 1.6.2 and later).</summary>
    public bool RandomFully { get; init; } = true;

    /// <summary>--iptables-localhost-nodeports (default true): NodePorts answer on 127.0.0.1 (IPv4 only).</summary>
    public bool LocalhostNodePorts { get; init; } = true;
}
