using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace PortMapper.Core.Validation;

/// <summary>
/// Prints values the way the API server's field errors do (apimachinery field.Error.ErrorBody): strings as Go's
/// <c>%q</c>, numbers plainly, and other Go values as <c>%#v</c> would print the server's internal types.
/// </summary>
internal static class GoValues
{
    public static string Quote(string value)
    {
        var sb = new StringBuilder(value.Length + 2).Append('"');
        foreach (var rune in value.EnumerateRunes())
        {
            switch (rune.Value)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                case < 0x20 or 0x7f:
                    sb.Append(CultureInfo.InvariantCulture, $"\\x{rune.Value:x2}");
                    break;
                default:
                    if (Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.OtherNotAssigned)
                    {
                        sb.Append(rune.Value > 0xffff
                            ? string.Create(CultureInfo.InvariantCulture, $"\\U{rune.Value:x8}")
                            : string.Create(CultureInfo.InvariantCulture, $"\\u{rune.Value:x4}"));
                    }
                    else
                    {
                        sb.Append(rune.ToString());
                    }

                    break;
            }
        }

        return sb.Append('"').ToString();
    }

    public static string Int(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary><c>%#v</c> of a Go <c>[]string</c>.</summary>
    public static string StringSlice(IReadOnlyList<string> values) =>
        $"[]string{{{string.Join(", ", values.Select(Quote))}}}";

    /// <summary><c>%#v</c> of a Go <c>map[string]string</c> (fmt prints map keys sorted).</summary>
    public static string StringMap(IReadOnlyDictionary<string, string>? map) =>
        map is null
            ? "map[string]string(nil)"
            : $"map[string]string{{{string.Join(", ", map.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{Quote(p.Key)}:{Quote(p.Value)}"))}}}";

    /// <summary>
    /// <c>%#v</c> of the internal core.ServicePort key the API server builds to find duplicate (port, protocol) pairs.
    /// </summary>
    public static string ServicePortKey(string protocol, int port) =>
        $"core.ServicePort{{Name:\"\", Protocol:{Quote(protocol)}, AppProtocol:(*string)(nil), Port:{Int(port)}, TargetPort:intstr.IntOrString{{Type:0, IntVal:0, StrVal:\"\"}}, NodePort:0}}";

    /// <summary>A JSON value as written, for values that could not be decoded: strings quoted, everything else as compact JSON.</summary>
    public static string Json(JsonNode node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? Quote(v.GetValue<string>()) : node.ToJsonString();
}
