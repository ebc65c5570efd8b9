using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json.Nodes;
using PortMapper.Core.Model;
using PortMapper.Core.Policy;

namespace PortMapper.Web.Designer;

/// <summary>One peer of a rule (<c>from</c> or <c>to</c>): pods, namespaces, both (AND), or an IP block; edited in place.</summary>
public sealed class PolicyPeerEditor(JsonObject peer, string fieldPath)
{
    public const string Pods = "Pods in this namespace";
    public const string PodsInNamespaces = "Pods in namespaces";
    public const string Namespaces = "Every pod in namespaces";
    public const string IpBlock = "IP block";

    public static IReadOnlyList<string> Kinds { get; } = [Pods, PodsInNamespaces, Namespaces, IpBlock];

    public JsonObject Json { get; } = peer;

    public string FieldPath { get; } = fieldPath;

    public string Kind
    {
        get => Json["ipBlock"] is not null ? IpBlock
            : Json["namespaceSelector"] is not null ? Json["podSelector"] is not null ? PodsInNamespaces : Namespaces
            : Pods;
        set
        {
            switch (value)
            {
                case IpBlock:
                    Json.Remove("podSelector");
                    Json.Remove("namespaceSelector");
                    JsonEdit.Obj(Json, "ipBlock");
                    break;
                case Namespaces:
                    Json.Remove("ipBlock");
                    Json.Remove("podSelector");
                    JsonEdit.Obj(Json, "namespaceSelector");
                    break;
                case PodsInNamespaces:
                    Json.Remove("ipBlock");
                    JsonEdit.Obj(Json, "namespaceSelector");
                    JsonEdit.Obj(Json, "podSelector");
                    break;
                default:
                    Json.Remove("ipBlock");
                    Json.Remove("namespaceSelector");
                    JsonEdit.Obj(Json, "podSelector");
                    break;
            }
        }
    }

    public bool HasPodSelector => Kind is Pods or PodsInNamespaces;

    public bool HasNamespaceSelector => Kind is PodsInNamespaces or Namespaces;

    public JsonObject PodSelector => JsonEdit.Obj(Json, "podSelector");

    public JsonObject NamespaceSelector => JsonEdit.Obj(Json, "namespaceSelector");

    private JsonObject Block => JsonEdit.Obj(Json, "ipBlock");

    public string? Cidr
    {
        get => JsonEdit.Text(Json["ipBlock"]?["cidr"]);
        set => JsonEdit.SetText(Block, "cidr", value?.Trim());
    }

    public IReadOnlyList<string> Except => JsonEdit.Strings(Json["ipBlock"]?["except"]);

    public void SetExcept(IEnumerable<string> cidrs) => JsonEdit.SetStrings(Block, "except", cidrs);

    /// <summary>matchExpressions the form does not edit: kept as written and named so nobody is surprised.</summary>
    public int Expressions => ((Json["podSelector"]?["matchExpressions"] as JsonArray)?.Count ?? 0) + ((Json["namespaceSelector"]?["matchExpressions"] as JsonArray)?.Count ?? 0);
}

/// <summary>One port entry of a rule: protocol, port (number or container port name) and endPort.</summary>
public sealed class PolicyPortEditor(JsonObject port, string fieldPath)
{
    public static IReadOnlyList<string> Protocols { get; } = [Core.Model.Protocols.Tcp, Core.Model.Protocols.Udp, Core.Model.Protocols.Sctp];

    public JsonObject Json { get; } = port;

    public string FieldPath { get; } = fieldPath;

    public string Protocol
    {
        get => JsonEdit.Text(Json["protocol"]) ?? Core.Model.Protocols.Tcp;
        set => JsonEdit.SetDefaulted(Json, "protocol", value, Core.Model.Protocols.Tcp);
    }

    /// <summary>The port as typed: a number is a port number, anything else a container port name.</summary>
    public string? Port
    {
        get => JsonEdit.Text(Json["port"]) ?? JsonEdit.Int(Json["port"])?.ToString(CultureInfo.InvariantCulture);
        set
        {
            var text = value?.Trim();
            if (string.IsNullOrEmpty(text))
            {
                Json.Remove("port");
            }
            else if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
            {
                Json["port"] = number;
            }
            else
            {
                Json["port"] = text;
            }
        }
    }

    public int? EndPort
    {
        get => JsonEdit.Int(Json["endPort"]);
        set => JsonEdit.SetInt(Json, "endPort", value);
    }
}

