using BenchmarkDotNet.Attributes;
using PortMapper.Benchmarks.Analysis;
using PortMapper.Core.Analysis;
using PortMapper.Web.Graph;

namespace PortMapper.Benchmarks.Graph;

/// <summary>
/// The graph page's share of a live change (docs/benchmarks.md, "Graph in the browser"): the model of the open view
/// built from a new analysis, and the difference to what the browser shows.
/// </summary>
[MemoryDiagnoser]
public class GraphModelBenchmarks
{
    private ClusterAnalysis _analysis = null!;
    private GraphView _oneOpen = GraphView.Default;
    private GraphModel _shown = GraphModel.Empty;

    [Params("10k", "50k")]
    public string Scale { get; set; } = "10k";

    [GlobalSetup]
    public void Setup()
    {
        _analysis = ClusterAnalyzer.Analyze(Scales.Snapshot(Scale));
        var first = _analysis.Snapshot.NamespaceNames().First(n => n.StartsWith("team-", StringComparison.Ordinal));
        _oneOpen = GraphView.Default with { ExpandedNamespaces = [first] };
        _shown = GraphBuilder.Build(_analysis, _oneOpen);
    }

    /// <summary>Every namespace collapsed: the first view of a large cluster.</summary>
    [Benchmark]
    public int BuildAllCollapsed() => GraphBuilder.Build(_analysis).Nodes.Length;

    /// <summary>One namespace of a thousand pods open, the rest collapsed.</summary>
    [Benchmark]
    public int BuildOneNamespaceOpen() => GraphBuilder.Build(_analysis, _oneOpen, _shown.Order).Nodes.Length;

    /// <summary>What a live change costs the page: the new model and its difference to the shown one.</summary>
    [Benchmark]
    public bool BuildAndDiff() => GraphDiff.Between(_shown, GraphBuilder.Build(_analysis, _oneOpen, _shown.Order)).IsEmpty;
}
