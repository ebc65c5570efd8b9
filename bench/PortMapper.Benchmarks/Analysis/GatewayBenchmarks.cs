using BenchmarkDotNet.Attributes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Benchmarks.Analysis;

/// <summary>
/// The Gateway API at scale: 5,000 HTTPRoutes (two rules, three backendRefs each) on one shared Gateway, in front of
/// the 50k-pod cluster: the full analysis with them, and the update after one route changes (its unit and the
/// listener-wide checks: conflicts, shadowing).
/// </summary>
[MemoryDiagnoser]
public class GatewayBenchmarks
{
    private ClusterSnapshot _snapshot = ClusterSnapshot.Empty;
    private ClusterAnalyzer _analyzer = null!;
    private HttpRoute _route = null!;
    private HttpRoute _edited = null!;
    private bool _flip;

    [Params(5_000)]
    public int Routes { get; set; } = 5_000;

    [GlobalSetup]
    public void Setup()
    {
        _snapshot = Scales.Snapshot("50k", Routes);
        _analyzer = new ClusterAnalyzer(_snapshot);
        _route = _snapshot.Routes.Values.OrderBy(r => r.Metadata.Name, StringComparer.Ordinal).First();
        _edited = _route with { Hostnames = [.. _route.Hostnames, "extra.example.com"] };
    }

    [Benchmark]
    public int FullAnalysisWithRoutes() => ClusterAnalyzer.Analyze(_snapshot).Paths.Length;

    [Benchmark]
    public int OneRouteChange()
    {
        _flip = !_flip;
        return _analyzer.Apply(new ClusterChange(ChangeType.Modified, _flip ? _edited : _route)).Paths.Length;
    }
}
