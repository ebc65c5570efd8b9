using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PortMapper.Core.Loading;

/// <summary>
/// Writes JSON trees as block-style YAML the way kubectl prints them. Strings that YAML would read as something
/// else (numbers, booleans, null, "on", leading special characters...) are quoted, so the output reads back as written.
/// </summary>
public static class YamlWriter
{
    /// <summary>Server-filled noise a person does not write: dropped by <see cref="Clean"/>.</summary>
    private static readonly string[] NoisyMetadata = ["managedFields", "resourceVersion", "uid", "creationTimestamp", "generation", "selfLink"];

    public static string Write(JsonNode? node)
    {
        var sb = new StringBuilder();
        WriteNode(sb, node, 0, afterDash: false);
        return sb.ToString();
    }

    /// <summary>Several objects as one multi-document file.</summary>
    public static string WriteAll(IEnumerable<JsonNode?> nodes) => string.Join("---\n", nodes.Select(Write));

    /// <summary>A copy without status and without the metadata the server fills in: a manifest to keep in git.</summary>
    public static JsonObject Clean(JsonObject obj)
    {
        var copy = (JsonObject)obj.DeepClone();
        copy.Remove("status");
        if (copy["metadata"] is JsonObject meta)
        {
            foreach (var key in NoisyMetadata)
            {
                meta.Remove(key);
            }

            if (meta["annotations"] is JsonObject annotations)
            {
                annotations.Remove("kubectl.kubernetes.io/last-applied-configuration");
                if (annotations.Count == 0)
                {
                    meta.Remove("annotations");
                }
            }
        }

        return copy;
    }

    private static void WriteNode(StringBuilder sb, JsonNode? node, int indent, bool afterDash)
    {
        switch (node)
        {
            case JsonObject o when o.Count > 0:
                var first = true;
                foreach (var (key, value) in o)
                {
                    if (!(first && afterDash))
                    {
                        sb.Append(' ', indent);
                    }

                    first = false;
                    sb.Append(Scalar(key)).Append(':');
                    WriteValue(sb, value, indent);
                }

                break;
            case JsonArray a when a.Count > 0:
                var firstItem = true;
                foreach (var item in a)
                {
                    if (!(firstItem && afterDash))
                    {
                        sb.Append(' ', indent);
                    }

                    firstItem = false;
                    sb.Append("- ");
                    if (item is JsonObject { Count: > 0 } or JsonArray { Count: > 0 })
                    {
                        WriteNode(sb, item, indent + 2, afterDash: true);
                    }
                    else
                    {
                        sb.Append(Inline(item)).Append('\n');
                    }
                }

                break;
            default:
                sb.Append(Inline(node)).Append('\n');
                break;
        }
    }

    private static void WriteValue(StringBuilder sb, JsonNode? value, int indent)
    {
        switch (value)
        {
            case JsonObject { Count: > 0 }:
                sb.Append('\n');
                WriteNode(sb, value, indent + 2, afterDash: false);
                break;
            case JsonArray { Count: > 0 }:
                // kubectl style: list items start at the key's indentation.
                sb.Append('\n');
                WriteNode(sb, value, indent, afterDash: false);
                break;
            default:
                sb.Append(' ').Append(Inline(value)).Append('\n');
                break;
        }
    }

    private static string Inline(JsonNode? node) => node switch
    {
        null => "null",
        JsonObject => "{}",
        JsonArray => "[]",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => Scalar(v.GetValue<string>()),
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => JsonNumbers.TryGetInteger(v, out var l)
            ? l.ToString(CultureInfo.InvariantCulture)
            : v.ToJsonString(),
        _ => node.ToJsonString(),
    };

    private static readonly JsonSerializerOptions Quoting = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // A JSON string literal is a valid YAML double-quoted scalar with the same escapes.
    private static string Scalar(string s) => NeedsQuotes(s) ? JsonSerializer.Serialize(s, Quoting) : s;

    private static bool NeedsQuotes(string s)
    {
        if (s.Length == 0 || s != s.Trim())
        {
            return true;
        }

        if (s.IndexOfAny(['\n', '\r', '\t', '\\']) >= 0 || s.Any(char.IsControl))
        {
            return true;
        }

        // Anything the YAML 1.1 reader would turn into a non-string must be quoted.
        try
        {
            var asRead = YamlToJson.Parse($"v: {s}\n", "")[0].Root?["v"];
            if (asRead is not JsonValue v || v.GetValueKind() != JsonValueKind.String || v.GetValue<string>() != s)
            {
                return true;
            }
        }
        catch (YamlDotNet.Core.YamlException)
        {
            return true;
        }

        return s.IndexOfAny(['#', '"', '\'', '`', '{', '}', '[', ']', ',', '&', '*', '!', '|', '>', '%', '@', '\t', '\n']) >= 0
            || s.Contains(": ", StringComparison.Ordinal) || s.EndsWith(':') || s.StartsWith('-') || s.StartsWith('?');
    }
}
