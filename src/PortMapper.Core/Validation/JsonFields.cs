using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>
/// Reads fields from an object as written and reports values of the wrong JSON type as decode errors. A missing
/// field and JSON null both read as null, as Go's decoder leaves them at their zero value.
/// </summary>
internal static class JsonFields
{
    public static JsonObject? Object(JsonObject? parent, string key, string path, FindingList f) => parent?[key] switch
    {
        null => null,
        JsonObject o => o,
        var n => Bad<JsonObject>(f, path, n, "an object"),
    };

    /// <summary>The objects of a list, each with its path; null when the list is absent.</summary>
    public static List<(JsonObject Item, string Path)>? ObjectList(JsonObject? parent, string key, string path, FindingList f)
    {
        var node = parent?[key];
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            f.DecodeError(path, GoValues.Json(node), "a list");
            return [];
        }

        var items = new List<(JsonObject, string)>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            var itemPath = $"{path}[{i}]";
            switch (array[i])
            {
                case JsonObject o:
                    items.Add((o, itemPath));
                    break;
                case null:
                    // Go decodes a null list element into a zero-valued struct.
                    items.Add((new JsonObject(), itemPath));
                    break;
                case var other:
                    f.DecodeError(itemPath, GoValues.Json(other), "an object");
                    break;
            }
        }

        return items;
    }

    public static string? String(JsonObject? parent, string key, string path, FindingList f) => parent?[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() == JsonValueKind.String => v.GetValue<string>(),
        var n => Bad<string>(f, path, n, "a string"),
    };

    public static int? Int(JsonObject? parent, string key, string path, FindingList f)
    {
        var node = parent?[key];
        if (node is null)
        {
            return null;
        }

        if (node is JsonValue v && v.GetValueKind() == JsonValueKind.Number && JsonNumbers.TryGetInteger(v, out var l))
        {
            if (l is >= int.MinValue and <= int.MaxValue)
            {
                return (int)l;
            }

            f.DecodeError(path, node.ToJsonString(), "a 32-bit integer");
            return null;
        }

        f.DecodeError(path, GoValues.Json(node), "an integer");
        return null;
    }

    public static bool? Bool(JsonObject? parent, string key, string path, FindingList f) => parent?[key] switch
    {
        null => null,
        JsonValue v when v.GetValueKind() is JsonValueKind.True or JsonValueKind.False => v.GetValue<bool>(),
        var n => BadBool(f, path, n),
    };

    /// <summary>A list of strings; null when absent.</summary>
    public static ImmutableArray<string>? StringList(JsonObject? parent, string key, string path, FindingList f)
    {
        var node = parent?[key];
        if (node is null)
        {
            return null;
        }

        if (node is not JsonArray array)
        {
            f.DecodeError(path, GoValues.Json(node), "a list");
            return [];
        }

        var b = ImmutableArray.CreateBuilder<string>(array.Count);
        for (var i = 0; i < array.Count; i++)
        {
            switch (array[i])
            {
                case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                    b.Add(v.GetValue<string>());
                    break;
                case null:
                    b.Add("");
                    break;
                case var other:
                    f.DecodeError($"{path}[{i}]", GoValues.Json(other), "a string");
                    break;
            }
        }

        return b.ToImmutable();
    }

    /// <summary>A map of strings (labels, selectors); null when absent.</summary>
    public static ImmutableDictionary<string, string>? StringMap(JsonObject? parent, string key, string path, FindingList f)
    {
        var node = parent?[key];
        if (node is null)
        {
            return null;
        }

        if (node is not JsonObject o)
        {
            f.DecodeError(path, GoValues.Json(node), "an object");
            return ImmutableDictionary<string, string>.Empty;
        }

        var b = ImmutableDictionary.CreateBuilder<string, string>(KubeNames.Comparer);
        foreach (var (k, v) in o)
        {
            switch (v)
            {
                case JsonValue s when s.GetValueKind() == JsonValueKind.String:
                    b[k] = s.GetValue<string>();
                    break;
                case null:
                    b[k] = "";
                    break;
                default:
                    f.DecodeError($"{path}[{k}]", GoValues.Json(v), "a string");
                    break;
            }
        }

        return b.ToImmutable();
    }

    /// <summary>An IntOrString (targetPort): a JSON number is a port number, a JSON string a port name, even "80".</summary>
    public static IntOrName? IntOrString(JsonObject? parent, string key, string path, FindingList f)
    {
        var node = parent?[key];
        switch (node)
        {
            case null:
                return null;
            case JsonValue v when v.GetValueKind() == JsonValueKind.String:
                return IntOrName.FromName(v.GetValue<string>());
            case JsonValue v when v.GetValueKind() == JsonValueKind.Number && JsonNumbers.TryGetInteger(v, out var l) && l is >= int.MinValue and <= int.MaxValue:
                return IntOrName.FromNumber((int)l);
            default:
                f.DecodeError(path, GoValues.Json(node), "an integer or a string");
                return null;
        }
    }

    private static T? Bad<T>(FindingList f, string path, JsonNode node, string expected)
        where T : class
    {
        f.DecodeError(path, GoValues.Json(node), expected);
        return null;
    }

    private static bool? BadBool(FindingList f, string path, JsonNode node)
    {
        f.DecodeError(path, GoValues.Json(node), "a boolean");
        return null;
    }
}
