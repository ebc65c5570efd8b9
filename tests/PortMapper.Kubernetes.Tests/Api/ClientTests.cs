using System.Net;
using System.Net.Sockets;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Api;
using PortMapper.Kubernetes.Tests.Support;
using PortMapper.TestApiServer;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Api;

public sealed class ClientTests : IAsyncLifetime
{
    private ApiServer _server = null!;
    private string _token = "";

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(100) });
        _token = _server.CreateToken("admin", "system:masters");
        _server.Store.Put(K8s.Namespace("demo"));
        for (var i = 0; i < 5; i++)
        {
            _server.Store.Put(K8s.Pod("demo", $"web-{i}", $"10.244.1.{i + 10}"));
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private KubernetesApiClient Client(KubernetesClientOptions? options = null) => new(LiveSource.Connection(_server, _token), options);

    [Fact]
    public async Task ListAsync_MoreObjectsThanOnePage_ReadsEveryPage()
    {
        using var client = Client(new KubernetesClientOptions { PageSize = 2 });

        var list = await client.ListAsync(ResourceType.Pods, "demo", CancellationToken.None);

        Assert.Equal(["web-0", "web-1", "web-2", "web-3", "web-4"], list.Items.Select(p => p.Metadata.Name).ToArray());
        Assert.Equal(_server.Store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), list.ResourceVersion);
        Assert.Equal([false, true, true], _server.Requests.Select(r => r.Query.Contains("continue=", StringComparison.Ordinal)).ToArray());
    }

    [Fact]
    public async Task ListAsync_ContinueTokenExpires_ListsAgainFromTheStart()
    {
        using var client = Client(new KubernetesClientOptions { PageSize = 2 });
        _server.Faults.FailNext(1, 410, r => r.Query.ContainsKey("continue"));

        var list = await client.ListAsync(ResourceType.Pods, "demo", CancellationToken.None);

        Assert.Equal(5, list.Items.Length);
        Assert.Equal([false, true, false, true, true], _server.Requests.Select(r => r.Query.Contains("continue=", StringComparison.Ordinal)).ToArray());
    }

    [Fact]
    public async Task WatchAsync_Changes_ArriveAsTypedEventsWithBookmarks()
    {
        using var client = Client();
        var from = _server.Store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var events = new List<WatchEvent>();
        var watching = Task.Run(async () =>
        {
            await foreach (var e in client.WatchAsync(ResourceType.Pods, "demo", from, TimeSpan.FromSeconds(60), cts.Token))
            {
                events.Add(e);
                if (events.Any(x => x.Type == WatchEventType.Deleted) && e.Type == WatchEventType.Bookmark)
                {
                    return;
                }
            }
        });
        await Eventually.TrueAsync(() => _server.Faults.OpenWatches == 1);

        _server.Store.Put(K8s.Pod("demo", "new", "10.244.1.99"));
        _server.Store.Put(K8s.Pod("demo", "new", "10.244.1.99", label: "v2"));
        _server.Store.Delete("Pod", "demo", "new");
        await watching;

        var changes = events.Where(e => e.Type != WatchEventType.Bookmark).ToList();
        Assert.Equal([WatchEventType.Added, WatchEventType.Modified, WatchEventType.Deleted], changes.Select(e => e.Type).ToArray());
        Assert.Equal("v2", changes[1].Object!.Metadata.Labels["rev"]);
        Assert.Equal("10.244.1.99", ((Pod)changes[0].Object!).PodIp);
        Assert.Equal(_server.Store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture), events[^1].ResourceVersion);
        Assert.Equal($"?watch=1&allowWatchBookmarks=true&timeoutSeconds=60&resourceVersion={from}", Assert.Single(_server.Requests).Query);
    }

    [Fact]
    public async Task WatchAsync_ResourceVersionCompacted_ThrowsResourceVersionExpired()
    {
        using var client = Client();
        var old = _server.Store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        _server.Store.Put(K8s.Pod("demo", "later", "10.244.1.50"));
        _server.Store.Compact();

        var e = await Assert.ThrowsAsync<ResourceVersionExpiredException>(async () =>
        {
            await foreach (var _ in client.WatchAsync(ResourceType.Pods, null, old, TimeSpan.FromSeconds(5), CancellationToken.None))
            {
            }
        });

        Assert.StartsWith($"too old resource version: {old} (", e.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WatchAsync_OutlivesTheRequestTimeout_StillDeliversEvents()
    {
        using var client = Client(new KubernetesClientOptions { RequestTimeout = TimeSpan.FromSeconds(1) });
        await client.GetVersionAsync(CancellationToken.None);
        var from = _server.Store.Revision.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var events = client.WatchAsync(ResourceType.Pods, "demo", from, TimeSpan.FromSeconds(60), cts.Token).GetAsyncEnumerator(cts.Token);
        Assert.True(await events.MoveNextAsync());

        // Well past the request timeout, the stream is still the same healthy watch.
        await Task.Delay(TimeSpan.FromSeconds(2.5), cts.Token);
        _server.Store.Put(K8s.Pod("demo", "late", "10.244.1.77"));
        WatchEvent e;
        do
        {
            Assert.True(await events.MoveNextAsync());
            e = events.Current;
        }
        while (e.Type == WatchEventType.Bookmark);

        Assert.Equal(("late", 1), (e.Object!.Metadata.Name, _server.Requests.Count(r => r.Query.Contains("watch=1", StringComparison.Ordinal))));
    }

    [Fact]
    public async Task GetAsync_ExistingAndMissing_ReturnsObjectOrNull()
    {
        using var client = Client();

        var pod = await client.GetAsync(ResourceType.Pods, "demo", "web-3", CancellationToken.None);
        var missing = await client.GetAsync(ResourceType.Pods, "demo", "nope", CancellationToken.None);

        Assert.Equal("10.244.1.13", Assert.IsType<Pod>(pod).PodIp);
        Assert.Null(missing);
        Assert.Equal("v1.32.13", await client.GetVersionAsync(CancellationToken.None));
    }

    [Fact]
    public async Task ListAsync_ServerError_ExplainsWhatFailedAndThatItIsRetried()
    {
        using var client = Client();
        _server.Faults.FailNext(1, 500);

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => client.ListAsync(ResourceType.Services, null, CancellationToken.None));

        Assert.Equal((500, "InternalError"), (e.Code, e.Reason));
        Assert.Contains("failed list services (500 InternalError): Internal error occurred: injected fault", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_SlowServer_TimesOutWithTheDeadlineInTheMessage()
    {
        using var client = Client(new KubernetesClientOptions { RequestTimeout = TimeSpan.FromMilliseconds(200) });
        _server.Faults.Latency = TimeSpan.FromSeconds(5);

        var e = await Assert.ThrowsAsync<KubernetesConnectionException>(() => client.ListAsync(ResourceType.Pods, null, CancellationToken.None));

        Assert.Equal(ConnectionFailure.Timeout, e.Failure);
        Assert.Contains("did not answer list pods within 0.2 s", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ListAsync_NothingListening_SaysConnectionRefused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var connection = LiveSource.Connection(_server, _token);
        using var client = new KubernetesApiClient(new PortMapper.Kubernetes.Config.KubernetesConnection
        {
            Server = new Uri($"https://127.0.0.1:{port}"),
            Kind = connection.Kind,
            ContextName = "test",
            CertificateAuthorities = connection.CertificateAuthorities,
            Credentials = connection.Credentials,
        });

        var e = await Assert.ThrowsAsync<KubernetesConnectionException>(() => client.ListAsync(ResourceType.Pods, null, CancellationToken.None));

        Assert.Equal(ConnectionFailure.Refused, e.Failure);
        Assert.Contains($"https://127.0.0.1:{port} (list pods): connection refused", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IsServedAsync_BuiltInAndMissingApis_TrueOrFalseWithoutAnError()
    {
        using var client = Client();

        var answers = (
            await client.IsServedAsync("networking.k8s.io/v1", "networkpolicies", CancellationToken.None),
            await client.IsServedAsync("v1", "services", CancellationToken.None),
            await client.IsServedAsync("networking.k8s.io/v1", "clusternetworkpolicies", CancellationToken.None),
            await client.IsServedAsync("gateway.networking.k8s.io/v1", "httproutes", CancellationToken.None),
            await client.IsServedAsync("example.com/v1", "widgets", CancellationToken.None));

        Assert.Equal((true, true, false, true, false), answers);
        Assert.Contains(_server.Requests, r => r.Path == "/apis/example.com/v1");
    }

    [Fact]
    public async Task IsServedAsync_GroupTheClusterLeftOut_IsNotInstalled()
    {
        await using var server = await ApiServer.StartAsync(new TestApiServerOptions { Unserved = new HashSet<string> { "networking.k8s.io/v1" } });
        using var client = new KubernetesApiClient(LiveSource.Connection(server, server.CreateToken("admin", "system:masters")));

        Assert.False(await client.IsServedAsync("networking.k8s.io/v1", "networkpolicies", CancellationToken.None));
        Assert.True(await client.IsServedAsync("discovery.k8s.io/v1", "endpointslices", CancellationToken.None));
    }

    [Fact]
    public async Task IsServedAsync_Forbidden_IsAnErrorNotAMissingApi()
    {
        using var client = new KubernetesApiClient(LiveSource.Connection(_server, "not-a-token"));

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => client.IsServedAsync("networking.k8s.io/v1", "networkpolicies", CancellationToken.None));

        Assert.True(e.IsUnauthorized);
    }
}
