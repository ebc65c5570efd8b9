using System.Text.Json.Nodes;

namespace PortMapper.Web.Designer;

/// <summary>
/// Keeps the fields the forms add in the order people write them (<c>name, protocol, port, targetPort, nodePort</c>;
/// <c>type, selector, ports</c>), so the YAML reads naturally whatever order the fields were filled in. Only the
/// order of the known fields changes; fields the forms do not know keep their values and follow the known ones.
/// </summary>
public static class KeyOrder
{
    private static readonly string[] Top = ["apiVersion", "kind", "metadata", "spec"];
    private static readonly string[] Metadata = ["name", "namespace", "labels", "annotations"];
    private static readonly string[] ServiceSpec =
        ["type", "clusterIP", "clusterIPs", "externalName", "selector", "ports", "externalTrafficPolicy", "internalTrafficPolicy", "sessionAffinity", "sessionAffinityConfig", "externalIPs", "ipFamilyPolicy", "ipFamilies", "trafficDistribution", "publishNotReadyAddresses", "loadBalancerClass", "loadBalancerSourceRanges", "allocateLoadBalancerNodePorts"];
    private static readonly string[] ServicePort = ["name", "protocol", "port", "targetPort", "nodePort"];
    private static readonly string[] Container = ["name", "image", "ports"];
    private static readonly string[] ContainerPort = ["name", "containerPort", "protocol", "hostPort", "hostIP"];
    private static readonly string[] PodSpec = ["hostNetwork", "containers"];
    private static readonly string[] PolicySpec = ["podSelector", "policyTypes", "ingress", "egress"];
    private static readonly string[] PolicyRule = ["from", "to", "ports"];
    private static readonly string[] PolicyPeer = ["namespaceSelector", "podSelector", "ipBlock"];
    private static readonly string[] PolicyPort = ["protocol", "port", "endPort"];

    public static void Normalize(JsonObject obj)
    {
        Order(obj, Top);
        if (obj["metadata"] is JsonObject meta)
        {
            Order(meta, Metadata);
        }

        var kind = JsonEdit.Text(obj["kind"]);
        var spec = obj["spec"] as JsonObject;
        if (kind == "Service" && spec is not null)
        {
            Order(spec, ServiceSpec);
            foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
            {
                Order(port, ServicePort);
            }
        }
        else if (kind == "NetworkPolicy" && spec is not null)
        {
            Order(spec, PolicySpec);
            foreach (var rule in new[] { "ingress", "egress" }.SelectMany(k => (spec[k] as JsonArray ?? []).OfType<JsonObject>()))
            {
                Order(rule, PolicyRule);
                foreach (var peer in new[] { "from", "to" }.SelectMany(k => (rule[k] as JsonArray ?? []).OfType<JsonObject>()))
                {
                    Order(peer, PolicyPeer);
                }

                foreach (var port in (rule["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    Order(port, PolicyPort);
                }
            }
        }
        else if (WorkloadEditor.Kinds.Contains(kind) && (kind == "Pod" ? spec : (spec?["template"] as JsonObject)?["spec"]) is JsonObject podSpec)
        {
            Order(podSpec, PodSpec);
            foreach (var container in (podSpec["containers"] as JsonArray ?? []).OfType<JsonObject>())
            {
                Order(container, Container);
                foreach (var port in (container["ports"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    Order(port, ContainerPort);
                }
            }
        }
    }

    /// <summary>Puts the known keys first, in the given order, when they are not already in it.</summary>
    internal static void Order(JsonObject o, string[] known)
    {
        var keys = o.Select(kv => kv.Key).ToList();
        var wanted = keys.Where(known.Contains).OrderBy(k => Array.IndexOf(known, k))
            .Concat(keys.Where(k => !known.Contains(k)))
            .ToList();
        if (keys.SequenceEqual(wanted))
        {
            return;
        }

        var values = wanted.Select(k => (Key: k, Value: o[k])).ToList();
        o.Clear();
        foreach (var (key, value) in values)
        {
            o[key] = value;
        }
    }
}
