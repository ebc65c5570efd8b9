using PortMapper.Core.Demo;
using PortMapper.Web.Hosting;

namespace PortMapper.Web.Tests.Hosting;

/// <summary>--demo-size: the demo on a generated cluster, for benchmarks (bench/browser).</summary>
public sealed class DemoSizeTests
{
    [Fact]
    public void Parse_DemoSize_IsKeptAndHiddenFromHelp()
    {
        var result = PortMapperCommandLine.Parse(["--demo-size", "1000"]);
        var help = new StringWriter();
        PortMapperCommandLine.Parse(["--help"]).Stop(help, TextWriter.Null);

        Assert.Equal(1000, result.Options?.DemoSize);
        Assert.DoesNotContain("--demo-size", help.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--demo-size", "5", "--demo-size: 5 pods is outside 10-200000.")]
    [InlineData("--demo-size", "1000", "--demo-size generates a demo cluster: it cannot be combined with --manifests, --kubeconfig or --context.", "--context", "prod")]
    public void Parse_BadDemoSize_SaysWhy(string option, string value, string error, params string[] more)
    {
        var result = PortMapperCommandLine.Parse([option, value, .. more]);

        Assert.Null(result.Options);
        Assert.Contains(error, result.Errors);
    }

    [Fact]
    public void Synthetic_1000Pods_Has100ServicesAnd20Nodes()
    {
        var demo = ClusterSources.Synthetic(1000, new DemoClusterOptions());

        Assert.Equal(1000, demo.Snapshot.Pods.Count);
        Assert.Equal(100, demo.Snapshot.Services.Count);
        Assert.Equal(20, demo.Snapshot.Nodes.Count);
        Assert.Equal("synthetic demo (1,000 pods)", demo.Info.DisplayName);
    }
}
