using System.Security.Cryptography;
using System.Text;
using PortMapper.Core.Model;

namespace PortMapper.Core.Trace;

/// <summary>
/// kube-proxy's iptables chain names (K8S-FACTS, kube-proxy iptables mode). Kept in this one file so it can be
/// swapped for the shared implementation in PortMapper.Core.KubeProxy without touching the tracer.
/// </summary>
internal static class ChainNames
{
    public const string Services = "KUBE-SERVICES";
    public const string NodePorts = "KUBE-NODEPORTS";
    public const string ExternalServices = "KUBE-EXTERNAL-SERVICES";
    public const string ServicePrefix = "KUBE-SVC-";
    public const string LocalPrefix = "KUBE-SVL-";
    public const string ExternalPrefix = "KUBE-EXT-";
    public const string FirewallPrefix = "KUBE-FW-";
    public const string EndpointPrefix = "KUBE-SEP-";

    private const string Base32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    /// <summary>ServicePortName.String(): "ns/name", plus ":portName" when the port has a name.</summary>
    public static string ServicePortName(Service svc, ServicePort port) =>
        $"{svc.Metadata.Namespace}/{svc.Metadata.Name}" + (port.Name is { Length: > 0 } name ? ":" + name : "");

    /// <summary>prefix + the first 16 characters of base32(sha256(servicePortName + lower(protocol) [+ endpoint "IP:port"])).</summary>
    public static string Name(string prefix, string servicePortName, string protocol, string? endpoint)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(servicePortName + protocol.ToLowerInvariant() + endpoint));
        return prefix + Base32First16(hash);
    }

    /// <summary>16 base32 characters encode exactly the first 10 bytes, so padding never comes into it.</summary>
    private static string Base32First16(byte[] bytes)
    {
        var chars = new char[16];
        for (var group = 0; group < 2; group++)
        {
            ulong bits = 0;
            for (var i = 0; i < 5; i++)
            {
                bits = (bits << 8) | bytes[(group * 5) + i];
            }

            for (var c = 0; c < 8; c++)
            {
                chars[(group * 8) + c] = Base32Alphabet[(int)((bits >> (35 - (c * 5))) & 31)];
            }
        }

        return new string(chars);
    }
}
