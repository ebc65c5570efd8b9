using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;

namespace PortMapper.Core.Loading;

/// <summary>
/// NetworkPolicy (networking.k8s.io/v1) and ClusterNetworkPolicy (policy.networking.k8s.io). Values the API server
/// would refuse are reported with the field path and the API server's wording, and kept as written where the model
/// can hold them (an unknown protocol then simply matches no packet).
/// </summary>
public sealed partial class ModelReader
{
    public const string ClusterNetworkPolicyGroup = "policy.networking.k8s.io";

    private static bool IsPolicyKind(string kind) => kind is "NetworkPolicy" or "ClusterNetworkPolicy";

    /// <summary>
    /// <see cref="IsModelled(string)"/>, plus ClusterNetworkPolicy of policy.networking.k8s.io: the kind alone cannot
    /// tell it from a network plugin's kind of the same name in another group (Antrea's crd.antrea.io), which is not
    /// modelled. And the Gateway API kinds of gateway.networking.k8s.io.
    /// </summary>
    public static bool IsModelled(string kind, string apiVersion) =>
        IsModelled(kind) || (kind == "ClusterNetworkPolicy" && apiVersion.StartsWith(ClusterNetworkPolicyGroup + "/", StringComparison.Ordinal))
        || (kind == "ServiceCIDR" && apiVersion.StartsWith("networking.k8s.io/", StringComparison.Ordinal))
        || IsGatewayApi(kind, apiVersion);

