using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace PortMapper.TestApiServer;

/// <summary>One cause of a 422, as the API server words it.</summary>
internal sealed record FieldCause(string Reason, string Message, string Field);

/// <summary>
/// What the API server does to a Service on every write: validation of the fields the recordings exercise, then
/// defaulting and allocation of the ClusterIP and node ports, with the same messages.
/// </summary>
internal static partial class ServiceRules
{
    public const int NodePortFirst = 30000;
    public const int NodePortLast = 32767;

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex Dns1123Label();

    /// <summary>Validation, then the node-port allocator's checks (in that order, as the recordings show).</summary>
    public static List<FieldCause> Check(JsonObject service, IEnumerable<JsonObject> others)
    {
        var causes = new List<FieldCause>();
        var spec = service["spec"] as JsonObject;
        var type = Json.Str(spec?["type"]) ?? "ClusterIP";
        var ports = (spec?["ports"] as JsonArray ?? []).OfType<JsonObject>().ToList();
        for (var i = 0; i < ports.Count; i++)
        {
            if (Json.Str(ports[i]["name"]) is { Length: > 0 } name && (name.Length > 63 || !Dns1123Label().IsMatch(name)))
            {
                causes.Add(new FieldCause("FieldValueInvalid",
                    $"Invalid value: \"{name}\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                    $"spec.ports[{i}].name"));
            }

            if (type == "ClusterIP" && Json.Long(ports[i]["nodePort"]) is > 0)
            {
                causes.Add(new FieldCause("FieldValueForbidden", "Forbidden: may not be used when `type` is 'ClusterIP'", $"spec.ports[{i}].nodePort"));
            }
        }

        if (causes.Count > 0)
        {
            return causes;
        }

        var taken = others.SelectMany(NodePorts).ToHashSet();
        for (var i = 0; i < ports.Count; i++)
        {
            if (Json.Long(ports[i]["nodePort"]) is not (> 0 and var nodePort))
            {
                continue;
            }

            if (nodePort is < NodePortFirst or > NodePortLast)
            {
                causes.Add(new FieldCause("FieldValueInvalid",
                    $"Invalid value: {nodePort}: provided port is not in the valid range. The range of valid ports is {NodePortFirst}-{NodePortLast}", $"spec.ports[{i}].nodePort"));
            }
            else if (taken.Contains((int)nodePort))
            {
                causes.Add(new FieldCause("FieldValueInvalid", $"Invalid value: {nodePort}: provided port is already allocated", $"spec.ports[{i}].nodePort"));
            }
        }

        return causes;
    }

    /// <summary>Fills in what the API server defaults and allocates; keeps what <paramref name="live"/> already had.</summary>
    public static void Default(JsonObject service, JsonObject? live, IReadOnlyCollection<JsonObject> others)
    {
        var spec = service["spec"] as JsonObject ?? (JsonObject)(service["spec"] = new JsonObject());
        var liveSpec = live?["spec"] as JsonObject;
        var type = Json.Str(spec["type"]) ?? "ClusterIP";
        spec["type"] = type;
        var taken = others.SelectMany(NodePorts).ToHashSet();
        foreach (var port in (spec["ports"] as JsonArray ?? []).OfType<JsonObject>())
        {
            port["protocol"] ??= "TCP";
            port["targetPort"] ??= port["port"]?.DeepClone();
            if (type is "NodePort" or "LoadBalancer" && port["nodePort"] is null)
            {
                var previous = (liveSpec?["ports"] as JsonArray ?? []).OfType<JsonObject>()
                    .FirstOrDefault(p => JsonNode.DeepEquals(p["port"], port["port"]) && JsonNode.DeepEquals(p["protocol"], port["protocol"]));
                var nodePort = Json.Long(previous?["nodePort"]) ?? Enumerable.Range(NodePortFirst, NodePortLast - NodePortFirst + 1).First(p => !taken.Contains(p));
                taken.Add((int)nodePort);
                port["nodePort"] = nodePort;
            }
        }

        if (type != "ExternalName" && spec["clusterIP"] is null)
        {
            var ip = Json.Str(liveSpec?["clusterIP"]) ?? AllocateClusterIp(others);
            spec["clusterIP"] = ip;
            spec["clusterIPs"] = new JsonArray(ip);
        }

        spec["sessionAffinity"] ??= "None";
        if (type is "NodePort" or "LoadBalancer")
        {
            spec["externalTrafficPolicy"] ??= "Cluster";
        }

        if (type != "ExternalName")
        {
            spec["ipFamilies"] ??= new JsonArray("IPv4");
            spec["ipFamilyPolicy"] ??= "SingleStack";
            spec["internalTrafficPolicy"] ??= "Cluster";
        }

        service["status"] ??= new JsonObject { ["loadBalancer"] = new JsonObject() };
    }

    private static IEnumerable<int> NodePorts(JsonObject service) =>
        (service["spec"]?["ports"] as JsonArray ?? []).OfType<JsonObject>().Select(p => (int)(Json.Long(p["nodePort"]) ?? 0)).Where(p => p > 0);

    private static string AllocateClusterIp(IEnumerable<JsonObject> others)
    {
        var used = others.Select(o => Json.Str(o["spec"]?["clusterIP"])).OfType<string>().ToHashSet(StringComparer.Ordinal);
        for (var n = 10; ; n++)
        {
            var ip = string.Create(CultureInfo.InvariantCulture, $"10.96.{n / 250}.{(n % 250) + 1}");
            if (!used.Contains(ip))
            {
                return ip;
            }
        }
    }
}
