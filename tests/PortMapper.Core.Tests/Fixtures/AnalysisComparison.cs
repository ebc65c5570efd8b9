using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using PortMapper.Core.Analysis;

namespace PortMapper.Core.Tests.Fixtures;

/// <summary>
/// Compares two analyses as multisets of paths and of diagnostics, ignoring the order in which they (and the
/// diagnostic codes of a path, and the path ids of a diagnostic) are listed. Everything else must match exactly.
/// </summary>
internal static class AnalysisComparison
{
    private static readonly JsonSerializerOptions Json = new()
    {
        Converters = { new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Canonical(TrafficPath p) =>
        JsonSerializer.Serialize(p with { Diagnostics = [.. p.Diagnostics.Order(StringComparer.Ordinal)] }, Json);

    public static string Canonical(Diagnostic d) =>
        JsonSerializer.Serialize(d with { Paths = [.. d.Paths.Order(StringComparer.Ordinal)] }, Json);

    /// <summary>Null when both hold the same paths and diagnostics; otherwise a readable account of the differences.</summary>
    public static string? Difference(ClusterAnalysis expected, ClusterAnalysis actual, int maxLines = 12)
    {
        var report = new StringBuilder();
        Compare("path", expected.Paths.Select(Canonical), actual.Paths.Select(Canonical), report, maxLines);
        Compare("diagnostic", expected.Diagnostics.Select(Canonical), actual.Diagnostics.Select(Canonical), report, maxLines);
        return report.Length == 0 ? null : report.ToString();
    }

    private static void Compare(string what, IEnumerable<string> expected, IEnumerable<string> actual, StringBuilder report, int maxLines)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var e in expected)
        {
            counts[e] = counts.GetValueOrDefault(e) + 1;
        }

        foreach (var a in actual)
        {
            counts[a] = counts.GetValueOrDefault(a) - 1;
        }

        var missing = counts.Where(c => c.Value > 0).Select(c => c.Key).Order(StringComparer.Ordinal).ToList();
        var extra = counts.Where(c => c.Value < 0).Select(c => c.Key).Order(StringComparer.Ordinal).ToList();
        foreach (var m in missing.Take(maxLines))
        {
            report.AppendLine($"  missing {what}: {m}");
        }

        foreach (var x in extra.Take(maxLines))
        {
            report.AppendLine($"  unexpected {what}: {x}");
        }

        if (missing.Count + extra.Count > 2 * maxLines)
        {
            report.AppendLine($"  ... {missing.Count} missing and {extra.Count} unexpected {what}s in all");
        }
    }
}
