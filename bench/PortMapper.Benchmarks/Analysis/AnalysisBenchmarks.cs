using BenchmarkDotNet.Attributes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Benchmarks.Analysis;

/// <summary>Full analysis of a cluster, and the incremental update after one pod changes.</summary>
[MemoryDiagnoser]
public class AnalysisBenchmarks
{
    private ClusterSnapshot _snapshot = ClusterSnapshot.Empty;
    private ClusterAnalyzer _analyzer = null!;
    private Pod _ready = null!;
    private Pod _unready = null!;
    private bool _flip;

    [Params("10k", "50k")]
    public string Scale { get; set; } = "10k";

    [GlobalSetup]
    public void Setup()
    {
        _snapshot = Scales.Snapshot(Scale);
        _analyzer = new ClusterAnalyzer(_snapshot);
        _ready = _snapshot.Pods.Values.OrderBy(p => p.Metadata.Name, StringComparer.Ordinal).First();
        _unready = _ready with { Ready = false };
    }

    [Benchmark]
    public int FullAnalysis() => ClusterAnalyzer.Analyze(_snapshot).Paths.Length;

    /// <summary>One pod flips readiness; its Services, its Ingresses and its node are recomputed.</summary>
    [Benchmark]
    public int OnePodChange()
    {
        _flip = !_flip;
        return _analyzer.Apply(new ClusterChange(ChangeType.Modified, _flip ? _unready : _ready)).Paths.Length;
    }
}
