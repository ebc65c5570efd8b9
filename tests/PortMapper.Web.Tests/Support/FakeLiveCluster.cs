using System.Collections.Immutable;
using System.Text.Json.Nodes;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;

namespace PortMapper.Web.Tests.Support;

/// <summary>
/// Stands in for a real cluster (kind kubeconfig or in-cluster) where a test needs no API server: the demo's objects,
/// with the connection state and the apply switch a live source would have.
/// </summary>
internal sealed class FakeLiveCluster(ClusterSourceKind kind = ClusterSourceKind.Kubeconfig, bool canApply = true) : IClusterSource
{
    private readonly DemoCluster _inner = DemoCluster.CreateDefault();

    public ClusterSourceInfo Info { get; } = new(kind, "kind-test", "kind-test", "https://127.0.0.1:6443");

    public ConnectionState State { get; set; } = new(ConnectionStatus.Live);

    public ClusterSnapshot Snapshot => _inner.Snapshot;

    public bool CanApply { get; } = canApply;

    public Task StartAsync(CancellationToken cancellationToken) => _inner.StartAsync(cancellationToken);

    public ClusterSubscription Subscribe() => _inner.Subscribe();

    public Task<JsonObject?> GetObjectAsync(ObjectRef reference, CancellationToken cancellationToken) => _inner.GetObjectAsync(reference, cancellationToken);

    public Task<ImmutableArray<ApplyObjectResult>> ApplyAsync(IReadOnlyList<JsonObject> objects, ApplyOptions options, CancellationToken cancellationToken) =>
        _inner.ApplyAsync(objects, options, cancellationToken);

    public ValueTask DisposeAsync() => _inner.DisposeAsync();
}
