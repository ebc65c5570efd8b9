using System.Globalization;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace PortMapper.Core.Loading;

/// <summary>One YAML or JSON document as a JSON tree, with the line each node starts on.</summary>
public sealed class ManifestDocument(JsonNode? root, string file, int index, int line, IReadOnlyDictionary<JsonNode, int> lines)
{
    public JsonNode? Root { get; } = root;

    public string File { get; } = file;

    /// <summary>0-based position of the document in its file (or of the item in a List).</summary>
    public int Index { get; } = index;

    /// <summary>1-based line the document starts on.</summary>
    public int Line { get; } = line;

    public int LineOf(JsonNode? node) => node is not null && lines.TryGetValue(node, out var l) ? l : Line;
}

/// <summary>
/// Reads YAML the way the API server's YAML decoder does (YAML 1.1 scalars, as sigs.k8s.io/yaml and go-yaml v2
/// resolve them): plain true/false/yes/no/on/off are booleans, plain numbers are numbers, quoted scalars stay strings.
/// </summary>
public static class YamlToJson
{
    /// <summary>Deeper nesting is refused: the reader recurses, and no Kubernetes object comes close.</summary>
    public const int MaxDepth = 1000;

    /// <summary>At most this many nodes per document may come from aliases, so that nested aliases cannot expand without bound.</summary>
    public const int MaxAliasedNodes = 100_000;

    /// <param name="text">YAML or JSON.</param>
    /// <param name="file">Names the source in the documents.</param>
    /// <param name="firstLine">The line of the file <paramref name="text"/> starts on, when it is only a part of the file.</param>
    /// <param name="firstIndex">The index in the file of the first document of <paramref name="text"/>.</param>
    public static IReadOnlyList<ManifestDocument> Parse(string text, string file, int firstLine = 1, int firstIndex = 0)
    {
        var documents = new List<ManifestDocument>();
        var parser = new GuardedParser(new Parser(new StringReader(text)));
        parser.Consume<StreamStart>();
        while (parser.TryConsume<DocumentStart>(out var start))
        {
            var state = new ReadState { LineOffset = firstLine - 1 };
            JsonNode? root = null;
            var line = (int)start.Start.Line + state.LineOffset;
            if (!parser.Accept<DocumentEnd>(out _))
            {
                line = (int)parser.Current!.Start.Line + state.LineOffset;
                root = ReadNode(parser, state, 0);
            }

            parser.Consume<DocumentEnd>();
            if (root is not null)
            {
                documents.Add(new ManifestDocument(root, file, firstIndex + documents.Count, line, state.Lines));
            }
        }

        parser.Consume<StreamEnd>();
        return documents;
    }

    /// <summary>
    /// YamlDotNet's scanner throws InvalidOperationException on some malformed input (an unclosed flow mapping at the
    /// end of a document); callers are promised a YamlException, with a position, for every malformed document.
    /// </summary>
    private sealed class GuardedParser(IParser inner) : IParser
    {
        private Mark _last = Mark.Empty;

        public ParsingEvent? Current => inner.Current;

        public bool MoveNext()
        {
            try
            {
                var moved = inner.MoveNext();
                _last = inner.Current?.End ?? _last;
                return moved;
            }
            catch (Exception e) when (e is not YamlException)
            {
                throw new YamlException(_last, _last, "cannot parse the YAML after this point (look for an unclosed bracket, brace or quote)");
            }
        }
    }

    private sealed class ReadState
    {
        public Dictionary<JsonNode, int> Lines { get; } = new(ReferenceEqualityComparer.Instance);

        public int LineOffset { get; init; }

        public Dictionary<string, (JsonNode? Node, int Size)> Anchors { get; } = new(StringComparer.Ordinal);

        /// <summary>Nodes created so far, aliased copies included.</summary>
        public int Nodes { get; set; }

        public int AliasedNodes { get; set; }
    }

