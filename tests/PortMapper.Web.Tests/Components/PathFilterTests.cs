using System.Collections.Immutable;
using PortMapper.Core.Analysis;
using PortMapper.Web.Components.Paths;

namespace PortMapper.Web.Tests.Components;

public sealed class PathFilterTests
{
    private static readonly ImmutableArray<PathRow> Rows = PathRow.From(DemoAnalysis().Paths);

    private static ClusterAnalysis DemoAnalysis() => ClusterAnalyzer.Analyze(PortMapper.Core.Demo.DemoCluster.CreateDefault().Snapshot);

    [Fact]
    public void Apply_NoFilter_KeepsEveryRowInOrder()
    {
        Assert.Equal(Rows, PathFilter.None.Apply(Rows));
    }

    [Fact]
    public void Apply_Status_KeepsOnlyThatStatus()
    {
        var broken = new PathFilter { Status = PathStatus.Broken }.Apply(Rows);

        Assert.NotEmpty(broken);
        Assert.All(broken, r => Assert.Equal(PathStatus.Broken, r.Status));
        Assert.Equal(Rows.Count(r => r.Status == PathStatus.Broken), broken.Length);
    }

    [Fact]
    public void Apply_ExposureAndObjectText_BothMustMatch()
    {
        var shown = new PathFilter { Exposure = Exposure.NodePort, Object = "  NGINX " }.Apply(Rows);

        Assert.NotEmpty(shown);
        Assert.All(shown, r =>
        {
            Assert.Equal(Exposure.NodePort, r.Exposure);
            Assert.Contains("nginx", r.Object, StringComparison.OrdinalIgnoreCase);
        });
        Assert.Contains(shown, r => r.Id == "nodeport:default/nginx-service:30080/TCP");
    }

    [Fact]
    public void Apply_ChainText_MatchesAPortAnywhereInTheChain()
    {
        var shown = new PathFilter { Chain = ":30001" }.Apply(Rows);

        Assert.NotEmpty(shown);
        Assert.All(shown, r => Assert.Contains(":30001", r.Chain, StringComparison.Ordinal));
        Assert.True(shown.Length < Rows.Length);
    }

    [Fact]
    public void Apply_TextNothingHas_ShowsNoRows()
    {
        Assert.Empty(new PathFilter { Object = "no-such-object-anywhere" }.Apply(Rows));
        Assert.False(new PathFilter { Object = "x" }.IsEmpty);
        Assert.True(new PathFilter { Object = "  " }.IsEmpty);
    }

    [Fact]
    public void From_RowsComeInNamespaceOrder_SoGroupsDo()
    {
        var namespaces = Rows.Select(r => r.Namespace).ToList();

        Assert.Equal(namespaces.Order(StringComparer.Ordinal), namespaces);
    }

    [Fact]
    public void Count_WritesSingularAndPlural()
    {
        Assert.Equal("1 path", PathRow.Count(1, "path"));
        Assert.Equal("0 warnings", PathRow.Count(0, "warning"));
        Assert.Equal("2 policies", PathRow.Count(2, "policy", "policies"));
    }
}