    private IKubeObject? ReadPolicy(JsonObject obj, string kind, ObjectMeta meta)
    {
        if (kind == "NetworkPolicy")
        {
            return ReadNetworkPolicy(obj, meta);
        }

        var apiVersion = obj["apiVersion"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : "";
        return IsModelled(kind, apiVersion) ? ReadClusterNetworkPolicy(obj, meta with { Namespace = "" }) : null;
    }

    private NetworkPolicy ReadNetworkPolicy(JsonObject obj, ObjectMeta meta)
    {
        var spec = Obj(obj, "spec", "spec");
        var podSelector = Obj(spec, "podSelector", "spec.podSelector");
        var types = StrArr(spec, "policyTypes", "spec.policyTypes");
        for (var i = 0; i < types.Length; i++)
        {
            if (!PolicyTypes.Supported.Contains(types[i]))
            {
                Issue($"spec.policyTypes[{i}]", Unsupported(types[i], PolicyTypes.Supported));
            }
        }

        return new NetworkPolicy(meta)
        {
            PodSelector = podSelector is null ? LabelSelector.Empty : ReadPolicySelector(podSelector, "spec.podSelector"),
            PolicyTypes = types,
            Ingress = ReadPolicyRules(spec, "ingress", "from"),
            Egress = ReadPolicyRules(spec, "egress", "to"),
        };
    }

    private ImmutableArray<NetworkPolicyRule> ReadPolicyRules(JsonObject? spec, string direction, string peersKey) =>
        Arr(spec, direction, $"spec.{direction}").Select((r, i) =>
        {
            var path = $"spec.{direction}[{i}]";
            var peers = Arr(r, peersKey, $"{path}.{peersKey}").Select((p, j) => ReadPeer(p, $"{path}.{peersKey}[{j}]")).ToImmutableArray();
            var ports = Arr(r, "ports", $"{path}.ports").Select((p, j) => ReadPolicyPort(p, $"{path}.ports[{j}]")).ToImmutableArray();
            return new NetworkPolicyRule(peers, ports);
        }).ToImmutableArray();

    private NetworkPolicyPeer ReadPeer(JsonObject peer, string path)
    {
        var pods = Obj(peer, "podSelector", $"{path}.podSelector");
        var namespaces = Obj(peer, "namespaceSelector", $"{path}.namespaceSelector");
        var ipBlock = Obj(peer, "ipBlock", $"{path}.ipBlock");
        if (pods is null && namespaces is null && ipBlock is null)
        {
            Issue(path, "Required value: must specify a peer");
        }
        else if (ipBlock is not null && (pods is not null || namespaces is not null))
        {
            Issue(path, "Forbidden: may not specify more than 1 peer type");
        }

        return new NetworkPolicyPeer(
            pods is null ? null : ReadPolicySelector(pods, $"{path}.podSelector"),
            namespaces is null ? null : ReadPolicySelector(namespaces, $"{path}.namespaceSelector"),
            ipBlock is null ? null : ReadIpBlock(ipBlock, $"{path}.ipBlock"));
    }

    private IpBlock ReadIpBlock(JsonObject block, string path)
    {
        var cidr = Str(block, "cidr", $"{path}.cidr") ?? "";
        var except = StrArr(block, "except", $"{path}.except");
        if (cidr.Length == 0)
        {
            Issue($"{path}.cidr", "Required value");
            return new IpBlock(cidr, except);
        }

        if (!IPNetwork.TryParse(cidr, out var network))
        {
            Issue($"{path}.cidr", $"Invalid value: \"{cidr}\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
            return new IpBlock(cidr, except);
        }

        for (var i = 0; i < except.Length; i++)
        {
            if (!IPNetwork.TryParse(except[i], out var inner))
            {
                Issue($"{path}.except[{i}]", $"Invalid value: \"{except[i]}\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
            }
            else if (inner.PrefixLength <= network.PrefixLength || !network.Contains(inner.BaseAddress))
            {
                Issue($"{path}.except[{i}]", $"Invalid value: \"{except[i]}\": must be a strict subset of `cidr`");
            }
        }

        return new IpBlock(cidr, except);
    }

    private NetworkPolicyPort ReadPolicyPort(JsonObject p, string path)
    {
        var protocol = Str(p, "protocol", $"{path}.protocol") ?? Protocols.Tcp;
        if (!Protocols.Supported.Contains(protocol))
        {
            Issue($"{path}.protocol", Unsupported(protocol, Protocols.Supported));
        }

        var port = IntOrStr(p, "port", $"{path}.port");
        var endPort = Int(p, "endPort", $"{path}.endPort");
        if (port is { IsName: false, Number: { } n } && n is < 1 or > 65535)
        {
            Issue($"{path}.port", $"Invalid value: {n}: must be between 1 and 65535, inclusive");
        }
        else if (port is { IsName: true, Name: { } name } && KubeFormats.IsValidPortName(name) is { Count: > 0 } problems)
        {
            Issue($"{path}.port", $"Invalid value: \"{name}\": {string.Join(", ", problems)}");
        }

        if (endPort is { } end)
        {
            if (port is null)
            {
                Issue($"{path}.port", "Required value: must be specified when endPort is specified");
            }
            else if (port.Value.IsName)
            {
                Issue($"{path}.endPort", $"Invalid value: {end}: may not be specified when `port` is non-numeric");
            }
            else if (end < port.Value.Number)
            {
                Issue($"{path}.endPort", $"Invalid value: {end}: must be greater than or equal to `port`");
            }
            else if (end > 65535)
            {
                Issue($"{path}.endPort", $"Invalid value: {end}: must be between 1 and 65535, inclusive");
            }
        }

        return new NetworkPolicyPort(protocol, port, endPort);
    }

    private ClusterNetworkPolicy ReadClusterNetworkPolicy(JsonObject obj, ObjectMeta meta)
    {
        var spec = Obj(obj, "spec", "spec");
        var tier = Str(spec, "tier", "spec.tier");
        if (tier is null)
        {
            Issue("spec.tier", "Required value");
        }
        else if (!PolicyTiers.Supported.Contains(tier))
        {
            Issue("spec.tier", Unsupported(tier, PolicyTiers.Supported));
        }

        var priority = Int(spec, "priority", "spec.priority");
        if (priority is null)
        {
            Issue("spec.priority", "Required value");
        }
        else if (priority is < 0 or > 1000)
        {
            Issue("spec.priority", $"Invalid value: {priority}: should be between 0 and 1000, inclusive");
        }

        var subject = Obj(spec, "subject", "spec.subject");
        ClusterPodSelector? selected = null;
        if (subject is null)
        {
            Issue("spec.subject", "Required value");
        }
        else
        {
            var peer = ReadClusterPeer(subject, "spec.subject", allowNetworks: false);
            selected = peer.Pods;
            if (selected is null)
            {
                Issue("spec.subject", "Required value: exactly one of namespaces or pods must be set; the policy selects no pod");
            }
        }

        return new ClusterNetworkPolicy(meta)
        {
            Tier = tier ?? PolicyTiers.Admin,
            Priority = priority ?? 0,
            Subject = selected,
            Ingress = ReadClusterRules(spec, "ingress", "from"),
            Egress = ReadClusterRules(spec, "egress", "to"),
        };
    }

    private ImmutableArray<ClusterNetworkPolicyRule> ReadClusterRules(JsonObject? spec, string direction, string peersKey) =>
        Arr(spec, direction, $"spec.{direction}").Select((r, i) =>
        {
            var path = $"spec.{direction}[{i}]";
            var action = Str(r, "action", $"{path}.action");
            if (action is null)
            {
                Issue($"{path}.action", "Required value");
            }
            else if (!PolicyActions.Supported.Contains(action))
            {
                Issue($"{path}.action", Unsupported(action, PolicyActions.Supported));
            }

            var peers = Arr(r, peersKey, $"{path}.{peersKey}");
            if (peers.Count == 0)
            {
                Issue($"{path}.{peersKey}", "Required value: must contain at least 1 item");
            }

            var ports = r["protocols"] is not null
                ? Arr(r, "protocols", $"{path}.protocols").SelectMany((p, j) => ReadClusterProtocol(p, $"{path}.protocols[{j}]"))
                : Arr(r, "ports", $"{path}.ports").SelectMany((p, j) => ReadClusterPortV1Alpha2(p, $"{path}.ports[{j}]"));
            return new ClusterNetworkPolicyRule(
                Str(r, "name", $"{path}.name"),
                action ?? "",
                peers.Select((p, j) => ReadClusterPeer(p, $"{path}.{peersKey}[{j}]", allowNetworks: direction == "egress")).ToImmutableArray(),
                ports.ToImmutableArray());
        }).ToImmutableArray();

    private ClusterPolicyPeer ReadClusterPeer(JsonObject peer, string path, bool allowNetworks)
    {
        var namespaces = Obj(peer, "namespaces", $"{path}.namespaces");
        var pods = Obj(peer, "pods", $"{path}.pods");
        var networks = allowNetworks ? StrArr(peer, "networks", $"{path}.networks") : [];
        var nodes = allowNetworks ? Obj(peer, "nodes", $"{path}.nodes") : null;
        var set = (namespaces is null ? 0 : 1) + (pods is null ? 0 : 1) + (networks.IsEmpty ? 0 : 1) + (nodes is null ? 0 : 1);
        if (set > 1)
        {
            Issue(path, $"Too many: {set}: must have at most 1 items");
        }

        for (var i = 0; i < networks.Length; i++)
        {
            if (!IPNetwork.TryParse(networks[i], out _))
            {
                Issue($"{path}.networks[{i}]", $"Invalid value: \"{networks[i]}\": Invalid CIDR format provided");
            }
        }

        ClusterPodSelector? selector = null;
        if (pods is not null)
        {
            var ns = Obj(pods, "namespaceSelector", $"{path}.pods.namespaceSelector");
            var ps = Obj(pods, "podSelector", $"{path}.pods.podSelector");
            if (ps is null)
            {
                Issue($"{path}.pods.podSelector", "Required value");
            }

            selector = new ClusterPodSelector(
                ns is null ? LabelSelector.Empty : ReadPolicySelector(ns, $"{path}.pods.namespaceSelector"),
                ps is null ? LabelSelector.Empty : ReadPolicySelector(ps, $"{path}.pods.podSelector"));
        }
        else if (namespaces is not null)
        {
            selector = new ClusterPodSelector(ReadPolicySelector(namespaces, $"{path}.namespaces"), null);
        }

        return new ClusterPolicyPeer(selector, networks, nodes is null ? null : ReadPolicySelector(nodes, $"{path}.nodes"));
    }

    /// <summary>v1beta1: <c>{tcp|udp|sctp: {destinationPort: {number | range: {start, end}}}}</c> or <c>{destinationNamedPort}</c>.</summary>
    private IEnumerable<ClusterPolicyPort> ReadClusterProtocol(JsonObject p, string path)
    {
        if (Str(p, "destinationNamedPort", $"{path}.destinationNamedPort") is { } named)
        {
            yield return new ClusterPolicyPort(null, null, null, named);
        }

        foreach (var (key, protocol) in new[] { ("tcp", Protocols.Tcp), ("udp", Protocols.Udp), ("sctp", Protocols.Sctp) })
        {
            if (Obj(p, key, $"{path}.{key}") is not { } proto)
            {
                continue;
            }

            var dest = Obj(proto, "destinationPort", $"{path}.{key}.destinationPort");
            var range = Obj(dest, "range", $"{path}.{key}.destinationPort.range");
            if (range is not null)
            {
                yield return ReadRange(protocol, range, "start", "end", $"{path}.{key}.destinationPort.range");
            }
            else
            {
                var number = Int(dest, "number", $"{path}.{key}.destinationPort.number");
                yield return new ClusterPolicyPort(protocol, CheckPort(number, $"{path}.{key}.destinationPort.number"), null, null);
            }
        }
    }

    /// <summary>v1alpha2: <c>{portNumber: {protocol, port}}</c>, <c>{namedPort}</c> or <c>{portRange: {protocol, start, end}}</c>.</summary>
    private IEnumerable<ClusterPolicyPort> ReadClusterPortV1Alpha2(JsonObject p, string path)
    {
        if (Str(p, "namedPort", $"{path}.namedPort") is { } named)
        {
            yield return new ClusterPolicyPort(null, null, null, named);
        }

        if (Obj(p, "portNumber", $"{path}.portNumber") is { } number)
        {
            var protocol = ClusterProtocol(number, $"{path}.portNumber.protocol");
            yield return new ClusterPolicyPort(protocol, CheckPort(Int(number, "port", $"{path}.portNumber.port"), $"{path}.portNumber.port"), null, null);
        }

        if (Obj(p, "portRange", $"{path}.portRange") is { } range)
        {
            yield return ReadRange(ClusterProtocol(range, $"{path}.portRange.protocol"), range, "start", "end", $"{path}.portRange");
        }
    }

    private string ClusterProtocol(JsonObject o, string path)
    {
        var protocol = Str(o, "protocol", path) ?? Protocols.Tcp;
        if (!Protocols.Supported.Contains(protocol))
        {
            Issue(path, Unsupported(protocol, Protocols.Supported));
        }

        return protocol;
    }

    private ClusterPolicyPort ReadRange(string protocol, JsonObject range, string startKey, string endKey, string path)
    {
        var start = CheckPort(Int(range, startKey, $"{path}.{startKey}"), $"{path}.{startKey}");
        var end = CheckPort(Int(range, endKey, $"{path}.{endKey}"), $"{path}.{endKey}");
        if (start is { } s && end is { } e && s >= e)
        {
            Issue(path, "Invalid value: Start port must be less than End port");
        }

        return new ClusterPolicyPort(protocol, start, end, null);
    }

    private int? CheckPort(int? port, string path)
    {
        if (port is null)
        {
            Issue(path, "Required value");
        }
        else if (port is < 1 or > 65535)
        {
            Issue(path, $"Invalid value: {port}: must be between 1 and 65535, inclusive");
        }

        return port;
    }

    /// <summary>A label selector as the API server validates it (ValidateLabelSelector): operators and their values.</summary>
    private LabelSelector ReadPolicySelector(JsonObject selector, string path)
    {
        var result = ReadSelector(selector, path);
        for (var i = 0; i < result.MatchExpressions.Length; i++)
        {
            var e = result.MatchExpressions[i];
            var at = $"{path}.matchExpressions[{i}]";
            switch (e.Operator)
            {
                case "In" or "NotIn" when e.Values.IsDefaultOrEmpty:
                    Issue($"{at}.values", "Required value: must be specified when `operator` is 'In' or 'NotIn'");
                    break;
                case "Exists" or "DoesNotExist" when !e.Values.IsDefaultOrEmpty:
                    Issue($"{at}.values", "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
                    break;
                case "In" or "NotIn" or "Exists" or "DoesNotExist":
                    break;
                default:
                    Issue($"{at}.operator", $"Invalid value: \"{e.Operator}\": not a valid selector operator");
                    break;
            }
        }

        return result;
    }

    private static string Unsupported(string value, ImmutableArray<string> supported) =>
        $"Unsupported value: \"{value}\": supported values: {string.Join(", ", supported.Select(s => string.Create(CultureInfo.InvariantCulture, $"\"{s}\"")))}";
}
