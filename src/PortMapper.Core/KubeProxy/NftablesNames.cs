namespace PortMapper.Core.KubeProxy;

/// <summary>
/// The chain and set names kube-proxy's nftables proxier uses (pkg/proxy/nftables/proxier.go). A per-Service
/// name is a prefix plus a "base": the first 8 characters of base32(sha256(name)), a hyphen, and the readable
/// name itself (<c>namespace/service/protocol/portName</c>, with <c>__endpointIP/endpointPort</c> for endpoints),
/// cut to 112 characters with "..." in the rare case it is longer.
/// </summary>
public static class NftablesNames
{
    public const string Table = "kube-proxy";

    public const string ServicePrefix = "service-";
    public const string LocalPrefix = "local-";
    public const string ExternalPrefix = "external-";
    public const string EndpointPrefix = "endpoint-";
    public const string AffinityPrefix = "affinity-";
    public const string FirewallPrefix = "firewall-";

    // Base chains and maps shared by every Service.
    public const string Services = "services";
    public const string ServiceIps = "service-ips";
    public const string ServiceNodePorts = "service-nodeports";
    public const string ClusterIps = "cluster-ips";
    public const string NodePortIps = "nodeport-ips";
    public const string FirewallIps = "firewall-ips";
    public const string NoEndpointServices = "no-endpoint-services";
    public const string NoEndpointNodePorts = "no-endpoint-nodeports";
    public const string MarkForMasquerade = "mark-for-masquerade";
    public const string Masquerading = "masquerading";
    public const string RejectChain = "reject-chain";
    public const string ClusterIpsCheck = "cluster-ips-check";
    public const string FirewallCheck = "firewall-check";
    public const string ServiceEndpointsCheck = "service-endpoints-check";
    public const string NodePortEndpointsCheck = "nodeport-endpoints-check";

    /// <summary>nftables limits chain names to 128 characters; kube-proxy keeps 16 of them for its prefixes.</summary>
    private const int BaseLengthMax = 128 - 16;

    /// <summary><c>HASH-ns/svc/tcp/port</c>: the base of the service-, local-, external- and firewall- names of one Service port.</summary>
    public static string ServicePortBase(ServicePortName name, string protocol) =>
        HashAndTruncate($"{name.Namespace}/{name.Name}/{protocol.ToLowerInvariant()}/{name.Port}");

    /// <summary>
    /// <c>HASH-ns/svc/tcp/port__IP/port</c>: the base of the endpoint- and affinity- names of one endpoint;
    /// <paramref name="endpoint"/> is "IP:port" or "[IPv6]:port" (an IPv6 address's colons become dots).
    /// </summary>
    public static string EndpointBase(ServicePortName name, string protocol, string endpoint)
    {
        var colon = endpoint.LastIndexOf(':');
        var host = endpoint[..colon].Trim('[', ']').Replace(':', '.');
        var port = endpoint[(colon + 1)..];
        return HashAndTruncate($"{name.Namespace}/{name.Name}/{protocol.ToLowerInvariant()}/{name.Port}__{host}/{port}");
    }

    public static string ServiceChain(ServicePortName name, string protocol) => ServicePrefix + ServicePortBase(name, protocol);

    public static string LocalChain(ServicePortName name, string protocol) => LocalPrefix + ServicePortBase(name, protocol);

    public static string ExternalChain(ServicePortName name, string protocol) => ExternalPrefix + ServicePortBase(name, protocol);

    public static string FirewallChain(ServicePortName name, string protocol) => FirewallPrefix + ServicePortBase(name, protocol);

    public static string EndpointChain(ServicePortName name, string protocol, string endpoint) => EndpointPrefix + EndpointBase(name, protocol, endpoint);

    public static string AffinitySet(ServicePortName name, string protocol, string endpoint) => AffinityPrefix + EndpointBase(name, protocol, endpoint);

    private static string HashAndTruncate(string name)
    {
        var result = KubeProxyChains.HashPrefix(name, 8) + "-" + name;
        return result.Length > BaseLengthMax ? result[..(BaseLengthMax - 3)] + "..." : result;
    }
}
