using System.Threading.Channels;
using PortMapper.Core.Cluster;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Tests.Support;
using PortMapper.TestApiServer;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Informers;

/// <summary>The cache ends up equal to the server however the connection misbehaves on the way.</summary>
public class ConvergenceTests
{
    private static async Task<(ApiServer Server, KubernetesClusterSource Source, ClusterSubscription Subscription)> StartAsync(KubernetesSourceOptions? options = null)
    {
        var server = await ApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        var token = server.CreateToken("admin", "system:masters");
        server.Store.PutAll([K8s.Namespace("a"), K8s.Namespace("b"), K8s.Node("node-a", "172.18.0.2"), K8s.IngressClass("nginx")]);
        var source = LiveSource.For(server, token, options);
        var subscription = source.Subscribe();
        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());
        return (server, source, subscription);
    }

    /// <summary>Applies every batch a subscriber received to its initial snapshot, as a UI would.</summary>
    private static ClusterSnapshot Replay(ClusterSubscription subscription)
    {
        var snapshot = subscription.Initial;
        while (subscription.Updates.TryRead(out var batch))
        {
            snapshot = snapshot.Apply(batch.Changes);
        }

        return snapshot;
    }

    private static async Task<bool> ConvergedAsync(ApiServer server, KubernetesClusterSource source) =>
        await Eventually.TrueAsync(() => source.State.Status == ConnectionStatus.Live && LiveSource.StateOf(server).SequenceEqual(LiveSource.StateOf(source.Snapshot)), TimeSpan.FromSeconds(60));

    [Fact]
    public async Task Cache_SeededRandomChangesUnderFaults_EqualsTheServerState()
    {
        var (server, source, subscription) = await StartAsync();
        await using var _ = server;
        await using var __ = source;
        using var ___ = subscription;
        var random = new Random(20261122);
        var objects = new List<(string Kind, string Ns, string Name)>();
        var faults = new Dictionary<string, int>();

        for (var step = 0; step < 200; step++)
        {
            var roll = random.Next(100);
            var ns = random.Next(2) == 0 ? "a" : "b";
            if (roll < 35 || objects.Count == 0)
            {
                var name = $"obj-{step}";
                var kind = random.Next(3) switch { 0 => "Pod", 1 => "Service", _ => "EndpointSlice" };
                server.Store.Put(Make(kind, ns, name, 0, random));
                objects.Add((kind, ns, name));
            }
            else if (roll < 60)
            {
                var (kind, objectNs, name) = objects[random.Next(objects.Count)];
                server.Store.Put(Make(kind, objectNs, name, step, random));
            }
            else if (roll < 75)
            {
                var victim = objects[random.Next(objects.Count)];
                objects.Remove(victim);
                server.Store.Delete(victim.Kind, victim.Ns, victim.Name);
            }
            else
            {
                var fault = random.Next(6) switch
                {
                    0 => Fault(server.Faults.DropWatches, "drop"),
                    1 => Fault(server.Store.Compact, "compact (410)"),
                    2 => Fault(() => server.Faults.FailNext(2, 500), "500"),
                    3 => Fault(server.Faults.StallWatches, "stall"),
                    4 => Fault(server.Faults.CutNextEvents, "cut mid-event"),
                    _ => Fault(() => server.Faults.ExpireNextWatches(1), "watch 410"),
                };
                faults[fault] = faults.GetValueOrDefault(fault) + 1;
            }

            if (random.Next(3) == 0)
            {
                await Task.Delay(random.Next(1, 40));
            }
        }

        var converged = await ConvergedAsync(server, source);

        Assert.True(converged, $"state {source.State.StatusName} ({source.State.LastError}); server-only: "
            + string.Join(", ", LiveSource.StateOf(server).Except(LiveSource.StateOf(source.Snapshot)))
            + "; cache-only: " + string.Join(", ", LiveSource.StateOf(source.Snapshot).Except(LiveSource.StateOf(server))));
        Assert.Equal(LiveSource.StateOf(source.Snapshot), LiveSource.StateOf(Replay(subscription)));
        Assert.True(source.Snapshot.EndpointSlicesAuthoritative);
        Assert.Equal(6, faults.Count);
        var lists = server.Requests.Count(r => r.Method == "GET" && !r.Query.Contains("watch=1", StringComparison.Ordinal));
        Assert.True(lists > 7 * 2, $"expected re-lists after 410s, saw {lists} list requests");
    }

    private static string Fault(Action action, string name)
    {
        action();
        return name;
    }

    private static System.Text.Json.Nodes.JsonObject Make(string kind, string ns, string name, int version, Random random) => kind switch
    {
        "Pod" => K8s.Pod(ns, name, $"10.244.{random.Next(1, 250)}.{random.Next(1, 250)}", label: $"v{version}"),
        "Service" => K8s.Service(ns, name, port: 80 + version),
        _ => K8s.EndpointSlice(ns, "svc", name, $"10.244.9.{version % 250}"),
    };

    [Fact]
    public async Task Relist_After410_ReportsWhatChangedMeanwhileAsChanges()
    {
        var (server, source, subscription) = await StartAsync();
        await using var _ = server;
        await using var __ = source;
        using var ___ = subscription;
        server.Store.PutAll([K8s.Pod("a", "stays", "10.244.1.1"), K8s.Pod("a", "goes", "10.244.1.2")]);
        Assert.True(await Eventually.TrueAsync(() => source.Snapshot.Pods.Count == 2));

        // While the pod watch is stalled, one pod goes, one comes, and history is compacted: only a re-list can tell.
        server.Faults.StallWatches();
        server.Store.Delete("Pod", "a", "goes");
        server.Store.Put(K8s.Pod("b", "comes", "10.244.1.3"));
        server.Store.Compact();
        Assert.True(await ConvergedAsync(server, source));

        var changes = new List<ClusterChange>();
        while (subscription.Updates.TryRead(out var batch))
        {
            changes.AddRange(batch.Changes.Where(c => c.Object is Pod));
        }

        Assert.Contains(changes, c => c.Type == ChangeType.Deleted && c.Object.Metadata.Name == "goes");
        Assert.Contains(changes, c => c.Type == ChangeType.Added && c.Object.Metadata.Name == "comes");
        Assert.Equal(["comes", "stays"], source.Snapshot.Pods.Values.Select(p => p.Metadata.Name).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task Watchdog_SilentWatch_IsRestartedAndLaterChangesArrive()
    {
        var (server, source, subscription) = await StartAsync();
        await using var _ = server;
        await using var __ = source;
        using var ___ = subscription;
        var watchesBefore = server.Requests.Count(r => r.Path == "/api/v1/pods" && r.Query.Contains("watch=1", StringComparison.Ordinal));

        server.Faults.StallWatches();
        server.Store.Put(K8s.Pod("a", "after-stall", "10.244.1.9"));

        Assert.True(await Eventually.TrueAsync(() => source.Snapshot.Pods.ContainsKey(new ObjectKey("a", "after-stall"))));
        Assert.True(server.Requests.Count(r => r.Path == "/api/v1/pods" && r.Query.Contains("watch=1", StringComparison.Ordinal)) > watchesBefore);
    }

    [Fact]
    public async Task State_ServerFailsThenRecovers_ShowsReconnectingWithTheErrorThenLive()
    {
        var (server, source, subscription) = await StartAsync();
        await using var _ = server;
        await using var __ = source;
        using var ___ = subscription;

        server.Faults.FailNext(int.MaxValue, 500);
        server.Faults.DropWatches();
        var sawReconnecting = await Eventually.TrueAsync(() =>
            source.State is { Status: ConnectionStatus.Reconnecting, LastError: { } e } && e.Contains("injected fault", StringComparison.Ordinal));
        var error = source.State.LastError;
        server.Faults.ClearFailures();
        var recovered = await Eventually.TrueAsync(() => source.State.Status == ConnectionStatus.Live);

        Assert.True(sawReconnecting && recovered);
        Assert.Contains("Internal error occurred: injected fault", error, StringComparison.Ordinal);
        Assert.Contains("PortMapper retries", error, StringComparison.Ordinal);
        var states = new List<ConnectionStatus>();
        while (subscription.Updates.TryRead(out var batch))
        {
            states.Add(batch.State.Status);
        }

        var transitions = states.Where((s, i) => i == 0 || states[i - 1] != s).ToArray();
        Assert.Equal([ConnectionStatus.Live, ConnectionStatus.Reconnecting, ConnectionStatus.Live], transitions.SkipWhile(s => s == ConnectionStatus.Connecting).ToArray());
    }
}
