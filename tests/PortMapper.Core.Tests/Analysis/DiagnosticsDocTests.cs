using System.Reflection;
using System.Text.RegularExpressions;
using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Analysis;

/// <summary>docs/diagnostics.md documents every code, with the severity the engine gives it and an example that triggers it.</summary>
public partial class DiagnosticsDocTests
{
    public static TheoryData<string> AllCodes { get; } = [.. DefinedCodes()];

    [Fact]
    public void DiagnosticsDoc_Sections_OnePerDefinedCode()
    {
        var sections = Sections();

        Assert.Equal(DefinedCodes(), sections.Keys.Order(StringComparer.Ordinal).ToArray());
    }

    [Theory]
    [MemberData(nameof(AllCodes))]
    public void DiagnosticsDoc_ExampleOfCode_TriggersItWithTheDocumentedSeverity(string code)
    {
        var section = Sections()[code];
        var severity = SeverityLine().Match(section);
        var yaml = YamlBlock().Match(section);
        Assert.True(severity.Success && yaml.Success, $"The section of {code} needs a '**Title** — severity,' line and a yaml example.");
        var loaded = ManifestLoader.LoadText(yaml.Groups["yaml"].Value, $"{code}.yaml");

        var analysis = ClusterAnalyzer.Analyze(ClusterSnapshot.From(loaded.Objects), ManifestFindings.From(loaded));

        Assert.Empty(loaded.Errors);
        var found = analysis.Diagnostics.Where(d => d.Code == code).ToList();
        Assert.True(found.Count > 0, $"The example of {code} does not trigger it; it gives: {string.Join("; ", analysis.Diagnostics)}");
        Assert.All(found, d => Assert.Equal(severity.Groups["severity"].Value, d.Severity.ToString().ToLowerInvariant()));
    }

    private static string[] DefinedCodes() =>
        [.. typeof(Codes).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => f.IsLiteral)
            .Select(f => (string)f.GetRawConstantValue()!)
            .Order(StringComparer.Ordinal)];

    private static Dictionary<string, string> Sections()
    {
        var text = File.ReadAllText(FindDoc());
        return SectionHeading().Split(text)
            .Skip(1)
            .Chunk(2)
            .ToDictionary(pair => pair[0], pair => pair[1], StringComparer.Ordinal);
    }

    private static string FindDoc()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "docs", "diagnostics.md");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new FileNotFoundException("docs/diagnostics.md not found above " + AppContext.BaseDirectory);
    }

    [GeneratedRegex(@"^## (PM\d{3})\s*$", RegexOptions.Multiline)]
    private static partial Regex SectionHeading();

    [GeneratedRegex(@"^\*\*[^*]+\*\* — (?<severity>error|warning|info),", RegexOptions.Multiline)]
    private static partial Regex SeverityLine();

    [GeneratedRegex(@"```yaml\n(?<yaml>.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex YamlBlock();
}
