using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;
using PortMapper.Core.Analysis;

namespace PortMapper.Cli.Output;

/// <summary>
/// SARIF 2.1.0 for code scanning (GitHub, GitLab): one run, every PortMapper code as a rule with its help, one result
/// per finding with the manifest file (relative, '/'-separated) and the object's line, and the object as a logical location.
/// </summary>
public static class SarifReport
{
    public const string SchemaUri = "https://json.schemastore.org/sarif-2.1.0.json";

    /// <summary>Writes the report with file URIs relative to the working directory, where CI checks the repository out.</summary>
    public static void Write(AnalysisReport report, TextWriter output) => Write(report, output, Directory.GetCurrentDirectory());

    public static void Write(AnalysisReport report, TextWriter output, string baseDirectory)
    {
        var rules = Rules.All;
        var index = rules.Select((r, i) => (r.Id, i)).ToDictionary(p => p.Id, p => p.i, StringComparer.Ordinal);
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteString("$schema", SchemaUri);
            json.WriteString("version", "2.1.0");
            json.WriteStartArray("runs");
            json.WriteStartObject();

            json.WriteStartObject("tool");
            json.WriteStartObject("driver");
            json.WriteString("name", "PortMapper");
            json.WriteString("semanticVersion", Version());
            json.WriteStartArray("rules");
            foreach (var rule in rules)
            {
                json.WriteStartObject();
                json.WriteString("id", rule.Id);
                json.WriteString("name", rule.Name);
                Message(json, "shortDescription", rule.Summary);
                Message(json, "help", rule.Help);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndObject();

            json.WriteStartArray("results");
            foreach (var finding in report.Findings)
            {
                var d = finding.Diagnostic;
                json.WriteStartObject();
                json.WriteString("ruleId", d.Code);
                json.WriteNumber("ruleIndex", index[d.Code]);
                json.WriteString("level", d.Severity switch { Severity.Error => "error", Severity.Warning => "warning", _ => "note" });
                Message(json, "message", $"{d.Object}{(d.Field is null ? "" : $" {d.Field}")}: {d.Message} Fix: {d.Fix}");
                json.WriteStartArray("locations");
                json.WriteStartObject();
                if (finding.Location is { } location && ArtifactUri(location, baseDirectory) is { } uri)
                {
                    json.WriteStartObject("physicalLocation");
                    json.WriteStartObject("artifactLocation");
                    json.WriteString("uri", uri);
                    json.WriteEndObject();
                    if (location.Template is null && location.Line is { } line)
                    {
                        json.WriteStartObject("region");
                        json.WriteNumber("startLine", line);
                        json.WriteEndObject();
                    }

                    json.WriteEndObject();
                }

                json.WriteStartArray("logicalLocations");
                json.WriteStartObject();
                json.WriteString("fullyQualifiedName", d.Object.ToString());
                json.WriteString("kind", "object");
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteEndObject();
                json.WriteEndArray();
                json.WriteStartObject("partialFingerprints");
                json.WriteString("portmapper/v1", $"{d.Code}:{d.Object}:{d.Field}");
                json.WriteEndObject();
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }

    /// <summary>A URI relative to <paramref name="baseDirectory"/>, or the Helm template; null for bare standard input.</summary>
    public static string? ArtifactUri(FindingLocation location, string baseDirectory)
    {
        if (location.Template is { } template)
        {
            return template;
        }

        if (location.File == ManifestAnalysis.StdinName)
        {
            return null;
        }

        var relative = Path.GetRelativePath(baseDirectory, location.File);
        return string.Join('/', relative.Split(Path.DirectorySeparatorChar).Select(Uri.EscapeDataString));
    }

    private static void Message(Utf8JsonWriter json, string name, string text)
    {
        json.WriteStartObject(name);
        json.WriteString("text", text);
        json.WriteEndObject();
    }

    private static string Version() =>
        (typeof(SarifReport).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
