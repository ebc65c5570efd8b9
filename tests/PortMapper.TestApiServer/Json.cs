using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Loading;

namespace PortMapper.TestApiServer;

internal static class Json
{
    // Go's encoder writes quotes as \" and leaves ' and + alone; the relaxed encoder is the closest match.
    public static JsonSerializerOptions Compact { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static JsonSerializerOptions Indented { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, WriteIndented = true, IndentSize = 2 };

    private static readonly string[] TopOrder = ["kind", "apiVersion", "metadata"];

    private static readonly string[] MetaOrder =
    [
        "name", "generateName", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
        "labels", "annotations", "ownerReferences", "finalizers", "managedFields",
    ];

    public static string? Str(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static long? Long(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && JsonNumbers.TryGetInteger(v, out var l) ? l : null;

    public static JsonObject Meta(JsonObject obj) => obj["metadata"] as JsonObject ?? (JsonObject)(obj["metadata"] = new JsonObject());

    public static string Now(TimeProvider time) => time.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    /// <summary>Puts fields in the order the API server writes them (Go struct order), which clients and diffs expect.</summary>
    public static JsonObject Canonical(JsonObject obj)
    {
        var result = Reorder(obj, TopOrder, last: "status");
        if (result["metadata"] is JsonObject meta)
        {
            result["metadata"] = Reorder(meta, MetaOrder, last: null);
        }

        return result;
    }

    private static JsonObject Reorder(JsonObject obj, string[] first, string? last)
    {
        var result = new JsonObject();
        foreach (var key in first)
        {
            if (obj.ContainsKey(key))
            {
                result[key] = obj[key]?.DeepClone();
            }
        }

        foreach (var (key, value) in obj)
        {
            if (!first.Contains(key) && key != last)
            {
                result[key] = value?.DeepClone();
            }
        }

        if (last is not null && obj.ContainsKey(last))
        {
            result[last] = obj[last]?.DeepClone();
        }

        return result;
    }
}
