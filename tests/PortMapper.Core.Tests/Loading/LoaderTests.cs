using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Loading;

public class LoaderTests
{
    [Fact]
    public void LoadFile_MultiDocument_ReadsEveryObject()
    {
        var result = ManifestLoader.LoadFile(Path.Combine("samples", "seeds", "01-port-targetport-nodeport.yaml"));

        Assert.Empty(result.Errors);
        Assert.Equal(5, result.Objects.Length);
        var nginx = Assert.Single(result.Objects.OfType<Service>(), s => s.Metadata.Name == "nginx-service");
        var port = Assert.Single(nginx.Ports);
        Assert.Equal((30080, 30001), (port.Port, port.NodePort!.Value));
        Assert.Equal(IntOrName.FromNumber(80), port.TargetPort);
    }

    [Fact]
    public void LoadText_LabelsAsList_IssueNamesTheObjectItBelongsTo()
    {
        const string yaml = """
            apiVersion: v1
            kind: Pod
            metadata:
              name: first
              labels: [app]
            ---
            apiVersion: v1
            kind: Service
            metadata:
              name: second
              namespace: shop
              labels: [tier]
            """;

        var result = ManifestLoader.LoadText(yaml, "objects.yaml");

        Assert.Equal(2, result.Objects.Length);
        Assert.Collection(
            result.Issues,
            i => Assert.Equal((new ObjectRef("Pod", "default", "first"), "metadata.labels"), (i.Object, i.Field)),
            i => Assert.Equal((new ObjectRef("Service", "shop", "second"), "metadata.labels"), (i.Object, i.Field)));
    }

    [Fact]
    public void LoadText_FloatThatOverflows_KeptAsStringAndReported()
    {
        const string yaml = """
            apiVersion: v1
            kind: Service
            metadata:
              name: big
            spec:
              ports:
              - port: 1e999
            """;

        var result = ManifestLoader.LoadText(yaml, "big.yaml");

        var svc = Assert.IsType<Service>(Assert.Single(result.Objects));
        Assert.Equal(0, Assert.Single(svc.Ports).Port);
        var issue = Assert.Single(result.Issues);
        Assert.Equal("spec.ports[0].port", issue.Field);
        Assert.Contains("\"1e999\"", issue.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_NestingTooDeep_ReportsErrorInsteadOfOverflowingTheStack()
    {
        var yaml = "apiVersion: v1\nkind: ConfigMap\ndata: " + new string('[', 100_000) + new string(']', 100_000) + "\n";

        var result = ManifestLoader.LoadText(yaml, "deep.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(("deep.yaml", 0, 3), (error.File, error.DocumentIndex, error.Line));
        Assert.Contains("nesting deeper than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void LoadText_AliasesThatExpandExponentially_ReportsError()
    {
        var yaml = new System.Text.StringBuilder("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: laughs}\ndata:\n  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i <= 9; i++)
        {
            yaml.Append(System.Globalization.CultureInfo.InvariantCulture, $"  a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        }

        var result = ManifestLoader.LoadText(yaml.ToString(), "laughs.yaml");

        var error = Assert.Single(result.Errors);
        Assert.Equal(0, error.DocumentIndex);
        Assert.Contains("aliases expand to more than", error.Message, StringComparison.Ordinal);
    }
}
