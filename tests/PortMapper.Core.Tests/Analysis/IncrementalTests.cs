using PortMapper.Core.Analysis;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Tests.Fixtures;

namespace PortMapper.Core.Tests.Analysis;

/// <summary>
/// The incremental analyzer recomputes only what a change can affect; whatever it skips must not matter.
/// After every random change its result must equal a full analysis of the same snapshot.
/// </summary>
public class IncrementalTests
{
    private const int Steps = 600;

    [Theory]
    [InlineData(1, true)]
    [InlineData(2, true)]
    [InlineData(3, true)]
    [InlineData(1, false)]
    [InlineData(2, false)]
    [InlineData(3, false)]
    public void Apply_RandomChangesOneAtATime_MatchesFullAnalysis(int seed, bool live)
    {
        var random = new RandomCluster(seed, live);
        var snapshot = random.Initial(40);
        var analyzer = new ClusterAnalyzer(snapshot);

        for (var step = 1; step <= Steps; step++)
        {
            var change = random.Next(snapshot);
            snapshot = snapshot.Apply(change);

            var incremental = analyzer.Apply(change);
            var full = ClusterAnalyzer.Analyze(snapshot);

            AssertSame(full, incremental, $"seed {seed}, {(live ? "live" : "manifests")}, step {step}: {change.Type} {change.Object.Ref()}");
        }
    }

    [Theory]
    [InlineData(4, true)]
    [InlineData(4, false)]
    public void Apply_RandomBatchesOfChanges_MatchesFullAnalysis(int seed, bool live)
    {
        var random = new RandomCluster(seed, live);
        var snapshot = random.Initial(40);
        var analyzer = new ClusterAnalyzer(snapshot);

        for (var step = 1; step <= Steps / 5; step++)
        {
            var batch = new List<ClusterChange>();
            for (var i = 0; i < 5; i++)
            {
                var change = random.Next(snapshot);
                snapshot = snapshot.Apply(change);
                batch.Add(change);
            }

            var incremental = analyzer.Apply(batch);
            var full = ClusterAnalyzer.Analyze(snapshot);

            AssertSame(full, incremental, $"seed {seed}, {(live ? "live" : "manifests")}, batch {step}: {string.Join("; ", batch.Select(c => $"{c.Type} {c.Object.Ref()}"))}");
        }
    }

    [Fact]
    public void Apply_SliceLosesItsServiceNameLabel_OldServiceIsRecomputed()
    {
        var svc = TestCluster.Service("web", selector: null, ports: TestCluster.SvcPort(80));
        var slice = TestCluster.Slice("web-abc", "web", ports: [TestCluster.SlicePort(80)], endpoints: TestCluster.Endpoint("10.244.0.5"));
        var analyzer = new ClusterAnalyzer(TestCluster.Live(svc, slice));
        var unlabelled = slice with { Metadata = slice.Metadata with { Labels = TestCluster.Labels("") } };

        var result = analyzer.Apply(new ClusterChange(ChangeType.Modified, unlabelled));

        var path = Assert.Single(result.Paths);
        Assert.Empty(path.Hops[^1].Endpoints);
        Assert.Contains(result.Diagnostics, d => d.Code == Codes.NoSelectorNoEndpoints);
    }

    [Fact]
    public void Apply_SliceDeletedThroughBareTombstone_OldServiceIsRecomputed()
    {
        var svc = TestCluster.Service("web", selector: null, ports: TestCluster.SvcPort(80));
        var slice = TestCluster.Slice("web-abc", "web", ports: [TestCluster.SlicePort(80)], endpoints: TestCluster.Endpoint("10.244.0.5"));
        var analyzer = new ClusterAnalyzer(TestCluster.Live(svc, slice));
        var tombstone = new EndpointSlice(TestCluster.Meta("web-abc"));

        var result = analyzer.Apply(new ClusterChange(ChangeType.Deleted, tombstone));

        Assert.Contains(result.Diagnostics, d => d.Code == Codes.NoSelectorNoEndpoints);
    }

    [Fact]
    public void Apply_AnalyzerWithStaticDiagnostics_KeepsThemAcrossChanges()
    {
        var unreadable = new LoadIssue(new ObjectRef("Service", "default", "web"), "spec.ports[0].port", "expected an integer, found the string \"80\"", null).ToDiagnostic();
        var analyzer = new ClusterAnalyzer(TestCluster.Manifests(), [unreadable]);

        var result = analyzer.Apply(new ClusterChange(ChangeType.Added, TestCluster.Service("web", "app=web", ports: TestCluster.SvcPort(80))));

        Assert.Equal([Codes.SelectorMatchesNothing, Codes.UnreadableField], result.Diagnostics.Select(d => d.Code).Order(StringComparer.Ordinal).ToArray());
    }

    private static void AssertSame(ClusterAnalysis full, ClusterAnalysis incremental, string context)
    {
        var difference = AnalysisComparison.Difference(full, incremental);
        Assert.True(difference is null, $"Incremental analysis differs from a full analysis after {context}:\n{difference}");
    }
}
