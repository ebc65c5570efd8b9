using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;

namespace PortMapper.Web.Tests.Support;

/// <summary>
/// A live cluster the test drives by hand: the demo's objects at start, then whatever batches (changes and connection
/// states) the test pushes through <see cref="Push"/>, as a watch would deliver them.
/// </summary>
internal sealed class ChannelClusterSource : IClusterSource
{
    private readonly Channel<ClusterBatch> _updates = Channel.CreateUnbounded<ClusterBatch>();
    private readonly ClusterSnapshot _initial = DemoCluster.CreateDefault().Snapshot;

    public ClusterSourceInfo Info { get; } = new(ClusterSourceKind.Kubeconfig, "kind-test", "kind-test", "https://127.0.0.1:6443");

    public ConnectionState State { get; private set; } = new(ConnectionStatus.Live);

    public ClusterSnapshot Snapshot => _initial;

    public bool CanApply => false;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ClusterSubscription Subscribe() => new(_initial, State, _updates.Reader, () => { });

    /// <summary>Delivers a connection state (and no object changes) to the subscriber.</summary>
    public void Push(ConnectionState state)
    {
        State = state;
        Assert.True(_updates.Writer.TryWrite(new ClusterBatch(_initial, [], state)));
    }

    public Task<JsonObject?> GetObjectAsync(ObjectRef reference, CancellationToken cancellationToken) => Task.FromResult<JsonObject?>(null);

    public Task<ImmutableArray<ApplyObjectResult>> ApplyAsync(IReadOnlyList<JsonObject> objects, ApplyOptions options, CancellationToken cancellationToken) =>
        throw new NotSupportedException("read-only test source");

    public ValueTask DisposeAsync()
    {
        _updates.Writer.TryComplete();
        return ValueTask.CompletedTask;
    }
}
