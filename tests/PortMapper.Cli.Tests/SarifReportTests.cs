using System.Text.Json;
using PortMapper.Cli.Output;

namespace PortMapper.Cli.Tests;

/// <summary>The SARIF 2.1.0 output, checked against the parts of the schema code-scanning tools rely on.</summary>
public sealed class SarifReportTests
{
    [Fact]
    public void Sarif_DemoManifests_IsAValidRunWithRulesResultsAndLocations()
    {
        var run = CliRun.Of(["analyze", Repo.Root + "/samples/demo", Repo.Seeds, "--format", "sarif"]);

        Assert.Equal(1, run.ExitCode);
        using var json = JsonDocument.Parse(run.Stdout);
        var root = json.RootElement;
        Assert.Equal("2.1.0", root.GetProperty("version").GetString());
        Assert.Equal(SarifReport.SchemaUri, root.GetProperty("$schema").GetString());
        var sarifRun = Assert.Single(root.GetProperty("runs").EnumerateArray());
        var driver = sarifRun.GetProperty("tool").GetProperty("driver");
        Assert.Equal("PortMapper", driver.GetProperty("name").GetString());
        var rules = driver.GetProperty("rules").EnumerateArray().ToList();
        Assert.All(rules, r =>
        {
            Assert.Matches("^PM[0-9]{3}$", r.GetProperty("id").GetString());
            Assert.NotEmpty(r.GetProperty("shortDescription").GetProperty("text").GetString()!);
            Assert.NotEmpty(r.GetProperty("help").GetProperty("text").GetString()!);
        });

        var results = sarifRun.GetProperty("results").EnumerateArray().ToList();
        Assert.NotEmpty(results);
        foreach (var result in results)
        {
            var ruleId = result.GetProperty("ruleId").GetString();
            Assert.Equal(ruleId, rules[result.GetProperty("ruleIndex").GetInt32()].GetProperty("id").GetString());
            Assert.Contains(result.GetProperty("level").GetString(), new[] { "error", "warning", "note" });
            Assert.Contains(" Fix: ", result.GetProperty("message").GetProperty("text").GetString(), StringComparison.Ordinal);
            var location = Assert.Single(result.GetProperty("locations").EnumerateArray());
            Assert.NotEmpty(location.GetProperty("logicalLocations")[0].GetProperty("fullyQualifiedName").GetString()!);
            Assert.True(result.GetProperty("partialFingerprints").TryGetProperty("portmapper/v1", out _));
        }

        var located = results.Where(r => r.GetProperty("locations")[0].TryGetProperty("physicalLocation", out _)).ToList();
        Assert.NotEmpty(located);
        Assert.All(located, r =>
        {
            var physical = r.GetProperty("locations")[0].GetProperty("physicalLocation");
            var uri = physical.GetProperty("artifactLocation").GetProperty("uri").GetString()!;
            Assert.False(Path.IsPathRooted(uri), uri);
            Assert.DoesNotContain('\\', uri);
            Assert.EndsWith(".yaml", uri, StringComparison.Ordinal);
            Assert.True(physical.GetProperty("region").GetProperty("startLine").GetInt32() >= 1);
        });
    }

    [Fact]
    public void ArtifactUri_FileUnderTheBase_IsRelativeWithForwardSlashes()
    {
        var uri = SarifReport.ArtifactUri(new FindingLocation(Repo.Seed("01-port-targetport-nodeport.yaml"), 3), Repo.Root);

        Assert.Equal("samples/seeds/01-port-targetport-nodeport.yaml", uri);
    }

    [Fact]
    public void ArtifactUri_HelmTemplate_IsTheTemplate()
    {
        Assert.Equal("shop/templates/service.yaml", SarifReport.ArtifactUri(new FindingLocation("<stdin>", 3, "shop/templates/service.yaml"), Repo.Root));
        Assert.Null(SarifReport.ArtifactUri(new FindingLocation("<stdin>", 3), Repo.Root));
    }
}
