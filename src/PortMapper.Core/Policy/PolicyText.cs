using System.Globalization;
using PortMapper.Core.Model;

namespace PortMapper.Core.Policy;

/// <summary>NetworkPolicy selectors and rules in words, for side panels and the designer's what-if.</summary>
public static class PolicyText
{
    /// <summary><c>app=web, tier in (fe, be)</c>; "every pod" (or <paramref name="empty"/>) for an empty selector.</summary>
    public static string Selector(LabelSelector selector, string empty = "every pod")
    {
        var parts = selector.MatchLabels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key}={kv.Value}")
            .Concat(selector.MatchExpressions.Select(e => e.Operator switch
            {
                "In" => $"{e.Key} in ({string.Join(", ", e.Values)})",
                "NotIn" => $"{e.Key} not in ({string.Join(", ", e.Values)})",
                "Exists" => e.Key,
                "DoesNotExist" => $"!{e.Key}",
                _ => $"{e.Key} {e.Operator} ({string.Join(", ", e.Values)})",
            }))
            .ToList();
        return parts.Count == 0 ? empty : string.Join(", ", parts);
    }

    /// <summary>"spec.ingress[0]: from pods app=web of this namespace, on port grpc/TCP".</summary>
    public static string Rule(NetworkPolicy policy, string direction, int index)
    {
        var ingress = direction == PolicyTypes.Ingress;
        var rule = (ingress ? policy.Ingress : policy.Egress)[index];
        var peers = rule.Peers.IsDefaultOrEmpty
            ? ingress ? "from every source" : "to every destination"
            : (ingress ? "from " : "to ") + string.Join("; or ", rule.Peers.Select(Peer));
        var ports = rule.Ports.IsDefaultOrEmpty ? "on every port" : "on " + string.Join(", ", rule.Ports.Select(Port));
        return $"spec.{direction.ToLowerInvariant()}[{index.ToString(CultureInfo.InvariantCulture)}]: {peers}, {ports}";
    }

    /// <summary>Every rule of one direction; for an isolating policy without rules, that it admits nothing.</summary>
    public static IEnumerable<string> Rules(NetworkPolicy policy, string direction)
    {
        var rules = direction == PolicyTypes.Ingress ? policy.Ingress : policy.Egress;
        var isolates = direction == PolicyTypes.Ingress ? policy.IsolatesIngress : policy.IsolatesEgress;
        if (!isolates)
        {
            yield break;
        }

        if (rules.IsDefaultOrEmpty)
        {
            yield return direction == PolicyTypes.Ingress
                ? "no ingress rule: it admits nothing by itself (other policies selecting the same pods may)"
                : "no egress rule: it admits nothing by itself (other policies selecting the same pods may)";
            yield break;
        }

        for (var i = 0; i < rules.Length; i++)
        {
            yield return Rule(policy, direction, i);
        }
    }

    private static string Peer(NetworkPolicyPeer peer)
    {
        if (peer.IpBlock is { } block)
        {
            return block.Except.IsDefaultOrEmpty ? $"addresses {block.Cidr}" : $"addresses {block.Cidr} except {string.Join(", ", block.Except)}";
        }

        var pods = peer.PodSelector is { } p ? $"pods {Selector(p, "(all)")}" : "every pod";
        var namespaces = peer.NamespaceSelector is { } n ? $"of namespaces {Selector(n, "(all)")}" : "of this namespace";
        return $"{pods} {namespaces}";
    }

    private static string Port(NetworkPolicyPort port) =>
        port.Port is null ? $"every {port.Protocol} port"
        : port.EndPort is { } end ? $"ports {port.Port}-{end.ToString(CultureInfo.InvariantCulture)}/{port.Protocol}"
        : $"port {port.Port}/{port.Protocol}";
}
