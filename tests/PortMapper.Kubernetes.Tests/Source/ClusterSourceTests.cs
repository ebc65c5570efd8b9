using PortMapper.Core.Cluster;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Informers;
using PortMapper.Kubernetes.Tests.Support;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Source;

public class ClusterSourceTests
{
    [Fact]
    public async Task Subscribe_AfterSync_GivesTheSnapshotThenBatchesOfLaterChanges()
    {
        await using var server = await ApiServer.StartAsync();
        var token = server.CreateToken("admin", "system:masters");
        server.Store.PutAll([K8s.Namespace("demo"), K8s.Service("demo", "web", "NodePort", nodePort: 30080), K8s.Pod("demo", "web-1", "10.244.1.2")]);
        await using var source = LiveSource.For(server, token);
        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());

        using var subscription = source.Subscribe();
        server.Store.Put(K8s.Pod("demo", "web-2", "10.244.1.3"));
        // A batch may also carry only a state change (docs/kubernetes.md): under load an informer can reconnect in between.
        var batch = await subscription.Updates.ReadAsync(Eventually.Limit());
        while (batch.Changes.IsEmpty)
        {
            batch = await subscription.Updates.ReadAsync(Eventually.Limit());
        }

        Assert.Equal(ConnectionStatus.Live, subscription.InitialState.Status);
        Assert.Equal(30080, subscription.Initial.Services[new ObjectKey("demo", "web")].Ports[0].NodePort);
        Assert.True(subscription.Initial.EndpointSlicesAuthoritative);
        var change = Assert.Single(batch.Changes);
        Assert.Equal((ChangeType.Added, "web-2"), (change.Type, change.Object.Metadata.Name));
        Assert.Same(batch.Snapshot, source.Snapshot);
    }

    [Fact]
    public async Task Subscription_Disposed_IsRemovedAndItsChannelCompletes()
    {
        await using var server = await ApiServer.StartAsync();
        await using var source = LiveSource.For(server, server.CreateToken("admin", "system:masters"));
        await source.StartAsync(CancellationToken.None);
        var first = source.Subscribe();
        using var second = source.Subscribe();

        first.Dispose();

        Assert.Equal(1, source.SubscriberCount);
        Assert.False(await first.Updates.WaitToReadAsync(Eventually.Limit()));
    }

    [Fact]
    public async Task Dispose_CompletesEverySubscription()
    {
        await using var server = await ApiServer.StartAsync();
        var source = LiveSource.For(server, server.CreateToken("admin", "system:masters"));
        await source.StartAsync(CancellationToken.None);
        using var subscription = source.Subscribe();

        await source.DisposeAsync();

        Assert.Equal(0, source.SubscriberCount);
        await subscription.Updates.Completion.WaitAsync(Eventually.Limit());
    }

    [Fact]
    public async Task Info_KubeconfigContext_NamesContextAndServerOnly()
    {
        await using var server = await ApiServer.StartAsync();
        var token = server.CreateToken("admin", "system:masters");
        await using var source = LiveSource.For(server, token);

        var server0 = server.BaseAddress.GetLeftPart(UriPartial.Authority);
        Assert.Equal(new ClusterSourceInfo(ClusterSourceKind.Kubeconfig, "test", "test", server0), source.Info);
        Assert.Equal(ConnectionStatus.Connecting, source.State.Status);
        Assert.False(source.CanApply);
    }

    [Fact]
    public async Task State_WrongCredentials_IsFailedWithAPlainExplanation()
    {
        await using var server = await ApiServer.StartAsync();
        await using var source = LiveSource.For(server, "not-a-valid-token");
        await source.StartAsync(CancellationToken.None);

        // The source's state follows its informers' through the batching loop: a moment after the last one fails.
        var allFailed = await Eventually.TrueAsync(() =>
            source.Informers.All(i => i.State.Status == InformerStatus.Failed) && source.State.Status == ConnectionStatus.Failed);

        Assert.True(allFailed, $"informers: {string.Join(", ", source.Informers.Select(i => i.State.Status))}; source: {source.State.Status}");
        Assert.Contains("did not accept PortMapper's credentials (401 Unauthorized)", source.State.LastError, StringComparison.Ordinal);
    }

    [Fact]
    public void Coalesce_ChangesToOneObject_FoldIntoOne()
    {
        Pod P(string name, string rv) => new(new ObjectMeta { Name = name, Namespace = "a", ResourceVersion = rv });
        ClusterChange C(ChangeType t, Pod p) => new(t, p);

        var folded = Kubernetes.Informers.ChangeBatch.Coalesce([
            C(ChangeType.Added, P("x", "1")), C(ChangeType.Modified, P("x", "2")),
            C(ChangeType.Added, P("y", "3")), C(ChangeType.Deleted, P("y", "4")),
            C(ChangeType.Deleted, P("z", "5")), C(ChangeType.Added, P("z", "6")),
            C(ChangeType.Modified, P("w", "7")), C(ChangeType.Deleted, P("w", "8")),
        ]);

        Assert.Equal(
            [(ChangeType.Added, "x", "2"), (ChangeType.Modified, "z", "6"), (ChangeType.Deleted, "w", "8")],
            folded.Select(c => (c.Type, c.Object.Metadata.Name, c.Object.Metadata.ResourceVersion!)).ToArray());
    }

    [Fact]
    public void ApplyBatch_ManyChanges_GivesTheSameSnapshotAsOneByOne()
    {
        var changes = Enumerable.Range(0, 100)
            .Select(i => new ClusterChange(i % 7 == 6 ? ChangeType.Deleted : ChangeType.Added, new Pod(new ObjectMeta { Name = $"p{i % 40}", Namespace = "a", ResourceVersion = $"{i}" })))
            .ToList();

        var batched = Kubernetes.Informers.ChangeBatch.Apply(ClusterSnapshot.Empty, changes);

        Assert.Equal(LiveSource.StateOf(ClusterSnapshot.Empty.Apply(changes)), LiveSource.StateOf(batched));
    }
}
