using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Model;
using YamlDotNet.Core;

namespace PortMapper.Core.Loading;

/// <summary>A file or document PortMapper could not read at all.</summary>
public sealed record LoadError(string File, int? DocumentIndex, int? Line, string Message)
{
    public override string ToString()
    {
        var where = File;
        if (DocumentIndex is { } d)
        {
            where += $" (document {d + 1}";
            where += Line is { } l ? $", line {l})" : ")";
        }
        else if (Line is { } l)
        {
            where += $" (line {l})";
        }

        return $"{where}: {Message}";
    }
}

/// <summary>A document of a kind PortMapper does not model (ConfigMap, Secret...): listed, not analysed.</summary>
public sealed record SkippedObject(string ApiVersion, string Kind, string Name, SourceLocation Source);

/// <summary>The objects read from a set of manifests, and everything that could not be used.</summary>
/// <remarks><see cref="Raw"/> holds each object of <see cref="Objects"/> as written, at the same index.</remarks>
public sealed record LoadResult(ImmutableArray<IKubeObject> Objects, ImmutableArray<JsonObject> Raw, ImmutableArray<SkippedObject> Skipped, ImmutableArray<LoadIssue> Issues, ImmutableArray<LoadError> Errors)
{
    public static LoadResult Empty { get; } = new([], [], [], [], []);

    public LoadResult Merge(LoadResult other) => new(
        Objects.AddRange(other.Objects), Raw.AddRange(other.Raw), Skipped.AddRange(other.Skipped), Issues.AddRange(other.Issues), Errors.AddRange(other.Errors));
}

/// <summary>
/// Reads manifests: multi-document YAML, JSON, <c>kind: List</c> and <c>kubectl get -o yaml|json</c> output.
/// Nothing here throws on bad input: every problem becomes a <see cref="LoadError"/> or <see cref="LoadIssue"/>.
/// </summary>
public static class ManifestLoader
{
    private static readonly string[] Extensions = [".yaml", ".yml", ".json"];

    /// <summary>Loads files and directories (recursively: *.yaml, *.yml, *.json). "-" reads standard input.</summary>
    public static LoadResult LoadPaths(IEnumerable<string> paths, TextReader? stdin = null)
    {
        var result = LoadResult.Empty;
        foreach (var path in paths)
        {
            if (path == "-")
            {
                result = result.Merge(LoadText((stdin ?? Console.In).ReadToEnd(), "<stdin>"));
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                             .Where(f => Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
                             .Order(StringComparer.Ordinal))
                {
                    result = result.Merge(LoadFile(file));
                }
            }
            else if (File.Exists(path))
            {
                result = result.Merge(LoadFile(path));
            }
            else
            {
                result = result with { Errors = result.Errors.Add(new LoadError(path, null, null, "no such file or directory")) };
            }
        }

        return result;
    }

