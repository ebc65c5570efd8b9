using System.Text.Encodings.Web;
using System.Text.Json;
using PortMapper.Core.Analysis;

namespace PortMapper.Cli.Output;

/// <summary>
/// For scripts: one JSON document whose shape is versioned ("version": 1) and whose order is stable (file, line,
/// object, code), so that two runs on the same input give the same bytes.
/// </summary>
public static class JsonReport
{
    public static void Write(AnalysisReport report, TextWriter output)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            json.WriteStartObject();
            json.WriteNumber("version", 1);
            json.WriteStartObject("summary");
            json.WriteNumber("objects", report.ObjectCount);
            json.WriteNumber("errors", report.Count(Severity.Error));
            json.WriteNumber("warnings", report.Count(Severity.Warning));
            json.WriteNumber("notes", report.Count(Severity.Info));
            json.WriteNumber("skipped", report.Skipped.Length);
            json.WriteStartArray("files");
            foreach (var file in report.Files)
            {
                json.WriteStringValue(file);
            }

            json.WriteEndArray();
            json.WriteEndObject();
            json.WriteStartArray("diagnostics");
            foreach (var finding in report.Findings)
            {
                var d = finding.Diagnostic;
                json.WriteStartObject();
                json.WriteString("code", d.Code);
                json.WriteString("severity", TextReport.Name(d.Severity));
                json.WriteStartObject("object");
                json.WriteString("kind", d.Object.Kind);
                json.WriteString("namespace", d.Object.Namespace);
                json.WriteString("name", d.Object.Name);
                json.WriteEndObject();
                json.WriteString("field", d.Field);
                json.WriteString("message", d.Message);
                json.WriteString("fix", d.Fix);
                if (finding.Location is { } location)
                {
                    json.WriteStartObject("location");
                    json.WriteString("file", location.File);
                    if (location.Line is { } line)
                    {
                        json.WriteNumber("line", line);
                    }
                    else
                    {
                        json.WriteNull("line");
                    }

                    json.WriteString("template", location.Template);
                    json.WriteEndObject();
                }
                else
                {
                    json.WriteNull("location");
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        output.WriteLine(System.Text.Encoding.UTF8.GetString(stream.ToArray()));
    }
}
