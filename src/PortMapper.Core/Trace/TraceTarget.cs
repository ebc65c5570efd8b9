using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using PortMapper.Core.Model;

namespace PortMapper.Core.Trace;

/// <summary>What a traced request is sent to: an address and port, a Service's cluster DNS name, or an Ingress URL.</summary>
public abstract record TraceTarget
{
    public const string AcceptedForms =
        "ip:port[/protocol] (IPv4), [ipv6]:port[/protocol], <service>.<namespace>[.svc[.cluster.local]]:port[/protocol] (port may be a Service port name), http(s)://host[:port]/path";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Parses a target. Every failure names what was given and what is accepted.</summary>
    public static bool TryParse(string? text, [NotNullWhen(true)] out TraceTarget? target, [NotNullWhen(false)] out string? error)
    {
        target = null;
        var t = text?.Trim() ?? "";
        if (t.Length == 0)
        {
            error = $"No trace target given. Accepted targets: {AcceptedForms}.";
            return false;
        }

        var scheme = t.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            error = IngressUrlTarget.Parse(t, scheme, out var url);
            target = url;
            return error is null;
        }

        error = ParseHostPort(t, out target);
        return error is null;
    }

    internal static string Bad(string given, string problem) => $"\"{given}\" {problem}. Accepted targets: {AcceptedForms}.";

    /// <summary>"ip:port" for IPv4 and names, "[ip]:port" for IPv6 (Go's net.JoinHostPort, which kube-proxy uses).</summary>
    internal static string JoinHostPort(string host, int port) =>
        (host.Contains(':', StringComparison.Ordinal) ? $"[{host}]" : host) + ":" + port.ToString(Inv);

    private static string? ParseHostPort(string t, out TraceTarget? target)
    {
        target = null;
        string? protocol = null;
        var rest = t;
        var slash = t.LastIndexOf('/');
        if (slash >= 0)
        {
            var p = t[(slash + 1)..];
            protocol = p.ToUpperInvariant() switch
            {
                "TCP" => Protocols.Tcp,
                "UDP" => Protocols.Udp,
                "SCTP" => Protocols.Sctp,
                _ => null,
            };
            if (protocol is null)
            {
                return Bad(t, $"has the protocol \"{p}\": use tcp, udp or sctp after the port (tcp when left out), or write a URL as http://host/path");
            }

            rest = t[..slash];
        }

        string host;
        string portText;
        if (rest.StartsWith('['))
        {
            var close = rest.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || close + 1 >= rest.Length || rest[close + 1] != ':')
            {
                return Bad(t, "is not [ipv6]:port: write the port after the closing bracket, for example [fd00::1]:80");
            }

            host = rest[1..close];
            portText = rest[(close + 2)..];
            if (!IPAddress.TryParse(host, out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return Bad(t, $"has \"{host}\" in brackets, which is not an IPv6 address");
            }

            host = v6.ToString();
        }
        else
        {
            var colon = rest.LastIndexOf(':');
            if (colon < 0)
            {
                return Bad(t, "has no port: add one, for example " + (rest.Length == 0 ? "10.96.0.10" : rest) + ":80");
            }

            if (rest.IndexOf(':', StringComparison.Ordinal) != colon)
            {
                return Bad(t, "has more than one ':': put an IPv6 address in brackets, for example [fd00::1]:80");
            }

            host = rest[..colon];
            portText = rest[(colon + 1)..];
            if (host.Length == 0)
            {
                return Bad(t, "has no address or name before the port");
            }
        }

        if (portText.Length == 0)
        {
            return Bad(t, "has no port after the ':'");
        }

        var isIp = IsIpv4Shape(host) || host.Contains(':', StringComparison.Ordinal);
        if (portText.All(char.IsAsciiDigit))
        {
            if (!int.TryParse(portText, NumberStyles.None, Inv, out var number) || number is < 1 or > 65535)
            {
                return Bad(t, $"has the port {portText}, which is not between 1 and 65535");
            }

            if (isIp)
            {
                if (!host.Contains(':', StringComparison.Ordinal) && !IsIpv4(host))
                {
                    return Bad(t, $"has \"{host}\", which is not an IPv4 address (four numbers 0-255 separated by dots)");
                }

                target = new AddressTarget(host, number, protocol ?? Protocols.Tcp);
                return null;
            }

            return ServiceNameTarget.Parse(t, host, IntOrName.FromNumber(number), protocol, out target);
        }

        if (isIp)
        {
            return Bad(t, $"has the port \"{portText}\": after an IP address the port must be a number (port names work only with Service names)");
        }

        if (!IsPortName(portText))
        {
            return Bad(t, $"has the port \"{portText}\", which is neither a number nor a Service port name (lowercase letters, digits and '-')");
        }

        return ServiceNameTarget.Parse(t, host, IntOrName.FromName(portText), protocol, out target);
    }

    private static bool IsIpv4Shape(string host) => host.All(c => char.IsAsciiDigit(c) || c == '.');

    private static bool IsIpv4(string host)
    {
        var parts = host.Split('.');
        // Leading zeros are refused, as Go's net.ParseIP does: some parsers read them as octal.
        return parts.Length == 4 && parts.All(p => p.Length is >= 1 and <= 3 && (p.Length == 1 || p[0] != '0') && int.Parse(p, Inv) <= 255);
    }

    private static bool IsPortName(string name) =>
        name.Length <= 63 && name.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && name.Any(char.IsAsciiLetterLower) && name[0] != '-' && name[^1] != '-';

    internal static bool IsDnsLabel(string label) =>
        label.Length is >= 1 and <= 63 && label.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-') && label[0] != '-' && label[^1] != '-';
}