    private static JsonNode? ReadNode(IParser parser, ReadState state, int depth)
    {
        var current = parser.Current!;
        if (depth > MaxDepth)
        {
            throw new YamlException(current.Start, current.End, $"nesting deeper than {MaxDepth} levels");
        }

        var line = (int)current.Start.Line + state.LineOffset;
        var firstNode = state.Nodes;
        JsonNode? node;
        if (parser.TryConsume<AnchorAlias>(out var alias))
        {
            if (!state.Anchors.TryGetValue(alias.Value.Value, out var target))
            {
                throw new YamlException(alias.Start, alias.End, $"unknown alias *{alias.Value.Value}");
            }

            state.AliasedNodes += target.Size;
            state.Nodes += target.Size;
            if (state.AliasedNodes > MaxAliasedNodes)
            {
                throw new YamlException(alias.Start, alias.End, $"aliases expand to more than {MaxAliasedNodes} nodes");
            }

            return target.Node?.DeepClone();
        }

        if (parser.TryConsume<Scalar>(out var scalar))
        {
            node = ScalarToNode(scalar);
            Remember(scalar.Anchor, node);
        }
        else if (parser.TryConsume<SequenceStart>(out var seqStart))
        {
            var array = new JsonArray();
            while (!parser.TryConsume<SequenceEnd>(out _))
            {
                array.Add(ReadNode(parser, state, depth + 1));
            }

            node = array;
            Remember(seqStart.Anchor, node);
        }
        else if (parser.TryConsume<MappingStart>(out var mapStart))
        {
            var obj = new JsonObject();
            while (!parser.TryConsume<MappingEnd>(out _))
            {
                var keyEvent = parser.Current!;
                var key = ReadNode(parser, state, depth + 1);
                var value = ReadNode(parser, state, depth + 1);
                var keyText = key switch
                {
                    null => "null",
                    JsonValue v => v.ToString(),
                    _ => throw new YamlException(keyEvent.Start, keyEvent.End, "a mapping key must be a scalar"),
                };
                if (keyText == "<<" && value is JsonObject merge)
                {
                    foreach (var (k, v) in merge)
                    {
                        if (!obj.ContainsKey(k))
                        {
                            obj[k] = v?.DeepClone();
                        }
                    }

                    continue;
                }

                if (obj.ContainsKey(keyText))
                {
                    // The API server's decoder (sigs.k8s.io/yaml in strict mode) refuses duplicate keys; so do we.
                    throw new YamlException(keyEvent.Start, keyEvent.End, $"duplicate key \"{keyText}\"");
                }

                obj[keyText] = value;
            }

            node = obj;
            Remember(mapStart.Anchor, node);
        }
        else
        {
            var e = parser.Current!;
            throw new YamlException(e.Start, e.End, $"unexpected {e.GetType().Name}");
        }

        if (node is not null)
        {
            state.Lines[node] = line;
        }

        return node;

        void Remember(AnchorName anchor, JsonNode? value)
        {
            state.Nodes++;
            if (!anchor.IsEmpty)
            {
                state.Anchors[anchor.Value] = (value, state.Nodes - firstNode);
            }
        }
    }

    private static JsonNode? ScalarToNode(Scalar scalar)
    {
        var v = scalar.Value;
        if (scalar.Style != ScalarStyle.Plain || (!scalar.Tag.IsNonSpecific && !scalar.Tag.IsEmpty && scalar.Tag.Value == "tag:yaml.org,2002:str"))
        {
            return JsonValue.Create(v);
        }

        switch (v)
        {
            case "" or "~" or "null" or "Null" or "NULL":
                return null;
            case "true" or "True" or "TRUE" or "yes" or "Yes" or "YES" or "on" or "On" or "ON" or "y" or "Y":
                return JsonValue.Create(true);
            case "false" or "False" or "FALSE" or "no" or "No" or "NO" or "off" or "Off" or "OFF" or "n" or "N":
                return JsonValue.Create(false);
        }

        var plain = v.Replace("_", "", StringComparison.Ordinal);
        if (plain.StartsWith("0x", StringComparison.Ordinal) && long.TryParse(plain.AsSpan(2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hex))
        {
            return JsonValue.Create(hex);
        }

        if (IsDecimalInteger(plain) && long.TryParse(plain, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
        {
            return integer is >= int.MinValue and <= int.MaxValue ? JsonValue.Create((int)integer) : JsonValue.Create(integer);
        }

        // go-yaml keeps a float that overflows (1e999) as a string; an infinite number would also break JSON output.
        if (IsFloat(plain) && double.TryParse(plain, NumberStyles.Float, CultureInfo.InvariantCulture, out var real) && double.IsFinite(real))
        {
            return JsonValue.Create(real);
        }

        return JsonValue.Create(v);
    }

    private static bool IsDecimalInteger(string s)
    {
        var i = s.Length > 0 && (s[0] == '-' || s[0] == '+') ? 1 : 0;
        return i < s.Length && s.AsSpan(i).IndexOfAnyExceptInRange('0', '9') < 0;
    }

    private static bool IsFloat(string s) =>
        s.Length > 0 && (char.IsAsciiDigit(s[^1]) || s[^1] == '.') && s.Any(char.IsAsciiDigit) &&
        s.AsSpan().IndexOfAnyExcept("0123456789.eE+-") < 0 && s.Count(c => c == '.') <= 1 && (s.Contains('.') || s.Contains('e') || s.Contains('E'));
}
