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
