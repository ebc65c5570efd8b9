using System.Text.Json.Nodes;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;

namespace PortMapper.Core.Tests.Validation;

internal static class ValidationTestSupport
{
    /// <summary>One object from YAML (flow style such as <c>{ports: [{port: 80}]}</c> keeps cases on one line).</summary>
    public static JsonObject Yaml(string text) =>
        Assert.IsType<JsonObject>(Assert.Single(YamlToJson.Parse(text, "test")).Root);

    public static JsonObject Service(string spec, string name = "web") => Yaml($$"""
        apiVersion: v1
        kind: Service
        metadata:
          name: {{name}}
          namespace: demo
        spec: {{spec}}
        """);

    public static JsonObject Pod(string spec, string name = "web") => Yaml($$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
          namespace: demo
          labels:
            app: {{name}}
        spec: {{spec}}
        """);

    public static JsonObject Ingress(string spec, string name = "web") => Yaml($$"""
        apiVersion: networking.k8s.io/v1
        kind: Ingress
        metadata:
          name: {{name}}
          namespace: demo
        spec: {{spec}}
        """);

    /// <summary>A workload whose selector and template labels agree, around the given pod template spec.</summary>
    public static JsonObject Workload(string kind, string templateSpec, string name = "web") => Yaml($$"""
        apiVersion: {{(kind == "Job" ? "batch/v1" : "apps/v1")}}
        kind: {{kind}}
        metadata:
          name: {{name}}
          namespace: demo
        spec:
          selector:
            matchLabels:
              app: {{name}}
          template:
            metadata:
              labels:
                app: {{name}}
            spec: {{templateSpec}}
        """);

    /// <remarks>An array, not an ImmutableArray: xunit would compare ImmutableArrays by reference (their IEquatable).</remarks>
    public static string[] Messages(IEnumerable<ValidationFinding> findings) => [.. findings.Select(f => f.Message)];

    public static string Describe(IEnumerable<ValidationFinding> findings) =>
        string.Join(Environment.NewLine, findings.Select(f => $"[{f.Severity}] {f.Message}"));

    /// <summary>The repository's root, found from the test's output folder, for files the tests share with other projects.</summary>
    public static string RepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PortMapper.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No PortMapper.sln above {AppContext.BaseDirectory}.");
    }

    public static string Recording(string name) => Path.Combine(RepoRoot(), "tests", "fixtures", "k8s-recordings", name);

    public static ClusterSnapshot Seed(string file)
    {
        var result = ManifestLoader.LoadFile(Path.Combine("samples", "seeds", file));
        Assert.Empty(result.Errors);
        return ClusterSnapshot.From(result.Objects);
    }

    /// <summary>The documents of a seed file, as written, for use as designed objects.</summary>
    public static JsonObject SeedObject(string file, string kind, string name) =>
        YamlToJson.Parse(File.ReadAllText(Path.Combine("samples", "seeds", file)), file)
            .Select(d => (JsonObject)d.Root!)
            .Single(o => (string?)o["kind"] == kind && (string?)o["metadata"]?["name"] == name);
}
