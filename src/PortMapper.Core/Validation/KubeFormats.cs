using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;

namespace PortMapper.Core.Validation;

/// <summary>
/// The string formats Kubernetes checks names, ports and addresses against, each returning the API server's own
/// messages (apimachinery pkg/util/validation). An empty list means the value is valid.
/// </summary>
internal static partial class KubeFormats
{
    private const string Dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1123LabelErrMsg = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
    private const string Dns1123SubdomainFmt = Dns1123LabelFmt + "(\\." + Dns1123LabelFmt + ")*";
    private const string Dns1123SubdomainErrMsg = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
    private const string Dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
    private const string Dns1035LabelErrMsg = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
    private const string WildcardSubdomainFmt = "\\*\\." + Dns1123SubdomainFmt;
    private const string WildcardSubdomainErrMsg = "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";
    private const string QualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
    private const string LabelValueErrMsg = "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
    private const string QualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

    public const int Dns1123LabelMaxLength = 63;
    public const int Dns1123SubdomainMaxLength = 253;

    public static List<string> IsDns1123Label(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > Dns1123LabelMaxLength)
        {
            errs.Add(MaxLenError(Dns1123LabelMaxLength));
        }

        if (!Dns1123Label().IsMatch(value))
        {
            // A valid subdomain that is not a valid label can only be wrong because of its dots.
            errs.Add(Dns1123Subdomain().IsMatch(value) ? "must not contain dots" : RegexError(Dns1123LabelErrMsg, Dns1123LabelFmt, "my-name", "123-abc"));
        }