/// <summary>One ingress or egress rule: its peers and ports.</summary>
public sealed class PolicyRuleEditor(JsonObject rule, string fieldPath, string peersKey)
{
    public JsonObject Json { get; } = rule;

    public string FieldPath { get; } = fieldPath;

    /// <summary><c>from</c> for ingress, <c>to</c> for egress.</summary>
    public string PeersKey { get; } = peersKey;

    public IReadOnlyList<PolicyPeerEditor> Peers =>
        Json[PeersKey] is JsonArray a
            ? [.. a.Select((p, i) => p is JsonObject o ? new PolicyPeerEditor(o, $"{FieldPath}.{PeersKey}[{i}]") : null).OfType<PolicyPeerEditor>()]
            : [];

    public IReadOnlyList<PolicyPortEditor> Ports =>
        Json["ports"] is JsonArray a
            ? [.. a.Select((p, i) => p is JsonObject o ? new PolicyPortEditor(o, $"{FieldPath}.ports[{i}]") : null).OfType<PolicyPortEditor>()]
            : [];

    public void AddPeer() => JsonEdit.Arr(Json, PeersKey).Add(new JsonObject { ["podSelector"] = new JsonObject() });

    public void RemovePeer(int index) => RemoveAt(PeersKey, index);

    public void AddPort() => JsonEdit.Arr(Json, "ports").Add(new JsonObject { ["port"] = 80 });

    public void RemovePort(int index) => RemoveAt("ports", index);

    private void RemoveAt(string key, int index)
    {
        if (Json[key] is JsonArray a && index >= 0 && index < a.Count)
        {
            a.RemoveAt(index);
            JsonEdit.RemoveIfEmpty(Json, key);
        }
    }
}

/// <summary>A client the "allow this client" helper can name: a workload's pods, a lone pod, or a whole namespace.</summary>
public sealed record PolicyClient(string Value, string Label, string Namespace, ImmutableDictionary<string, string>? PodLabels);

/// <summary>The NetworkPolicy form's model: the pods it selects, its policy types and its ingress and egress rules; edited in place.</summary>
public sealed class NetworkPolicyEditor(JsonObject policy)
{
    public const string Ingress = "Ingress";
    public const string Egress = "Egress";

    public JsonObject Json { get; } = policy;

    private JsonObject Spec => JsonEdit.Obj(Json, "spec");

    public string Namespace => JsonEdit.Text(Json["metadata"]?["namespace"]) is { Length: > 0 } ns ? ns : "default";

    public JsonObject PodSelector => JsonEdit.Obj(Spec, "podSelector");

    public IReadOnlyDictionary<string, string> PodLabels => JsonEdit.Pairs(Json["spec"]?["podSelector"]?["matchLabels"]).ToDictionary(kv => kv.Key, kv => kv.Value);

    public int PodExpressions => (Json["spec"]?["podSelector"]?["matchExpressions"] as JsonArray)?.Count ?? 0;

    /// <summary>True when policyTypes is written out; otherwise the server defaults it (Ingress, and Egress when there are egress rules).</summary>
    public bool TypesWritten => Json["spec"]?["policyTypes"] is JsonArray;

    /// <summary>The policy types after the API server's defaulting.</summary>
    public bool Isolates(string direction)
    {
        if (TypesWritten)
        {
            return JsonEdit.Strings(Json["spec"]?["policyTypes"]).Contains(direction);
        }

        return direction == Ingress || (Json["spec"]?["egress"] is JsonArray { Count: > 0 });
    }

    public void SetIsolates(string direction, bool on)
    {
        // With none left the field is removed: an empty list is defaulted like a missing one (Ingress, plus Egress
        // when there are egress rules), so a policy can never isolate nothing.
        var types = new[] { Ingress, Egress }.Where(t => t == direction ? on : Isolates(t)).ToList();
        JsonEdit.SetStrings(Spec, "policyTypes", types);
    }

    public IReadOnlyList<PolicyRuleEditor> Rules(string direction)
    {
        var key = direction == Egress ? "egress" : "ingress";
        return Json["spec"]?[key] is JsonArray a
            ? [.. a.Select((r, i) => r is JsonObject o ? new PolicyRuleEditor(o, $"spec.{key}[{i}]", direction == Egress ? "to" : "from") : null).OfType<PolicyRuleEditor>()]
            : [];
    }