/// <summary>An IP address and port. <see cref="Ip"/> is in canonical form (IPv6 compressed, lowercase).</summary>
public sealed record AddressTarget(string Ip, int Port, string Protocol) : TraceTarget
{
    public override string ToString() => $"{JoinHostPort(Ip, Port)}/{Protocol.ToLowerInvariant()}";
}

/// <summary>A Service's cluster DNS name and port (number or Service port name). <see cref="Protocol"/> is null when not given.</summary>
public sealed record ServiceNameTarget(string Service, string Namespace, IntOrName Port, string? Protocol) : TraceTarget
{
    public string Fqdn => $"{Service}.{Namespace}.svc.cluster.local";

    public override string ToString() => $"{Fqdn}:{Port}" + (Protocol is null ? "" : "/" + Protocol.ToLowerInvariant());

    internal static string? Parse(string given, string host, IntOrName port, string? protocol, out TraceTarget? target)
    {
        target = null;
        var name = host.ToLowerInvariant();
        if (name.EndsWith('.'))
        {
            name = name[..^1];
        }

        var labels = name.Split('.');
        var ok = labels.Length == 2
            || (labels.Length == 3 && labels[2] == "svc")
            || (labels.Length == 5 && labels[2] == "svc" && labels[3] == "cluster" && labels[4] == "local");
        if (labels.Length == 1)
        {
            return Bad(given, $"names \"{host}\" without a namespace: write <service>.<namespace>, for example {name}.default:{port}");
        }

        if (!ok)
        {
            return Bad(given, $"has the name \"{host}\", which is not a Service name: write <service>.<namespace>, <service>.<namespace>.svc or <service>.<namespace>.svc.cluster.local (PortMapper assumes the cluster domain cluster.local and traces only names of Services in the cluster)");
        }

        if (!IsDnsLabel(labels[0]) || !char.IsAsciiLetterLower(labels[0][0]))
        {
            return Bad(given, $"names the Service \"{labels[0]}\", which is not a valid Service name (lowercase letters, digits and '-', starting with a letter)");
        }

        if (!IsDnsLabel(labels[1]))
        {
            return Bad(given, $"names the namespace \"{labels[1]}\", which is not a valid namespace name (lowercase letters, digits and '-')");
        }

        target = new ServiceNameTarget(labels[0], labels[1], port, protocol);
        return null;
    }
}

/// <summary>An http or https URL sent to an Ingress controller. <see cref="Path"/> excludes the query and fragment.</summary>
public sealed record IngressUrlTarget(bool Https, string Host, int Port, string Path) : TraceTarget
{
    public string Scheme => Https ? "https" : "http";

    public bool DefaultPort => Port == (Https ? 443 : 80);

    public override string ToString() => $"{Scheme}://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}{(DefaultPort ? "" : ":" + Port.ToString(CultureInfo.InvariantCulture))}{Path}";

    internal static string? Parse(string given, int schemeEnd, out IngressUrlTarget? target)
    {
        target = null;
        var scheme = given[..schemeEnd].ToLowerInvariant();
        if (scheme is not ("http" or "https"))
        {
            return Bad(given, $"uses the scheme \"{given[..schemeEnd]}\": only http:// and https:// URLs are traced (through Ingress rules)");
        }

        var rest = given[(schemeEnd + 3)..];
        var end = rest.IndexOfAny(['/', '?', '#']);
        var authority = end < 0 ? rest : rest[..end];
        var path = end < 0 || rest[end] != '/' ? "/" : rest[end..];
        var cut = path.IndexOfAny(['?', '#']);
        if (cut >= 0)
        {
            path = path[..cut];
        }

        if (authority.Contains('@', StringComparison.Ordinal))
        {
            return Bad(given, "has user information before the host: leave it out (write http://host/path)");
        }

        string host;
        var portText = "";
        if (authority.StartsWith('['))
        {
            var close = authority.IndexOf(']', StringComparison.Ordinal);
            if (close < 0 || !IPAddress.TryParse(authority[1..close], out var v6) || v6.AddressFamily != AddressFamily.InterNetworkV6)
            {
                return Bad(given, "has a bracketed host that is not an IPv6 address");
            }

            host = v6.ToString();
            if (close + 1 < authority.Length)
            {
                if (authority[close + 1] != ':')
                {
                    return Bad(given, "has text after the IPv6 address that is not :port");
                }

                portText = authority[(close + 2)..];
                if (portText.Length == 0)
                {
                    return Bad(given, "has no port after the ':'");
                }
            }
        }
        else
        {
            var colon = authority.IndexOf(':', StringComparison.Ordinal);
            host = (colon < 0 ? authority : authority[..colon]).ToLowerInvariant();
            if (colon >= 0)
            {
                portText = authority[(colon + 1)..];
                if (portText.Length == 0)
                {
                    return Bad(given, "has no port after the ':'");
                }
            }

            if (host.EndsWith('.'))
            {
                host = host[..^1];
            }

            if (host.Length == 0)
            {
                return Bad(given, "has no host: write http://host/path, for example http://shop.example.com/cart");
            }

            if (host.Length > 253 || !host.Split('.').All(IsDnsLabel))
            {
                return Bad(given, $"has the host \"{host}\", which is not a DNS name or IP address");
            }
        }

        var port = scheme == "https" ? 443 : 80;
        if (portText.Length > 0 && (!portText.All(char.IsAsciiDigit) || !int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65535))
        {
            return Bad(given, $"has the port \"{portText}\", which is not a number between 1 and 65535");
        }

        target = new IngressUrlTarget(scheme == "https", host, port, path);
        return null;
    }
}
