using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Loading;

namespace PortMapper.Web.Designer;

/// <summary>
/// Small edits of a manifest's JSON tree in place. The forms change only the fields they show; everything else in the
/// object (fields PortMapper has no form for, their order) stays as it was, so a manifest survives a round trip.
/// </summary>
internal static class JsonEdit
{
    public static string? Text(JsonNode? node) => node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static int? Int(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && JsonNumbers.TryGetInteger(v, out var l) && l is >= int.MinValue and <= int.MaxValue ? (int)l : null;

    public static bool? Bool(JsonNode? node) => node is JsonValue v ? v.GetValueKind() switch
    {
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    } : null;

    /// <summary>The child object at <paramref name="key"/>, created when missing (or when something else is there).</summary>
    public static JsonObject Obj(JsonObject parent, string key)
    {
        if (parent[key] is JsonObject o)
        {
            return o;
        }

        var created = new JsonObject();
        parent[key] = created;
        return created;
    }

    /// <summary>The child list at <paramref name="key"/>, created when missing.</summary>
    public static JsonArray Arr(JsonObject parent, string key)
    {
        if (parent[key] is JsonArray a)
        {
            return a;
        }

        var created = new JsonArray();
        parent[key] = created;
        return created;
    }

    public static void SetText(JsonObject o, string key, string? value)
    {
        if (string.IsNullOrEmpty(value))
        {
            o.Remove(key);
        }
        else
        {
            o[key] = value;
        }
    }

    public static void SetInt(JsonObject o, string key, int? value)
    {
        if (value is { } v)
        {
            o[key] = v;
        }
        else
        {
            o.Remove(key);
        }
    }

    /// <summary>Sets a value that has a server default: written when it differs, or when the manifest already spelled it out.</summary>
    public static void SetDefaulted(JsonObject o, string key, string? value, string serverDefault)
    {
        if (string.IsNullOrEmpty(value) || (value == serverDefault && !o.ContainsKey(key)))
        {
            if (string.IsNullOrEmpty(value))
            {
                o.Remove(key);
            }

            return;
        }

        o[key] = value;
    }

    /// <summary>Removes an empty map or list left behind by an edit, so the manifest does not grow <c>{}</c> noise.</summary>
    public static void RemoveIfEmpty(JsonObject o, string key)
    {
        if (o[key] is JsonObject { Count: 0 } or JsonArray { Count: 0 })
        {
            o.Remove(key);
        }
    }

    /// <summary>A string-to-string map (labels, a selector) as ordered pairs; values of other types are shown as JSON.</summary>
    public static List<KeyValuePair<string, string>> Pairs(JsonNode? node) =>
        node is JsonObject o
            ? [.. o.Select(kv => KeyValuePair.Create(kv.Key, Text(kv.Value) ?? kv.Value?.ToJsonString() ?? ""))]
            : [];

    /// <summary>Replaces a map with the given pairs, in order; removes it when there are none.</summary>
    public static void SetPairs(JsonObject parent, string key, IEnumerable<KeyValuePair<string, string>> pairs)
    {
        var map = new JsonObject();
        foreach (var (k, v) in pairs)
        {
            if (k.Length > 0 && !map.ContainsKey(k))
            {
                map[k] = v;
            }
        }

        if (map.Count == 0)
        {
            parent.Remove(key);
        }
        else
        {
            parent[key] = map;
        }
    }

    /// <summary>A list of strings (externalIPs, TLS hosts) as text; other item types are shown as JSON.</summary>
    public static List<string> Strings(JsonNode? node) =>
        node is JsonArray a ? [.. a.Select(n => Text(n) ?? n?.ToJsonString() ?? "")] : [];

    public static void SetStrings(JsonObject parent, string key, IEnumerable<string> values)
    {
        var list = new JsonArray([.. values.Where(v => v.Length > 0).Select(v => (JsonNode)JsonValue.Create(v))]);
        if (list.Count == 0)
        {
            parent.Remove(key);
        }
        else
        {
            parent[key] = list;
        }
    }
}
