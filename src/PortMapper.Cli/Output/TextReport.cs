using PortMapper.Core.Analysis;

namespace PortMapper.Cli.Output;

/// <summary>For people: findings grouped by file and object, each with its fix, then a one-line summary.</summary>
public static class TextReport
{
    public static void Write(AnalysisReport report, TextWriter output)
    {
        foreach (var file in report.Findings.GroupBy(f => f.Location?.File))
        {
            output.WriteLine(file.Key ?? "(objects PortMapper simulated, not in the input)");
            foreach (var obj in file.GroupBy(f => (f.Diagnostic.Object, f.Location?.Line, f.Location?.Template)))
            {
                var where = obj.Key.Template is { } template ? $" (from {template}, line {obj.Key.Line})"
                    : obj.Key.Line is { } line ? $" (line {line})" : "";
                output.WriteLine($"  {obj.Key.Object}{where}");
                foreach (var finding in obj)
                {
                    var d = finding.Diagnostic;
                    var field = d.Field is null ? "" : $" {d.Field}:";
                    output.WriteLine($"    {Name(d.Severity)} {d.Code}{field} {d.Message}");
                    output.WriteLine($"      fix: {d.Fix}");
                }
            }

            output.WriteLine();
        }

        output.WriteLine(
            $"{Plural(report.Count(Severity.Error), "error")}, {Plural(report.Count(Severity.Warning), "warning")}, {Plural(report.Count(Severity.Info), "note")} " +
            $"in {Plural(report.ObjectCount, "object")} from {Plural(report.Files.Length, "file")}.");
        if (!report.Skipped.IsEmpty)
        {
            var kinds = report.Skipped.GroupBy(s => s.Kind, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Count()} {g.Key}");
            output.WriteLine($"Not analysed (kinds without ports or routes): {string.Join(", ", kinds)}.");
        }
    }

    public static string Name(Severity severity) => severity switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "note",
    };

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";
}
