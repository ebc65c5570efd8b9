using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Loading;
using YamlDotNet.Core;

namespace PortMapper.Core.Design;

/// <summary>One object typed or pasted into the designer, with where it starts in the text.</summary>
public sealed record DesignedDocument(JsonObject Object, int DocumentIndex, int Line);

/// <summary>Why text could not be read as objects: which document (0-based), which line (1-based), and what was wrong.</summary>
public sealed record DesignInputError(int DocumentIndex, int Line, string Message)
{
    public override string ToString() => $"document {DocumentIndex + 1}, line {Line}: {Message}";
}

/// <summary>Objects read from text, or the first reason the text is not usable.</summary>
public sealed record DesignInputResult(ImmutableArray<DesignedDocument> Documents, DesignInputError? Error)
{
    public bool Succeeded => Error is null;

    public ImmutableArray<JsonObject> Objects => [.. Documents.Select(d => d.Object)];
}

/// <summary>
/// Reads the designer's input — multi-document YAML or JSON, <c>kind: List</c> included — into objects without
/// dropping any field. Unlike <see cref="ManifestLoader"/> it keeps kinds PortMapper does not model (the validator
/// and the API server judge those) and stops at the first document that is not an object, because applying half of
/// what someone wrote is worse than applying nothing.
/// </summary>
public static class DesignInput
{
    public static DesignInputResult Parse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return Fail(0, 1, "the text is empty: paste one or more Kubernetes objects (YAML or JSON)");
        }

        IReadOnlyList<ManifestDocument> parsed;
        try
        {
            parsed = YamlToJson.Parse(text, "input");
        }
        catch (YamlException e)
        {
            var line = (int)e.Start.Line;
            return Fail(DocumentAt(text, line), line, $"malformed YAML: {WithoutPosition(e.Message)}");
        }

        var documents = ImmutableArray.CreateBuilder<DesignedDocument>();
        foreach (var doc in parsed)
        {
            if (doc.Root is not JsonObject root)
            {
                return Fail(doc.Index, doc.Line, "expected a Kubernetes object (a mapping with apiVersion, kind and metadata), found " + Describe(doc.Root));
            }

            var kind = root["kind"] is JsonValue k && k.GetValueKind() == JsonValueKind.String ? k.GetValue<string>() : null;
            if (kind is null)
            {
                return Fail(doc.Index, doc.Line, "the object has no kind: every object needs apiVersion and kind");
            }

            if (kind.EndsWith("List", StringComparison.Ordinal) && root["items"] is JsonArray items)
            {
                for (var i = 0; i < items.Count; i++)
                {
                    if (items[i] is not JsonObject item)
                    {
                        return Fail(doc.Index, doc.LineOf(items[i]), $"items[{i}]: expected a Kubernetes object, found {Describe(items[i])}");
                    }

                    documents.Add(new DesignedDocument(Detach(item), doc.Index, doc.LineOf(item)));
                }

                continue;
            }

            documents.Add(new DesignedDocument(root, doc.Index, doc.Line));
        }

        if (documents.Count == 0)
        {
            return Fail(0, 1, "the text holds no objects (only comments or empty documents)");
        }

        return new DesignInputResult(documents.ToImmutable(), null);
    }

    private static DesignInputResult Fail(int document, int line, string message) => new([], new DesignInputError(document, line, message));

    private static JsonObject Detach(JsonObject item) => (JsonObject)item.DeepClone();

    private static string Describe(JsonNode? node) => node switch
    {
        null => "null",
        JsonArray => "a list",
        JsonValue v when v.GetValueKind() == JsonValueKind.String => $"the text \"{v.GetValue<string>()}\"",
        _ => node.ToJsonString(),
    };

    /// <summary>The 0-based document holding <paramref name="line"/>: the number of separators with content before it.</summary>
    private static int DocumentAt(string text, int line)
    {
        var count = 0;
        var current = 1;
        var sawContent = false;
        foreach (var l in text.Split('\n'))
        {
            if (current >= line)
            {
                break;
            }

            if (l.StartsWith("---", StringComparison.Ordinal))
            {
                if (sawContent)
                {
                    count++;
                }

                sawContent = false;
            }
            else if (l.Trim().Length > 0 && !l.TrimStart().StartsWith('#'))
            {
                sawContent = true;
            }

            current++;
        }

        return count;
    }

    private static string WithoutPosition(string message)
    {
        // YamlDotNet prefixes messages with "(Line: a, Col: b, Idx: c) - (Line: ...): "; the line is reported separately.
        var i = message.LastIndexOf("): ", StringComparison.Ordinal);
        return i >= 0 ? message[(i + 3)..] : message;
    }
}
