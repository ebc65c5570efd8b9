using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PortMapper.TestApiServer;

/// <summary>A field another manager owns with a different value (one cause of a 409).</summary>
internal sealed record ApplyConflict(string Manager, string Operation, string ApiVersion, string Path)
{
    /// <summary>The API server's message: managers that applied are named alone, others with the version they used.</summary>
    public string Message => Operation == "Apply" ? $"conflict with \"{Manager}\"" : $"conflict with \"{Manager}\" using {ApiVersion}";
}

internal sealed record ManagedEntry(string Manager, string Operation, string ApiVersion, string Time, HashSet<string> Fields, string? Subresource);

internal sealed record ApplyResult(JsonObject? Merged, IReadOnlyList<ApplyConflict> Conflicts, bool NoOp);

/// <summary>
/// Enough of server-side apply to answer like the API server: field sets per manager in FieldsV1 form, keyed list
/// items (ports by port and protocol, containers by name...), conflicts when another manager owns a field whose
/// value would change, force to take fields over, and removal of fields a manager stops applying.
/// </summary>
internal static class ServerSideApply
{
    private const char Sep = '\u001f';

    private static readonly HashSet<string> AtomicMaps = new(StringComparer.Ordinal) { "selector", "nodeSelector" };

    public static ApplyResult Apply(JsonObject? live, JsonObject applied, string manager, bool force, string now)
    {
        var apiVersion = Json.Str(applied["apiVersion"]) ?? "";
        var appliedSet = FieldSet(applied);
        var entries = ReadManagedFields(live);
        var mine = entries.FirstOrDefault(e => e.Manager == manager && e.Operation == "Apply");
        var others = entries.Where(e => e != mine).ToList();
        var conflicts = new List<ApplyConflict>();
        if (live is not null)
        {
            foreach (var other in others)
            {
                foreach (var path in appliedSet.Where(other.Fields.Contains).Order(StringComparer.Ordinal))
                {
                    if (!IsItem(path) && !JsonNode.DeepEquals(ValueAt(live, path), ValueAt(applied, path)))
                    {
                        conflicts.Add(new ApplyConflict(other.Manager, other.Operation, other.ApiVersion, path));
                    }
                }
            }
        }

        if (conflicts.Count > 0 && !force)
        {
            return new ApplyResult(null, conflicts, false);
        }

        foreach (var c in conflicts)
        {
            others.First(o => o.Manager == c.Manager && o.Operation == c.Operation).Fields.Remove(c.Path);
        }

        var merged = live?.DeepClone().AsObject() ?? new JsonObject();
        merged["apiVersion"] = apiVersion;
        merged["kind"] = applied["kind"]?.DeepClone();
        MergeMetadata(Json.Meta(merged), applied["metadata"] as JsonObject);
        foreach (var (key, value) in applied)
        {
            if (key is not ("apiVersion" or "kind" or "metadata" or "status"))
            {
                merged[key] = Merge(merged[key], value, key);
            }
        }

        // Fields this manager applied before and now leaves out are removed, unless someone else owns them too.
        // Shallowest first: a list item must go while its key fields are still there to find it by.
        var ownedByOthers = others.SelectMany(o => o.Fields).ToHashSet(StringComparer.Ordinal);
        foreach (var path in (mine?.Fields ?? []).Where(p => !appliedSet.Contains(p) && !ownedByOthers.Contains(p)).OrderBy(Depth))
        {
            RemoveAt(merged, path);
        }

        var noOp = live is not null && conflicts.Count == 0 && mine is not null && mine.Fields.SetEquals(appliedSet)
                   && JsonNode.DeepEquals(WithoutManagedFields(merged), WithoutManagedFields(live));
        if (noOp)
        {
            return new ApplyResult(live, [], true);
        }

        var updated = others.Where(o => o.Fields.Count > 0).Append(new ManagedEntry(manager, "Apply", apiVersion, now, appliedSet, null));
        Json.Meta(merged)["managedFields"] = WriteManagedFields(updated);
        return new ApplyResult(merged, [], false);
    }

    /// <summary>The managedFields entry of a plain create or update: the manager owns every field it sent.</summary>
    public static JsonArray UpdateEntry(JsonObject obj, string manager, string now) =>
        WriteManagedFields([new ManagedEntry(manager, "Update", Json.Str(obj["apiVersion"]) ?? "", now, FieldSet(obj), null)]);

