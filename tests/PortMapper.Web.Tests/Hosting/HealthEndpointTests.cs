using System.Net;
using System.Text.Json;
using PortMapper.Core.Cluster;
using PortMapper.Web.Hosting;
using PortMapper.Web.Tests.Support;

namespace PortMapper.Web.Tests.Hosting;

public sealed class HealthEndpointTests
{
    [Fact]
    public async Task Healthz_Demo_AnswersOk()
    {
        await using var app = await TestApp.StartAsync([]);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("ok", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Readyz_Demo_IsReady()
    {
        await using var app = await TestApp.StartAsync([]);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(json.RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal("demo", json.RootElement.GetProperty("source").GetString());
    }

    [Fact]
    public async Task Readyz_LiveClusterStillConnecting_Answers503WithTheReason()
    {
        var cluster = new FakeLiveCluster { State = new ConnectionState(ConnectionStatus.Connecting) };
        await using var app = await TestApp.StartAsync([], cluster);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.StartsWith("application/json", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.False(json.RootElement.GetProperty("ready").GetBoolean());
        Assert.Equal("connecting", json.RootElement.GetProperty("connection").GetString());
        Assert.Equal("Connecting to the API server at https://127.0.0.1:6443; ready once every resource has been listed.", json.RootElement.GetProperty("reason").GetString());
    }

    [Fact]
    public async Task Readyz_LiveClusterConnectedThenFailed_FollowsTheSourceState()
    {
        var cluster = new FakeLiveCluster();
        await using var app = await TestApp.StartAsync([], cluster);
        using var client = app.CreateClient();

        var live = await client.GetAsync("/readyz");
        cluster.State = new ConnectionState(ConnectionStatus.Failed, "401 Unauthorized: the token was rejected");
        var failed = await client.GetAsync("/readyz");

        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.Contains("401 Unauthorized: the token was rejected", await failed.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(ClusterSourceKind.Demo, ConnectionStatus.Failed, true)]
    [InlineData(ClusterSourceKind.Manifests, ConnectionStatus.Connecting, true)]
    [InlineData(ClusterSourceKind.Kubeconfig, ConnectionStatus.Live, true)]
    [InlineData(ClusterSourceKind.InCluster, ConnectionStatus.Live, true)]
    [InlineData(ClusterSourceKind.InCluster, ConnectionStatus.Connecting, false)]
    [InlineData(ClusterSourceKind.Kubeconfig, ConnectionStatus.Reconnecting, false)]
    [InlineData(ClusterSourceKind.Kubeconfig, ConnectionStatus.Failed, false)]
    public void Of_SourceAndState_IsReadyOnlyForSandboxesAndLiveConnections(ClusterSourceKind kind, ConnectionStatus status, bool ready)
    {
        var readiness = HealthEndpoints.Of(new ClusterSourceInfo(kind, "x"), new ConnectionState(status));

        Assert.Equal(ready, readiness.Ready);
        Assert.Equal(ready, readiness.Reason is null);
    }
}
