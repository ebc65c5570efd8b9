using System.Text.Json.Nodes;
using PortMapper.Core.Loading;

namespace PortMapper.Web.Tests.Deployment;

/// <summary>The repository's deployment files, read the way the tools that use them read them.</summary>
internal static class RepoFiles
{
    public static string Root { get; } = FindRoot();

    public static string PathOf(string relative) => System.IO.Path.Combine(Root, relative);

    /// <summary>Every YAML document of a file as JSON (YamlDotNet underneath, like ManifestLoader).</summary>
    public static List<JsonObject> Yaml(string relative) =>
        [.. YamlToJson.Parse(File.ReadAllText(PathOf(relative)), relative).Select(d => (JsonObject)d.Root!)];

    public static string Text(JsonNode? node) => node?.GetValue<string>() ?? throw new InvalidOperationException("missing value");

    public static List<string> Strings(JsonNode? node) => node is JsonArray a ? [.. a.Select(Text)] : [];

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "PortMapper.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("PortMapper.sln not found above " + AppContext.BaseDirectory);
    }
}

/// <summary>A Dockerfile as instructions (continuation lines joined, comments dropped), grouped by stage.</summary>
internal sealed record Dockerfile(List<(string Stage, string Instruction, string Arguments)> Instructions)
{
    public static Dockerfile Read(string path)
    {
        var instructions = new List<(string, string, string)>();
        var stage = "";
        var pending = "";
        foreach (var raw in File.ReadLines(path))
        {
            var line = raw.Trim();
            if (pending.Length == 0 && (line.Length == 0 || line.StartsWith('#')))
            {
                continue;
            }

            if (line.EndsWith('\\'))
            {
                pending += line[..^1] + " ";
                continue;
            }

            line = pending + line;
            pending = "";
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var instruction = line[..space].ToUpperInvariant();
            var arguments = line[(space + 1)..].Trim();
            if (instruction == "FROM")
            {
                var parts = arguments.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                stage = parts.Length == 3 && parts[1].Equals("AS", StringComparison.OrdinalIgnoreCase) ? parts[2] : parts[0];
            }

            instructions.Add((stage, instruction, arguments));
        }

        return new Dockerfile(instructions);
    }

    public IEnumerable<string> Get(string instruction, string? stage = null) =>
        Instructions.Where(i => i.Instruction == instruction && (stage is null || i.Stage == stage)).Select(i => i.Arguments);

    /// <summary>The runtime stage's ENTRYPOINT, which must use the exec (JSON array) form.</summary>
    public string[] Entrypoint() =>
        System.Text.Json.JsonSerializer.Deserialize<string[]>(Get("ENTRYPOINT", "runtime").Single())!;
}