    public static LoadResult LoadFile(string file)
    {
        try
        {
            return LoadText(File.ReadAllText(file), file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return LoadResult.Empty with { Errors = [new LoadError(file, null, null, $"cannot read the file: {e.Message}")] };
        }
    }

    /// <summary>Loads YAML or JSON text; <paramref name="file"/> only names it in messages.</summary>
    public static LoadResult LoadText(string text, string file)
    {
        IReadOnlyList<ManifestDocument> documents;
        var errors = ImmutableArray.CreateBuilder<LoadError>();
        if (LooksLikeJson(text))
        {
            // kubectl get -o json of a large cluster is tens of megabytes: the JSON reader is far faster than YAML's.
            if (ParseJson(text, file) is not { } json)
            {
                return LoadResult.Empty with { Errors = [JsonError(text, file)] };
            }

            documents = [json];
        }
        else
        {
            try
            {
                documents = YamlToJson.Parse(text, file);
            }
            catch (YamlException)
            {
                documents = ParseDocumentByDocument(text, file, errors);
            }
        }

        var objects = ImmutableArray.CreateBuilder<IKubeObject>();
        var raw = ImmutableArray.CreateBuilder<JsonObject>();
        var skipped = ImmutableArray.CreateBuilder<SkippedObject>();
        var issues = new List<LoadIssue>();
        var reader = new ModelReader(issues);
        foreach (var doc in documents)
        {
            if (doc.Root is not JsonObject root)
            {
                errors.Add(new LoadError(file, doc.Index, doc.Line, "expected a Kubernetes object (a mapping with apiVersion and kind)"));
                continue;
            }

            var kind = root["kind"] is JsonValue k && k.GetValueKind() == JsonValueKind.String ? k.GetValue<string>() : null;
            if (kind is null)
            {
                errors.Add(new LoadError(file, doc.Index, doc.Line, "the document has no kind: every object needs apiVersion and kind"));
                continue;
            }

            if (kind.EndsWith("List", StringComparison.Ordinal) && root["items"] is JsonArray items)
            {
                for (var i = 0; i < items.Count; i++)
                {
                    if (items[i] is JsonObject item)
                    {
                        ReadOne(item, new SourceLocation(file, doc.Index, doc.LineOf(item)), $"items[{i}]");
                    }
                    else
                    {
                        errors.Add(new LoadError(file, doc.Index, doc.LineOf(items[i]), $"items[{i}]: expected a Kubernetes object"));
                    }
                }

                continue;
            }

            ReadOne(root, new SourceLocation(file, doc.Index, doc.Line), null);
        }

        // Broken documents are found while parsing, the others while reading: report them all in file order.
        return new LoadResult(objects.ToImmutable(), raw.ToImmutable(), skipped.ToImmutable(), [.. issues], [.. errors.OrderBy(e => e.DocumentIndex).ThenBy(e => e.Line)]);

        void ReadOne(JsonObject obj, SourceLocation source, string? itemPath)
        {
            var kind = obj["kind"] is JsonValue k && k.GetValueKind() == JsonValueKind.String ? k.GetValue<string>() : null;
            var apiVersion = obj["apiVersion"] is JsonValue a && a.GetValueKind() == JsonValueKind.String ? a.GetValue<string>() : "";
            if (kind is null)
            {
                errors.Add(new LoadError(file, source.DocumentIndex, source.Line, $"{itemPath}: the object has no kind"));
                return;
            }

            if (!ModelReader.IsModelled(kind, apiVersion) && !ModelReader.IsKubeProxyConfig(obj))
            {
                var name = obj["metadata"]?["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : "";
                skipped.Add(new SkippedObject(apiVersion, kind, name, source));
                return;
            }

            if (reader.Read(obj, source) is { } model)
            {
                objects.Add(model);
                raw.Add(obj);
            }
        }
    }

    private static bool LooksLikeJson(string text)
    {
        var first = text.AsSpan().TrimStart();
        return first.Length > 0 && first[0] == '{';
    }

    private static readonly JsonDocumentOptions JsonOptions = new() { MaxDepth = 64 };

    /// <summary>The whole text as one JSON document, or null when it is not valid JSON (duplicate keys included).</summary>
    private static ManifestDocument? ParseJson(string text, string file)
    {
        try
        {
            var root = JsonNode.Parse(text, documentOptions: JsonOptions);
            Touch(root);
            return new ManifestDocument(root, file, 0, 1, new Dictionary<JsonNode, int>());
        }
        catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException)
        {
            return null;
        }

        // JsonObject builds its dictionary on first use, where a duplicate key throws: find out now.
        static void Touch(JsonNode? node)
        {
            switch (node)
            {
                case JsonObject o:
                    foreach (var (_, child) in o)
                    {
                        Touch(child);
                    }

                    break;
                case JsonArray a:
                    foreach (var child in a)
                    {
                        Touch(child);
                    }

                    break;
            }
        }
    }

    private static LoadError JsonError(string text, string file)
    {
        try
        {
            using var doc = JsonDocument.Parse(text, JsonOptions);
            var duplicate = FindDuplicateKey(doc.RootElement);
            return new LoadError(file, 0, null, duplicate is null ? "malformed JSON" : $"malformed JSON: duplicate key \"{duplicate}\"");
        }
        catch (JsonException e)
        {
            return new LoadError(file, 0, (int)(e.LineNumber ?? 0) + 1, $"malformed JSON: {e.Message.Split(" LineNumber", 2)[0]}");
        }
    }

    private static string? FindDuplicateKey(JsonElement element)
    {
        if (element.ValueKind == JsonValueKind.Object)
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var p in element.EnumerateObject())
            {
                if (!seen.Add(p.Name))
                {
                    return p.Name;
                }

                if (FindDuplicateKey(p.Value) is { } inner)
                {
                    return inner;
                }
            }
        }
        else if (element.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                if (FindDuplicateKey(item) is { } inner)
                {
                    return inner;
                }
            }
        }

        return null;
    }

    /// <summary>
    /// Parses each part between "---" lines on its own, as kubectl splits a stream before decoding it, so that one
    /// broken document costs only itself. Each broken part becomes a LoadError naming its document and line.
    /// </summary>
    private static List<ManifestDocument> ParseDocumentByDocument(string text, string file, ImmutableArray<LoadError>.Builder errors)
    {
        var documents = new List<ManifestDocument>();
        var lines = text.Split('\n');
        var index = 0;
        var start = 0;
        var hasContent = false;
        for (var i = 0; i <= lines.Length; i++)
        {
            // Directives and comments before a "---" belong to the document it starts.
            if (i < lines.Length && (!IsDocumentSeparator(lines[i]) || !hasContent))
            {
                var trimmed = lines[i].Trim();
                hasContent |= trimmed.Length > 0 && trimmed[0] is not '#' and not '%' && !IsDocumentSeparator(lines[i]);
                continue;
            }

            try
            {
                var parsed = YamlToJson.Parse(string.Join('\n', lines[start..i]), file, start + 1, index);
                documents.AddRange(parsed);
                index += parsed.Count;
            }
            catch (YamlException e)
            {
                // An error found at the end of the stream points past the last line; name the last line written.
                var last = Array.FindLastIndex(lines, i - 1, i - start, l => l.Trim().Length > 0) + 1;
                errors.Add(new LoadError(file, index, Math.Min((int)e.Start.Line + start, Math.Max(last, start + 1)), $"malformed YAML: {Clean(e.Message)}"));
                index++;
            }

            start = i;
            hasContent = false;
        }

        return documents;
    }

    private static bool IsDocumentSeparator(string line)
    {
        if (!line.StartsWith("---", StringComparison.Ordinal))
        {
            return false;
        }

        var rest = line.AsSpan(3).Trim();
        return rest.IsEmpty || rest[0] == '#';
    }

    private static string Clean(string message)
    {
        // YamlDotNet prefixes messages with "(Line: a, Col: b, Idx: c) - (Line: ...): "; the line is reported separately.
        var i = message.LastIndexOf("): ", StringComparison.Ordinal);
        return i >= 0 ? message[(i + 3)..] : message;
    }
}
