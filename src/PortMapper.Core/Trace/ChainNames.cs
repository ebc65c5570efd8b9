using PortMapper.Core.KubeProxy;
using PortMapper.Core.Model;

namespace PortMapper.Core.Trace;

/// <summary>
/// The tracer's view of kube-proxy's iptables chain names; the hashing lives in <see cref="KubeProxyChains"/>.
/// </summary>
internal static class ChainNames
{
    public const string Services = KubeProxyChains.Services;
    public const string NodePorts = KubeProxyChains.NodePorts;
    public const string ExternalServices = KubeProxyChains.ExternalServices;
    public const string ServicePrefix = KubeProxyChains.ServicePrefix;
    public const string LocalPrefix = KubeProxyChains.LocalPrefix;
    public const string ExternalPrefix = KubeProxyChains.ExternalPrefix;
    public const string FirewallPrefix = KubeProxyChains.FirewallPrefix;
    public const string EndpointPrefix = KubeProxyChains.EndpointPrefix;

    /// <summary>ServicePortName.String(): "ns/name", plus ":portName" when the port has a name.</summary>
    public static string ServicePortName(Service svc, ServicePort port) =>
        new KubeProxy.ServicePortName(svc.Metadata.Namespace, svc.Metadata.Name, port.Name ?? "").ToString();

    public static string Name(string prefix, string servicePortName, string protocol, string? endpoint) =>
        KubeProxyChains.Name(prefix, servicePortName, protocol, endpoint);
}

/// <summary>The shared chains and maps the tracer names, per kube-proxy mode.</summary>
internal sealed record TraceChainNames(string Services, string NodePorts, string RejectInternal, string RejectExternal, string RejectNodePort, string Firewall, string Masquerade)
{
    public static TraceChainNames Iptables { get; } = new(
        KubeProxyChains.Services, KubeProxyChains.NodePorts, KubeProxyChains.Services, KubeProxyChains.ExternalServices, KubeProxyChains.ExternalServices, "KUBE-FW", KubeProxyChains.MarkMasquerade);

    /// <summary>
    /// nftables mode: the <c>services</c> chain dispatches through the <c>service-ips</c> and <c>service-nodeports</c>
    /// verdict maps; Services without endpoints are in the <c>no-endpoint-services</c> / <c>no-endpoint-nodeports</c> maps.
    /// </summary>
    public static TraceChainNames Nftables { get; } = new(
        NftablesNames.Services, NftablesNames.ServiceNodePorts, NftablesNames.NoEndpointServices, NftablesNames.NoEndpointServices, NftablesNames.NoEndpointNodePorts,
        NftablesNames.FirewallIps, NftablesNames.MarkForMasquerade);

    /// <summary>Where the rules of <paramref name="family"/> live: "ip6tables nat table", "ip6 kube-proxy table" and so on.</summary>
    public string Table(string family)
    {
        var v6 = family == IpFamily.V6;
        return Services == NftablesNames.Services
            ? (v6 ? "table ip6 kube-proxy" : "table ip kube-proxy")
            : (v6 ? "the ip6tables nat table" : "the iptables nat table");
    }

    /// <summary>kube-proxy's nftables names for the per-Service chains the tracer asks for by their iptables prefix.</summary>
    public static string NftName(string prefix, string servicePortName, string protocol, string? endpoint)
    {
        var slash = servicePortName.IndexOf('/', StringComparison.Ordinal);
        var colon = servicePortName.IndexOf(':', slash + 1);
        var name = new ServicePortName(
            servicePortName[..slash],
            colon < 0 ? servicePortName[(slash + 1)..] : servicePortName[(slash + 1)..colon],
            colon < 0 ? "" : servicePortName[(colon + 1)..]);
        return prefix switch
        {
            KubeProxyChains.ServicePrefix => NftablesNames.ServiceChain(name, protocol),
            KubeProxyChains.LocalPrefix => NftablesNames.LocalChain(name, protocol),
            KubeProxyChains.ExternalPrefix => NftablesNames.ExternalChain(name, protocol),
            KubeProxyChains.FirewallPrefix => NftablesNames.FirewallChain(name, protocol),
            KubeProxyChains.EndpointPrefix => NftablesNames.EndpointChain(name, protocol, endpoint ?? ""),
            _ => prefix,
        };
    }
}