        return errs;
    }

    public static List<string> IsDns1123Subdomain(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > Dns1123SubdomainMaxLength)
        {
            errs.Add(MaxLenError(Dns1123SubdomainMaxLength));
        }

        if (!Dns1123Subdomain().IsMatch(value))
        {
            errs.Add(RegexError(Dns1123SubdomainErrMsg, Dns1123SubdomainFmt, "example.com"));
        }

        return errs;
    }

    public static List<string> IsDns1035Label(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > Dns1123LabelMaxLength)
        {
            errs.Add(MaxLenError(Dns1123LabelMaxLength));
        }

        if (!Dns1035Label().IsMatch(value))
        {
            errs.Add(RegexError(Dns1035LabelErrMsg, Dns1035LabelFmt, "my-name", "abc-123"));
        }

        return errs;
    }

    public static List<string> IsWildcardDns1123Subdomain(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > Dns1123SubdomainMaxLength)
        {
            errs.Add(MaxLenError(Dns1123SubdomainMaxLength));
        }

        if (!WildcardSubdomain().IsMatch(value))
        {
            errs.Add(RegexError(WildcardSubdomainErrMsg, WildcardSubdomainFmt, "*.example.com"));
        }

        return errs;
    }

    /// <summary>IANA_SVC_NAME: what container port names and named targetPorts must be.</summary>
    public static List<string> IsValidPortName(string port)
    {
        var errs = new List<string>();
        if (ByteLength(port) > 15)
        {
            errs.Add(MaxLenError(15));
        }

        if (!PortNameCharset().IsMatch(port))
        {
            errs.Add("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
        }

        if (!port.Any(c => c is >= 'a' and <= 'z'))
        {
            errs.Add("must contain at least one letter (a-z)");
        }

        if (port.Contains("--", StringComparison.Ordinal))
        {
            errs.Add("must not contain consecutive hyphens");
        }

        if (port.Length > 0 && (port[0] == '-' || port[^1] == '-'))
        {
            errs.Add("must not begin or end with a hyphen");
        }

        return errs;
    }

    public static List<string> IsValidPortNum(long port) => port is >= 1 and <= 65535 ? [] : [InclusiveRangeError(1, 65535)];

    /// <summary>A "qualified name" (label key syntax), as appProtocol must be (v1.32 wording).</summary>
    public static List<string> IsQualifiedName(string value)
    {
        var errs = new List<string>();
        var parts = value.Split('/');
        string name;
        switch (parts.Length)
        {
            case 1:
                name = parts[0];
                break;
            case 2:
                name = parts[1];
                if (parts[0].Length == 0)
                {
                    errs.Add("prefix part must be non-empty");
                }
                else
                {
                    errs.AddRange(IsDns1123Subdomain(parts[0]).Select(m => "prefix part " + m));
                }

                break;
            default:
                return ["a qualified name " + RegexError(QualifiedNameErrMsg, QualifiedNameFmt, "MyName", "my.name", "123-abc") +
                        " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"];
        }

        if (name.Length == 0)
        {
            errs.Add("name part must be non-empty");
        }
        else if (ByteLength(name) > 63)
        {
            errs.Add("name part " + MaxLenError(63));
        }

        if (!QualifiedName().IsMatch(name))
        {
            errs.Add("name part " + RegexError(QualifiedNameErrMsg, QualifiedNameFmt, "MyName", "my.name", "123-abc"));
        }

        return errs;
    }

    /// <summary>A label value: empty, or a qualified name's name part of at most 63 characters (IsValidLabelValue).</summary>
    public static List<string> IsValidLabelValue(string value)
    {
        var errs = new List<string>();
        if (ByteLength(value) > 63)
        {
            errs.Add(MaxLenError(63));
        }

        if (value.Length > 0 && !QualifiedName().IsMatch(value))
        {
            errs.Add(RegexError(LabelValueErrMsg, "(" + QualifiedNameFmt + ")?", "MyValue", "my_value", "12345"));
        }

        return errs;
    }

    /// <summary>What a name used as one segment of a URL path may not be (Ingress resource backends).</summary>
    public static List<string> IsPathSegmentName(string name)
    {
        if (name is "." or "..")
        {
            return [$"may not be '{name}'"];
        }

        var errs = new List<string>();
        foreach (var illegal in new[] { "/", "%" })
        {
            if (name.Contains(illegal, StringComparison.Ordinal))
            {
                errs.Add($"may not contain '{illegal}'");
            }
        }

        return errs;
    }

    public static string RegexError(string msg, string fmt, params string[] examples)
    {
        if (examples.Length == 0)
        {
            return $"{msg} (regex used for validation is '{fmt}')";
        }

        var sb = new StringBuilder(msg).Append(" (e.g. ");
        for (var i = 0; i < examples.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(" or ");
            }

            sb.Append('\'').Append(examples[i]).Append("', ");
        }

        return sb.Append("regex used for validation is '").Append(fmt).Append("')").ToString();
    }

    public static string MaxLenError(int length) => $"must be no more than {length} characters";

    public static string InclusiveRangeError(int lo, int hi) => $"must be between {lo} and {hi}, inclusive";

    /// <summary>
    /// Parses an IP address as Kubernetes' ParseIPSloppy does: dotted-quad IPv4 (leading zeros allowed) or IPv6,
    /// without zones, brackets or the short IPv4 forms .NET would otherwise accept. IPv4-mapped IPv6 counts as IPv4.
    /// </summary>
    public static IPAddress? ParseIp(string value)
    {
        if (value.Contains(':', StringComparison.Ordinal))
        {
            if (value.AsSpan().IndexOfAny("%[]/ ") >= 0 || !IPAddress.TryParse(value, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return null;
            }

            return v6.IsIPv4MappedToIPv6 ? v6.MapToIPv4() : v6;
        }

        var parts = value.Split('.');
        if (parts.Length != 4)
        {
            return null;
        }

        var bytes = new byte[4];
        for (var i = 0; i < 4; i++)
        {
            if (parts[i].Length == 0 || parts[i].AsSpan().IndexOfAnyExceptInRange('0', '9') >= 0
                || !int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b > 255)
            {
                return null;
            }

            bytes[i] = (byte)b;
        }

        return new IPAddress(bytes);
    }

    /// <summary>True for a CIDR Kubernetes' ParseCIDRSloppy accepts.</summary>
    public static bool IsCidr(string value)
    {
        var slash = value.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0 || ParseIp(value[..slash]) is null)
        {
            return false;
        }

        var mask = value[(slash + 1)..];
        var bits = value[..slash].Contains(':', StringComparison.Ordinal) ? 128 : 32;
        return mask.Length > 0 && mask.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0
            && int.TryParse(mask, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= bits;
    }

    /// <summary>The messages of ValidateNonSpecialIP, used for externalIPs.</summary>
    public static List<string> NonSpecialIpErrors(string text, IPAddress ip)
    {
        var errs = new List<string>();
        var b = ip.GetAddressBytes();
        var v4 = ip.AddressFamily == AddressFamily.InterNetwork;
        if (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
        {
            errs.Add($"may not be unspecified ({text})");
        }

        if (IPAddress.IsLoopback(ip))
        {
            errs.Add("may not be in the loopback range (127.0.0.0/8, ::1/128)");
        }

        if (v4 ? b[0] == 169 && b[1] == 254 : ip.IsIPv6LinkLocal)
        {
            errs.Add("may not be in the link-local range (169.254.0.0/16, fe80::/10)");
        }

        if (v4 ? b[0] == 224 && b[1] == 0 && b[2] == 0 : b[0] == 0xff && (b[1] & 0x0f) == 0x02)
        {
            errs.Add("may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)");
        }

        return errs;
    }

    /// <summary>Go's len(): the length in UTF-8 bytes.</summary>
    private static int ByteLength(string s) => Encoding.UTF8.GetByteCount(s);

    // \z, not $: .NET's $ also matches before a final newline, Go's does not.
    [GeneratedRegex("^(?:" + Dns1123LabelFmt + @")\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Label();

    [GeneratedRegex("^(?:" + Dns1123SubdomainFmt + @")\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1123Subdomain();

    [GeneratedRegex("^(?:" + Dns1035LabelFmt + @")\z", RegexOptions.CultureInvariant)]
    private static partial Regex Dns1035Label();

    [GeneratedRegex("^(?:" + WildcardSubdomainFmt + @")\z", RegexOptions.CultureInvariant)]
    private static partial Regex WildcardSubdomain();

    [GeneratedRegex("^(?:" + QualifiedNameFmt + @")\z", RegexOptions.CultureInvariant)]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"^[-a-z0-9]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex PortNameCharset();
}
