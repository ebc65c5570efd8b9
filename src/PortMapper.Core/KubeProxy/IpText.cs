using System.Net;
using System.Net.Sockets;

namespace PortMapper.Core.KubeProxy;

/// <summary>
/// Addresses and CIDRs the way kube-proxy prints them: Go's net.IP.String() and net.IPNet.String()
/// (canonical text, the network address of a CIDR rather than the address it was written with).
/// </summary>
internal static class IpText
{
    public static bool TryNormalize(string? text, out IPAddress address)
    {
        address = IPAddress.None;
        if (string.IsNullOrWhiteSpace(text) || !IPAddress.TryParse(text.Trim(), out var parsed))
        {
            return false;
        }

        // .NET also reads shorthand such as "10.1" as an IPv4 address; Kubernetes and Go do not.
        if (parsed.AddressFamily == AddressFamily.InterNetwork && text.Count(c => c == '.') != 3)
        {
            return false;
        }

        address = parsed.IsIPv4MappedToIPv6 ? parsed.MapToIPv4() : parsed;
        return true;
    }

    public static bool IsV6(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6;

    /// <summary>net.JoinHostPort: brackets around IPv6 addresses.</summary>
    public static string JoinHostPort(IPAddress address, int port) =>
        IsV6(address) ? $"[{address}]:{port}" : $"{address}:{port}";

    public static bool TryParseCidr(string? text, out Cidr cidr)
    {
        cidr = default;
        var trimmed = text?.Trim() ?? "";
        var slash = trimmed.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0
            || !TryNormalize(trimmed[..slash], out var address)
            || !int.TryParse(trimmed[(slash + 1)..], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var prefix))
        {
            return false;
        }

        var bytes = address.GetAddressBytes();
        if (prefix > bytes.Length * 8)
        {
            return false;
        }

        cidr = new Cidr(new IPAddress(Mask(bytes, prefix)), prefix);
        return true;
    }

    private static byte[] Mask(byte[] bytes, int prefix)
    {
        var masked = (byte[])bytes.Clone();
        for (var i = 0; i < masked.Length; i++)
        {
            var keep = Math.Clamp(prefix - (i * 8), 0, 8);
            masked[i] &= (byte)(0xFF << (8 - keep));
        }

        return masked;
    }

    internal readonly record struct Cidr(IPAddress Network, int Prefix)
    {
        public bool IsV6 => IpText.IsV6(Network);

        public bool Contains(IPAddress address)
        {
            if (address.AddressFamily != Network.AddressFamily)
            {
                return false;
            }

            return Mask(address.GetAddressBytes(), Prefix).AsSpan().SequenceEqual(Network.GetAddressBytes());
        }

        public override string ToString() => $"{Network}/{Prefix}";
    }
}
