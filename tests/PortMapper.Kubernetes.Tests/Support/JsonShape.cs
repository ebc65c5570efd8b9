using System.Text.Json.Nodes;

namespace PortMapper.Kubernetes.Tests.Support;

/// <summary>
/// Compares the structure of two JSON documents (object keys at every level), not their values. managedFields'
/// fieldsV1 is a value in the form of a tree (which fields a manager set), so its inside is not compared.
/// </summary>
public static class JsonShape
{
    /// <summary>The paths where the two differ in structure; empty when they have the same shape.</summary>
    public static List<string> Differences(JsonNode? expected, JsonNode? actual, string path = "$")
    {
        var diffs = new List<string>();
        switch (expected, actual)
        {
            case (JsonObject e, JsonObject a):
                foreach (var key in e.Select(kv => kv.Key).Except(a.Select(kv => kv.Key)))
                {
                    diffs.Add($"{path}.{key} is missing");
                }

                foreach (var key in a.Select(kv => kv.Key).Except(e.Select(kv => kv.Key)))
                {
                    diffs.Add($"{path}.{key} is extra");
                }

                foreach (var (key, value) in e)
                {
                    if (a.ContainsKey(key) && key != "fieldsV1")
                    {
                        diffs.AddRange(Differences(value, a[key], $"{path}.{key}"));
                    }
                }

                break;
            case (JsonArray e, JsonArray a):
                if (e.Count > 0 && a.Count > 0)
                {
                    diffs.AddRange(Differences(e[0], a[0], $"{path}[0]"));
                }

                break;
            case (null, null):
                break;
            default:
                if (expected?.GetValueKind() != actual?.GetValueKind())
                {
                    diffs.Add($"{path} is {actual?.GetValueKind().ToString() ?? "null"}, expected {expected?.GetValueKind().ToString() ?? "null"}");
                }

                break;
        }

        return diffs;
    }
}
