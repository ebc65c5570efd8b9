using PortMapper.Core.Cluster;

namespace PortMapper.Web.Hosting;

/// <summary>Starts the shared live analysis with the app and stops it, and the cluster source, on shutdown.</summary>
internal sealed class LiveAnalysisHost(LiveAnalysis live, ILogger<LiveAnalysisHost> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await live.StartAsync(cancellationToken);
        var info = live.Source.Info;
        var snapshot = live.Current.Analysis.Snapshot;
        logger.LogInformation("Cluster source: {Kind} ({Name}); {Pods} pods, {Services} services, {Paths} paths",
            info.KindName, info.DisplayName, snapshot.Pods.Count, snapshot.Services.Count, live.Current.Analysis.Paths.Length);
    }

    public async Task StopAsync(CancellationToken cancellationToken) => await live.DisposeAsync();
}
