using System.Security.Cryptography;
using System.Text;

namespace PortMapper.Core.KubeProxy;

/// <summary>
/// The chain names kube-proxy uses in iptables mode (pkg/proxy/iptables/proxier.go).
/// Per-Service chains are a prefix plus the first 16 characters of the standard base32 encoding of
/// sha256(servicePortName + lower-case protocol); iptables limits chain names to 28 characters.
/// </summary>
public static class KubeProxyChains
{
    public const string Services = "KUBE-SERVICES";
    public const string ExternalServices = "KUBE-EXTERNAL-SERVICES";
    public const string NodePorts = "KUBE-NODEPORTS";
    public const string Postrouting = "KUBE-POSTROUTING";
    public const string MarkMasquerade = "KUBE-MARK-MASQ";
    public const string Forward = "KUBE-FORWARD";
    public const string ProxyFirewall = "KUBE-PROXY-FIREWALL";

    public const string ServicePrefix = "KUBE-SVC-";
    public const string LocalPrefix = "KUBE-SVL-";
    public const string ExternalPrefix = "KUBE-EXT-";
    public const string FirewallPrefix = "KUBE-FW-";
    public const string EndpointPrefix = "KUBE-SEP-";

    /// <summary>KUBE-SVC-…: dispatches to every usable endpoint (Cluster traffic policy).</summary>
    public static string ServicePortChainName(ServicePortName name, string protocol) => ServicePrefix + Hash(name.ToString() + Lower(protocol));

    /// <summary>KUBE-SVL-…: dispatches to this node's endpoints only (Local traffic policy).</summary>
    public static string ServiceLocalChainName(ServicePortName name, string protocol) => LocalPrefix + Hash(name.ToString() + Lower(protocol));

    /// <summary>KUBE-EXT-…: entry for NodePort, external IP and load-balancer traffic.</summary>
    public static string ServiceExternalChainName(ServicePortName name, string protocol) => ExternalPrefix + Hash(name.ToString() + Lower(protocol));

    /// <summary>KUBE-FW-…: enforces loadBalancerSourceRanges.</summary>
    public static string ServiceFirewallChainName(ServicePortName name, string protocol) => FirewallPrefix + Hash(name.ToString() + Lower(protocol));

    /// <summary>KUBE-SEP-…: one endpoint; <paramref name="endpoint"/> is its "IP:port" ("[IPv6]:port").</summary>
    public static string ServicePortEndpointChainName(ServicePortName name, string protocol, string endpoint) =>
        EndpointPrefix + Hash(name.ToString() + Lower(protocol) + endpoint);

    /// <summary>Any per-Service chain: <paramref name="prefix"/> + hash of the service port name, protocol and (for KUBE-SEP) endpoint.</summary>
    public static string Name(string prefix, string servicePortName, string protocol, string? endpoint = null) =>
        prefix + Hash(servicePortName + Lower(protocol) + endpoint);

    // kube-proxy lower-cases the protocol before hashing; accepting "TCP" as well keeps callers from
    // producing a name no cluster would ever have.
    private static string Lower(string protocol) => protocol.ToLowerInvariant();

    private static string Hash(string text) => HashPrefix(text, 16);

    /// <summary>The first <paramref name="length"/> characters of base32(sha256(<paramref name="text"/>)).</summary>
    internal static string HashPrefix(string text, int length) => Base32Prefix(SHA256.HashData(Encoding.UTF8.GetBytes(text)), length);

    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>The first <paramref name="length"/> characters of RFC 4648 base32 (Go's base32.StdEncoding).</summary>
    private static string Base32Prefix(byte[] data, int length)
    {
        var text = new StringBuilder(length);
        var buffer = 0;
        var bits = 0;
        foreach (var b in data)
        {
            // Fewer than 5 bits are left over between bytes, so 16 bits of buffer are plenty.
            buffer = ((buffer << 8) | b) & 0xFFFF;
            bits += 8;
            while (bits >= 5)
            {
                bits -= 5;
                text.Append(Base32Alphabet[(buffer >> bits) & 31]);
                if (text.Length == length)
                {
                    return text.ToString();
                }
            }
        }

        return text.ToString();
    }
}