    public void AddRule(string direction)
    {
        var key = direction == Egress ? "egress" : "ingress";
        JsonEdit.Arr(Spec, key).Add(new JsonObject
        {
            [direction == Egress ? "to" : "from"] = new JsonArray(new JsonObject { ["podSelector"] = new JsonObject() }),
            ["ports"] = new JsonArray(new JsonObject { ["port"] = 80 }),
        });
        if (!Isolates(direction))
        {
            SetIsolates(direction, true);
        }
    }

    public void RemoveRule(string direction, int index)
    {
        var key = direction == Egress ? "egress" : "ingress";
        if (Json["spec"]?[key] is JsonArray a && index >= 0 && index < a.Count)
        {
            a.RemoveAt(index);
            JsonEdit.RemoveIfEmpty(Spec, key);
        }
    }

    /// <summary>
    /// "Allow this client to reach this Service's pods": selects the Service's pods when the policy selects nothing
    /// yet, and adds an ingress rule admitting the client on the ports the pods receive on — the Service's targetPorts
    /// (a name stays a name: NetworkPolicy resolves it against the destination pod's container ports), never the
    /// Service port, because the policy sees the packet after DNAT.
    /// </summary>
    /// <returns>Null when done, else why not.</returns>
    public string? AllowClient(PolicyClient client, Service service)
    {
        ArgumentNullException.ThrowIfNull(client);
        ArgumentNullException.ThrowIfNull(service);
        if (service.Selector is not { Count: > 0 } selector)
        {
            return $"Service {service.Metadata.Namespace}/{service.Metadata.Name} has no selector: its endpoints are not pods a NetworkPolicy can select by label.";
        }

        if (PodLabels.Count == 0 && PodExpressions == 0)
        {
            JsonEdit.SetPairs(PodSelector, "matchLabels", selector.OrderBy(kv => kv.Key, StringComparer.Ordinal));
        }

        var peer = new JsonObject();
        if (client.PodLabels is null)
        {
            peer["namespaceSelector"] = NamespaceIs(client.Namespace);
        }
        else
        {
            if (!KubeNames.Comparer.Equals(client.Namespace, Namespace))
            {
                peer["namespaceSelector"] = NamespaceIs(client.Namespace);
            }

            var pods = new JsonObject();
            // Sorted: label maps have no order, and the YAML must not change from one run to the next.
            JsonEdit.SetPairs(pods, "matchLabels", client.PodLabels.OrderBy(kv => kv.Key, StringComparer.Ordinal));
            peer["podSelector"] = pods;
        }

        var ports = new JsonArray();
        foreach (var p in service.Ports.DistinctBy(p => (p.EffectiveTargetPort, p.Protocol)))
        {
            var entry = new JsonObject();
            if (p.Protocol != Core.Model.Protocols.Tcp)
            {
                entry["protocol"] = p.Protocol;
            }

            var target = p.EffectiveTargetPort;
            entry["port"] = target.Name is { } name ? name : target.Number;
            ports.Add(entry);
        }

        var rule = new JsonObject { ["from"] = new JsonArray(peer) };
        if (ports.Count > 0)
        {
            rule["ports"] = ports;
        }

        JsonEdit.Arr(Spec, "ingress").Add(rule);
        if (!Isolates(Ingress))
        {
            SetIsolates(Ingress, true);
        }

        return null;
    }

    private static JsonObject NamespaceIs(string ns) => new()
    {
        ["matchLabels"] = new JsonObject { [PolicyIndex.NamespaceNameLabel] = ns },
    };

    public IEnumerable<string> VisibleFields()
    {
        yield return "metadata.name";
        yield return "metadata.namespace";
        yield return "spec.podSelector";
        yield return "spec.podSelector.matchLabels";
        yield return "spec.policyTypes";
        foreach (var direction in new[] { Ingress, Egress })
        {
            yield return direction == Ingress ? "spec.ingress" : "spec.egress";
            foreach (var rule in Rules(direction))
            {
                yield return rule.FieldPath;
                yield return $"{rule.FieldPath}.{rule.PeersKey}";
                yield return $"{rule.FieldPath}.ports";
                foreach (var peer in rule.Peers)
                {
                    yield return peer.FieldPath;
                    yield return peer.FieldPath + ".podSelector.matchLabels";
                    yield return peer.FieldPath + ".namespaceSelector.matchLabels";
                    yield return peer.FieldPath + ".ipBlock.cidr";
                    yield return peer.FieldPath + ".ipBlock.except";
                }

                foreach (var port in rule.Ports)
                {
                    yield return port.FieldPath;
                    yield return port.FieldPath + ".protocol";
                    yield return port.FieldPath + ".port";
                    yield return port.FieldPath + ".endPort";
                }
            }
        }
    }
}
