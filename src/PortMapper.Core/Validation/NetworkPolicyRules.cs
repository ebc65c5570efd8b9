using System.Net;
using System.Text.Json.Nodes;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>ValidateNetworkPolicy for networking.k8s.io/v1 (pkg/apis/networking/validation), messages as the server writes them.</summary>
internal static class NetworkPolicyRules
{
    private static readonly string[] Protocols = [Model.Protocols.Tcp, Model.Protocols.Udp, Model.Protocols.Sctp];
    private static readonly string[] PolicyTypes = ["Ingress", "Egress"];

    public static void Validate(JsonObject obj, FindingList f)
    {
        var spec = JsonFields.Object(obj, "spec", "spec", f);
        LabelSelectorRules.Validate(JsonFields.Object(spec, "podSelector", "spec.podSelector", f), "spec.podSelector", f);
        Rules(spec, "ingress", "from", f);
        Rules(spec, "egress", "to", f);

        var types = JsonFields.StringList(spec, "policyTypes", "spec.policyTypes", f) ?? [];
        if (types.Length > PolicyTypes.Length)
        {
            f.Invalid("spec.policyTypes", $"[]networking.PolicyType{{{string.Join(", ", types.Select(GoValues.Quote))}}}", "may not specify more than two policyTypes");
            return;
        }

        for (var i = 0; i < types.Length; i++)
        {
            if (!PolicyTypes.Contains(types[i], StringComparer.Ordinal))
            {
                f.NotSupported($"spec.policyTypes[{i}]", types[i], PolicyTypes);
            }
        }
    }

    private static void Rules(JsonObject? spec, string direction, string peersKey, FindingList f)
    {
        foreach (var (rule, rulePath) in JsonFields.ObjectList(spec, direction, $"spec.{direction}", f) ?? [])
        {
            foreach (var (port, portPath) in JsonFields.ObjectList(rule, "ports", $"{rulePath}.ports", f) ?? [])
            {
                Port(port, portPath, f);
            }

            foreach (var (peer, peerPath) in JsonFields.ObjectList(rule, peersKey, $"{rulePath}.{peersKey}", f) ?? [])
            {
                Peer(peer, peerPath, f);
            }
        }
    }

    private static void Port(JsonObject port, string path, FindingList f)
    {
        var protocol = JsonFields.String(port, "protocol", $"{path}.protocol", f);
        if (protocol is not null && !Protocols.Contains(protocol, StringComparer.Ordinal))
        {
            f.NotSupported($"{path}.protocol", protocol, Protocols);
        }

        var number = JsonFields.IntOrString(port, "port", $"{path}.port", f);
        var endPort = JsonFields.Int(port, "endPort", $"{path}.endPort", f);
        if (number is not { } p)
        {
            if (endPort is { } end)
            {
                f.Invalid($"{path}.endPort", end, "may not be specified when `port` is not specified");
            }

            return;
        }

        if (p.Name is { } name)
        {
            if (endPort is { } end)
            {
                f.Invalid($"{path}.endPort", end, "may not be specified when `port` is non-numeric");
            }

            foreach (var msg in KubeFormats.IsValidPortName(name))
            {
                f.InvalidString($"{path}.port", name, msg);
            }

            return;
        }

        var start = p.Number!.Value;
        foreach (var msg in KubeFormats.IsValidPortNum(start))
        {
            f.Invalid($"{path}.port", start, msg);
        }

        if (endPort is { } last)
        {
            if (last < start)
            {
                // The server prints `port`, not endPort, as the invalid value here.
                f.Invalid($"{path}.endPort", start, "must be greater than or equal to `port`");
            }

            foreach (var msg in KubeFormats.IsValidPortNum(last))
            {
                f.Invalid($"{path}.endPort", last, msg);
            }
        }
    }

    private static void Peer(JsonObject peer, string path, FindingList f)
    {
        var count = 0;
        var podSelector = JsonFields.Object(peer, "podSelector", $"{path}.podSelector", f);
        var namespaceSelector = JsonFields.Object(peer, "namespaceSelector", $"{path}.namespaceSelector", f);
        var ipBlock = JsonFields.Object(peer, "ipBlock", $"{path}.ipBlock", f);
        if (podSelector is not null)
        {
            count++;
            LabelSelectorRules.Validate(podSelector, $"{path}.podSelector", f);
        }

        if (namespaceSelector is not null)
        {
            count++;
            LabelSelectorRules.Validate(namespaceSelector, $"{path}.namespaceSelector", f);
        }

        if (ipBlock is not null)
        {
            count++;
            IpBlock(ipBlock, $"{path}.ipBlock", f);
        }

        if (count == 0)
        {
            f.Required(path, "must specify a peer");
        }
        else if (count > 1 && ipBlock is not null)
        {
            f.Forbidden(path, "may not specify both ipBlock and another peer");
        }
    }

    private static void IpBlock(JsonObject block, string path, FindingList f)
    {
        var cidr = JsonFields.String(block, "cidr", $"{path}.cidr", f) ?? "";
        if (cidr.Length == 0)
        {
            f.Required($"{path}.cidr");
            return;
        }

        if (Network.Parse(cidr) is not { } network)
        {
            f.InvalidString($"{path}.cidr", cidr, CidrMessage);
            return;
        }

        var except = JsonFields.StringList(block, "except", $"{path}.except", f) ?? [];
        for (var i = 0; i < except.Length; i++)
        {
            if (Network.Parse(except[i]) is not { } inner)
            {
                f.InvalidString($"{path}.except[{i}]", except[i], CidrMessage);
                continue;
            }

            if (!network.Contains(inner.Address) || network.Bits >= inner.Bits)
            {
                f.InvalidString($"{path}.except[{i}]", except[i], "must be a strict subset of `cidr`");
            }
        }
    }

    private const string CidrMessage = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)";

    /// <summary>A CIDR as ParseCIDRSloppy reads it: the network address (host bits cleared) and the prefix length.</summary>
    private sealed record Network(byte[] Bytes, int Bits)
    {
        public IPAddress Address => new(Bytes);

        public static Network? Parse(string text)
        {
            if (!KubeFormats.IsCidr(text))
            {
                return null;
            }

            var slash = text.IndexOf('/', StringComparison.Ordinal);
            var bytes = KubeFormats.ParseIp(text[..slash])!.GetAddressBytes();
            var bits = int.Parse(text[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture);
            return new Network(Mask(bytes, bits), bits);
        }

        public bool Contains(IPAddress address)
        {
            var other = address.GetAddressBytes();
            return other.Length == Bytes.Length && Mask(other, Bits).AsSpan().SequenceEqual(Bytes);
        }

        private static byte[] Mask(byte[] bytes, int bits)
        {
            var result = (byte[])bytes.Clone();
            for (var i = 0; i < result.Length; i++)
            {
                var keep = Math.Clamp(bits - (i * 8), 0, 8);
                result[i] &= (byte)(0xFF << (8 - keep));
            }

            return result;
        }
    }
}
