using System.Collections.Immutable;
using System.Text.Json.Nodes;
using PortMapper.Core.Cluster;

namespace PortMapper.Core.Demo;

/// <summary>
/// Server-side apply as the demo cluster does it: the applied configuration is merged into the live object
/// (maps recursively, keyed lists item by item, other lists replaced whole) and every leaf field it sets is
/// owned by the applying field manager. Changing a field another manager owns is a conflict unless forced.
/// Simplification: fields a manager stops applying are not pruned.
/// </summary>
internal static class ServerSideApply
{
    /// <summary>List fields merged item by item, with the fields that identify an item (as in the Kubernetes OpenAPI schema).</summary>
    private static readonly Dictionary<string, string[]> ListKeys = new(StringComparer.Ordinal)
    {
        ["ports"] = ["port", "protocol"],
        ["containers"] = ["name"],
        ["initContainers"] = ["name"],
    };

    public static ImmutableArray<FieldConflict> Conflicts(
        IReadOnlyDictionary<string, (string Manager, string Value)> owners, JsonObject live, JsonObject applied, string manager)
    {
        var conflicts = ImmutableArray.CreateBuilder<FieldConflict>();
        var liveLeaves = Leaves(live).ToDictionary(l => l.Path, l => l.Value, StringComparer.Ordinal);
        foreach (var (path, value) in Leaves(applied))
        {
            if (owners.TryGetValue(path, out var owner) && owner.Manager != manager &&
                liveLeaves.TryGetValue(path, out var current) && current != value)
            {
                conflicts.Add(new FieldConflict(owner.Manager, path, $"conflict with \"{owner.Manager}\""));
            }
        }

        return conflicts.ToImmutable();
    }

    /// <summary>Records that <paramref name="manager"/> owns every leaf of <paramref name="applied"/>.</summary>
    public static void TakeOwnership(Dictionary<string, (string Manager, string Value)> owners, JsonObject applied, string manager)
    {
        foreach (var (path, value) in Leaves(applied))
        {
            owners[path] = (manager, value);
        }
    }

    public static string ConflictMessage(ImmutableArray<FieldConflict> conflicts)
    {
        if (conflicts.Length == 1)
        {
            return $"Apply failed with 1 conflict: conflict with \"{conflicts[0].Manager}\": {conflicts[0].Field}";
        }

        var lines = conflicts.GroupBy(c => c.Manager).Select(g => $"conflicts with \"{g.Key}\":\n" + string.Join("\n", g.Select(c => $"- {c.Field}")));
        return $"Apply failed with {conflicts.Length} conflicts: {string.Join("\n", lines)}";
    }

    public static JsonObject Merge(JsonObject live, JsonObject applied)
    {
        var result = (JsonObject)live.DeepClone();
        MergeInto(result, applied);
        return result;
    }

    private static void MergeInto(JsonObject target, JsonObject source)
    {
        foreach (var (key, value) in source)
        {
            if (value is JsonObject so && target[key] is JsonObject to)
            {
                MergeInto(to, so);
            }
            else if (value is JsonArray sa && target[key] is JsonArray ta && ListKeys.TryGetValue(key, out var keys) && IsKeyed(sa, keys))
            {
                foreach (var item in sa.OfType<JsonObject>())
                {
                    var id = ItemKey(item, keys);
                    var match = ta.OfType<JsonObject>().FirstOrDefault(t => ItemKey(t, keys) == id);
                    if (match is null)
                    {
                        ta.Add(item.DeepClone());
                    }
                    else
                    {
                        MergeInto(match, item);
                    }
                }
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static bool IsKeyed(JsonArray a, string[] keys) => a.All(i => i is JsonObject o && o.ContainsKey(keys[0]));

    private static string ItemKey(JsonObject item, string[] keys) =>
        string.Join(",", keys.Select(k => $"{k}={FormatKey(k, item[k])}"));

    private static string FormatKey(string key, JsonNode? v) => v switch
    {
        null when key == "protocol" => "\"TCP\"",
        null => "null",
        JsonValue jv when jv.TryGetValue<string>(out var s) => $"\"{s}\"",
        _ => v.ToJsonString(),
    };

    /// <summary>Leaf fields in the API server's field-path notation, e.g. <c>.spec.ports[port=80,protocol="TCP"].nodePort</c>.</summary>
    public static IEnumerable<(string Path, string Value)> Leaves(JsonObject obj) => Leaves(obj, "", null);

    private static IEnumerable<(string Path, string Value)> Leaves(JsonNode? node, string path, string? key)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (k, v) in o)
                {
                    if (path.Length == 0 && k is "apiVersion" or "kind" or "status")
                    {
                        continue;
                    }

                    if (path == ".metadata" && k is "name" or "namespace" or "managedFields" or "resourceVersion" or "uid" or "creationTimestamp")
                    {
                        continue;
                    }

                    foreach (var leaf in Leaves(v, $"{path}.{k}", k))
                    {
                        yield return leaf;
                    }
                }

                break;
            case JsonArray a when key is not null && ListKeys.TryGetValue(key, out var keys) && IsKeyed(a, keys):
                foreach (var item in a.OfType<JsonObject>())
                {
                    var id = string.Join(",", keys.Select(k => $"{k}={FormatKey(k, item[k])}"));
                    foreach (var leaf in Leaves(item, $"{path}[{id}]", null))
                    {
                        yield return leaf;
                    }
                }

                break;
            default:
                yield return (path, node?.ToJsonString() ?? "null");
                break;
        }
    }
}
