using System.Text.Json.Nodes;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Cluster;

public class LiveAnalysisTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Subscribe_ThenApplyToTheSource_DeliversAnUpdatedAnalysis()
    {
        var demo = DemoCluster.CreateDefault();
        await using var live = new LiveAnalysis(demo);
        await live.StartAsync(CancellationToken.None);
        var (reader, handle) = live.Subscribe();
        using var _ = handle;
        var before = live.Current.Version;

        await demo.ApplyAsync(
            [JsonNode.Parse("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"fresh","namespace":"default"},"spec":{"selector":{"name":"nginx-pod"},"ports":[{"port":81,"targetPort":80}]}}""")!.AsObject()],
            new ApplyOptions(false), CancellationToken.None);

        using var timeout = new CancellationTokenSource(Patience);
        AnalysisUpdate update;
        do
        {
            update = await reader.ReadAsync(timeout.Token);
        }
        while (update.Analysis.FindPath("clusterip:default/fresh:81/TCP") is null);

        Assert.True(update.Version > before);
        Assert.Contains(update.Changes, c => c.Object is Service { Metadata.Name: "fresh" });
        Assert.Same(update, live.Current);
    }

    [Fact]
    public async Task SwitchSource_ToAnotherCluster_ViewersGetItsAnalysisAndTheOldSourceIsStopped()
    {
        var first = DemoCluster.CreateDefault();
        await using var live = new LiveAnalysis(first);
        await live.StartAsync(CancellationToken.None);
        var (reader, handle) = live.Subscribe();
        using var _ = handle;
        using var watcherOfFirst = first.Subscribe();
        var second = DemoCluster.FromManifests(ManifestLoader.LoadText("""
            apiVersion: v1
            kind: Service
            metadata: {name: only, namespace: other}
            spec: {ports: [{port: 1234}]}
            """, "other.yaml"));

        await live.SwitchSourceAsync(second, null, CancellationToken.None);

        using var timeout = new CancellationTokenSource(Patience);
        var update = await reader.ReadAsync(timeout.Token);
        Assert.Same(second, live.Source);
        Assert.NotNull(update.Analysis.FindPath("clusterip:other/only:1234/TCP"));
        Assert.Null(update.Analysis.FindPath("nodeport:default/nginx-service:30080/TCP"));
        // Disposing the old source ends its watch streams.
        await watcherOfFirst.Updates.Completion.WaitAsync(timeout.Token);
    }
}