    /// <summary>.spec.ports[port=80,protocol="TCP"].nodePort: how the API server prints a field path.</summary>
    public static string Render(string path)
    {
        var sb = new StringBuilder();
        foreach (var segment in path.Split(Sep))
        {
            if (segment.StartsWith("f:", StringComparison.Ordinal))
            {
                sb.Append('.').Append(segment[2..]);
            }
            else if (segment.StartsWith("k:", StringComparison.Ordinal))
            {
                var key = JsonNode.Parse(segment[2..])!.AsObject();
                sb.Append('[').Append(string.Join(",", key.Select(kv => $"{kv.Key}={kv.Value!.ToJsonString(Json.Compact)}"))).Append(']');
            }
        }

        return sb.ToString();
    }

    private static HashSet<string> FieldSet(JsonObject obj)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (key, value) in obj)
        {
            switch (key)
            {
                case "apiVersion" or "kind" or "status":
                    break;
                case "metadata" when value is JsonObject meta:
                    foreach (var map in (string[])["labels", "annotations"])
                    {
                        if (meta[map] is { } m)
                        {
                            Collect(m, $"f:metadata{Sep}f:{map}", map, set);
                        }
                    }

                    break;
                default:
                    Collect(value, $"f:{key}", key, set);
                    break;
            }
        }

        return set;
    }

    private static void Collect(JsonNode? value, string path, string name, HashSet<string> set)
    {
        switch (value)
        {
            case JsonObject o when o.Count > 0 && !AtomicMaps.Contains(name):
                foreach (var (k, child) in o)
                {
                    Collect(child, $"{path}{Sep}f:{k}", k, set);
                }

                break;
            case JsonArray a when ListKeys(name, a) is { } keys:
                foreach (var item in a.OfType<JsonObject>())
                {
                    var itemPath = $"{path}{Sep}k:{KeyOf(item, keys)}";
                    set.Add(itemPath);
                    foreach (var (k, child) in item)
                    {
                        Collect(child, $"{itemPath}{Sep}f:{k}", k, set);
                    }
                }

                break;
            default:
                set.Add(path);
                break;
        }
    }

    /// <summary>The merge keys of a list (listType=map in the OpenAPI schema); null for atomic lists.</summary>
    private static string[]? ListKeys(string name, JsonArray items) => name switch
    {
        "ports" when items.OfType<JsonObject>().Any(i => i.ContainsKey("containerPort")) => ["containerPort", "protocol"],
        "ports" => ["port", "protocol"],
        "containers" or "initContainers" or "ephemeralContainers" or "env" or "volumes" or "imagePullSecrets" => ["name"],
        "volumeMounts" => ["mountPath"],
        _ => null,
    };

    private static string KeyOf(JsonObject item, string[] keys)
    {
        var key = new JsonObject();
        foreach (var k in keys)
        {
            // protocol defaults to TCP before the key is computed, as the API server's defaulting does.
            key[k] = item[k]?.DeepClone() ?? (k == "protocol" ? JsonValue.Create("TCP") : null);
        }

        return key.ToJsonString(Json.Compact);
    }

    private static bool IsItem(string path) => path[(path.LastIndexOf(Sep) + 1)..].StartsWith("k:", StringComparison.Ordinal);

    private static int Depth(string path) => path.Count(c => c == Sep);

    private static JsonNode? ValueAt(JsonObject root, string path)
    {
        JsonNode? node = root;
        foreach (var segment in path.Split(Sep))
        {
            node = Step(node, segment);
            if (node is null)
            {
                return null;
            }
        }

        return node;
    }

    private static JsonNode? Step(JsonNode? node, string segment)
    {
        if (segment.StartsWith("f:", StringComparison.Ordinal))
        {
            return (node as JsonObject)?[segment[2..]];
        }

        var key = JsonNode.Parse(segment[2..])!.AsObject();
        return (node as JsonArray)?.OfType<JsonObject>().FirstOrDefault(i => Matches(i, key));
    }

    private static bool Matches(JsonObject item, JsonObject key) =>
        key.All(kv => JsonNode.DeepEquals(item[kv.Key] ?? (kv.Key == "protocol" ? JsonValue.Create("TCP") : null), kv.Value));

    private static void RemoveAt(JsonObject root, string path)
    {
        var segments = path.Split(Sep);
        JsonNode? parent = root;
        foreach (var s in segments[..^1])
        {
            parent = Step(parent, s);
        }

        var last = segments[^1];
        if (last.StartsWith("f:", StringComparison.Ordinal))
        {
            (parent as JsonObject)?.Remove(last[2..]);
        }
        else if (parent is JsonArray list && Step(list, last) is { } item)
        {
            list.Remove(item);
        }
    }

    private static JsonNode? Merge(JsonNode? live, JsonNode? applied, string name)
    {
        switch (live, applied)
        {
            case (JsonObject l, JsonObject a) when !AtomicMaps.Contains(name):
                foreach (var (k, v) in a)
                {
                    l[k] = Merge(l[k], v, k);
                }

                return l.DeepClone();
            case (JsonArray l, JsonArray a) when ListKeys(name, a) is { } keys:
                var result = new JsonArray();
                var appliedItems = a.OfType<JsonObject>().ToList();
                foreach (var existing in l.OfType<JsonObject>())
                {
                    var match = appliedItems.FirstOrDefault(i => KeyOf(i, keys) == KeyOf(existing, keys));
                    result.Add(match is null ? existing.DeepClone() : Merge(existing.DeepClone(), match, name));
                }

                foreach (var added in appliedItems.Where(i => !l.OfType<JsonObject>().Any(e => KeyOf(e, keys) == KeyOf(i, keys))))
                {
                    result.Add(added.DeepClone());
                }

                return result;
            default:
                return applied?.DeepClone();
        }
    }

    private static void MergeMetadata(JsonObject meta, JsonObject? applied)
    {
        if (applied is null)
        {
            return;
        }

        foreach (var key in (string[])["name", "namespace"])
        {
            if (applied[key] is { } v)
            {
                meta[key] = v.DeepClone();
            }
        }

        foreach (var map in (string[])["labels", "annotations"])
        {
            if (applied[map] is JsonObject a)
            {
                meta[map] = Merge(meta[map] ?? new JsonObject(), a, map);
            }
        }
    }

    private static List<ManagedEntry> ReadManagedFields(JsonObject? obj) =>
        (obj?["metadata"]?["managedFields"] as JsonArray ?? [])
        .OfType<JsonObject>()
        .Select(e => new ManagedEntry(
            Json.Str(e["manager"]) ?? "",
            Json.Str(e["operation"]) ?? "Update",
            Json.Str(e["apiVersion"]) ?? "",
            Json.Str(e["time"]) ?? "",
            FromFieldsV1(e["fieldsV1"] as JsonObject),
            Json.Str(e["subresource"])))
        .ToList();

    private static JsonArray WriteManagedFields(IEnumerable<ManagedEntry> entries)
    {
        var result = new JsonArray();
        foreach (var e in entries.OrderBy(e => e.Operation == "Apply" ? 0 : 1).ThenBy(e => e.Manager, StringComparer.Ordinal))
        {
            var o = new JsonObject
            {
                ["manager"] = e.Manager,
                ["operation"] = e.Operation,
                ["apiVersion"] = e.ApiVersion,
                ["time"] = e.Time,
                ["fieldsType"] = "FieldsV1",
                ["fieldsV1"] = ToFieldsV1(e.Fields),
            };
            if (e.Subresource is not null)
            {
                o["subresource"] = e.Subresource;
            }

            result.Add(o);
        }

        return result;
    }

    private static HashSet<string> FromFieldsV1(JsonObject? fields)
    {
        var set = new HashSet<string>(StringComparer.Ordinal);
        if (fields is not null)
        {
            Walk(fields, "");
        }

        return set;

        void Walk(JsonObject node, string prefix)
        {
            foreach (var (k, v) in node)
            {
                if (k == ".")
                {
                    set.Add(prefix);
                    continue;
                }

                var path = prefix.Length == 0 ? k : $"{prefix}{Sep}{k}";
                if (v is JsonObject { Count: > 0 } children)
                {
                    Walk(children, path);
                }
                else
                {
                    set.Add(path);
                }
            }
        }
    }

    private static JsonObject ToFieldsV1(HashSet<string> set)
    {
        var root = new FieldNode();
        foreach (var path in set)
        {
            var node = root;
            foreach (var segment in path.Split(Sep))
            {
                node = node.Child(segment);
            }

            node.Member = true;
        }

        return root.ToJson();
    }

    private static JsonObject WithoutManagedFields(JsonObject obj)
    {
        var copy = obj.DeepClone().AsObject();
        (copy["metadata"] as JsonObject)?.Remove("managedFields");
        return copy;
    }

    private sealed class FieldNode
    {
        private readonly SortedDictionary<string, FieldNode> _children = new(StringComparer.Ordinal);

        public bool Member { get; set; }

        public FieldNode Child(string segment)
        {
            if (!_children.TryGetValue(segment, out var child))
            {
                child = new FieldNode();
                _children[segment] = child;
            }

            return child;
        }

        public JsonObject ToJson()
        {
            var o = new JsonObject();
            if (Member && _children.Count > 0)
            {
                o["."] = new JsonObject();
            }

            foreach (var (k, child) in _children)
            {
                o[k] = child.ToJson();
            }

            return o;
        }
    }
}
