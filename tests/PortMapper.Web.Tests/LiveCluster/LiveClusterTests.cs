using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using PortMapper.TestApiServer;
using PortMapper.Web.Hosting;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Web.Tests.LiveCluster;

/// <summary>
/// The whole app on a kubeconfig that points at the test API server (a loopback kube-apiserver stand-in speaking
/// the real protocol, seeded with the objects recorded from a real cluster): what a user of a real cluster gets.
/// </summary>
public sealed class LiveClusterTests : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);
    private ApiServer _server = null!;
    private WebApplication _app = null!;
    private HttpClient _client = null!;
    private string _kubeconfig = null!;

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync();
        RecordedCluster.SeedInto(_server);

        _kubeconfig = Path.Combine(Path.GetTempPath(), $"portmapper-live-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(_kubeconfig, _server.Kubeconfig(_server.CreateToken("admin", "system:masters")));
        _app = PortMapperHost.Build(PortMapperOptions.Parse("--kubeconfig", _kubeconfig, "--urls", "http://127.0.0.1:0"));
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
        _client = new HttpClient { BaseAddress = new Uri(address) };
    }

    public async Task DisposeAsync()
    {
        _client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
        await _server.DisposeAsync();
        File.Delete(_kubeconfig);
    }

    [Fact]
    public async Task Start_WithAKubeconfig_ShowsTheLiveClustersPathsFromItsEndpointSlices()
    {
        var cluster = await Eventually(async () =>
        {
            var c = await _client.GetFromJsonAsync<JsonElement>("/api/cluster");
            return c.GetProperty("health").GetProperty("status").GetString() == "live" && c.GetProperty("objects").GetProperty("pods").GetInt32() == 5 ? c : (JsonElement?)null;
        });

        Assert.Equal("kubeconfig", cluster.GetProperty("source").GetString());
        Assert.Equal("test", cluster.GetProperty("context").GetString());
        Assert.False(cluster.GetProperty("canApply").GetBoolean());
        var paths = await _client.GetFromJsonAsync<JsonElement>("/api/paths?namespace=demo");
        var web = paths.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "nodeport:demo/web:80/TCP");
        var hops = web.GetProperty("hops");
        Assert.Equal(30080, hops[1].GetProperty("port").GetInt32());
        Assert.Equal(["172.18.0.2", "172.18.0.3", "172.18.0.4"], hops[1].GetProperty("addresses").EnumerateArray().Select(a => a.GetString()!).ToArray());
        Assert.Equal("10.96.47.34", hops[2].GetProperty("addresses")[0].GetString());
        var endpoints = hops[3].GetProperty("endpoints").EnumerateArray().ToList();
        Assert.Equal(3, endpoints.Count);
        Assert.All(endpoints, e => Assert.Equal(8080, e.GetProperty("port").GetInt32()));
        Assert.All(endpoints, e => Assert.False(e.GetProperty("predicted").GetBoolean()));
        Assert.Equal("ok", web.GetProperty("status").GetString());
    }

    [Fact]
    public async Task ServiceCreatedInTheCluster_AppearsInTheApiWithoutRestart()
    {
        await Eventually(async () => (await _client.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("health").GetProperty("status").GetString() == "live" ? true : (bool?)null);

        _server.Store.Put(JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"late","namespace":"demo"},
             "spec":{"type":"ClusterIP","clusterIP":"10.96.9.9","clusterIPs":["10.96.9.9"],"selector":{"app":"nothing-here"},"ports":[{"port":81,"protocol":"TCP","targetPort":81}]}}
            """)!.AsObject());

        var diagnostics = await Eventually(async () =>
        {
            using var response = await _client.GetAsync("/api/diagnostics?namespace=demo");
            var d = await response.Content.ReadFromJsonAsync<JsonElement>();
            return response.IsSuccessStatusCode && d.EnumerateArray().Any(x => x.GetProperty("object").GetProperty("name").GetString() == "late") ? d : (JsonElement?)null;
        });
        Assert.Contains(diagnostics.EnumerateArray(), d => d.GetProperty("code").GetString() == "PM001" && d.GetProperty("object").GetProperty("name").GetString() == "late");
    }

    [Fact]
    public async Task GetKubeProxy_LiveService_UsesTheRealEndpoints()
    {
        await Eventually(async () => (await _client.GetFromJsonAsync<JsonElement>("/api/cluster")).GetProperty("objects").GetProperty("endpointSlices").GetInt32() >= 3 ? true : (bool?)null);

        var rules = await Eventually(async () =>
        {
            using var response = await _client.GetAsync("/api/kubeproxy/demo/api");
            var text = await response.Content.ReadAsStringAsync();
            return response.IsSuccessStatusCode && text.Contains(":9090", StringComparison.Ordinal) ? new Wrapped(text) : (Wrapped?)null;
        });

        Assert.Contains("-d 10.96.", rules.Text, StringComparison.Ordinal);
        Assert.Contains(":9000", rules.Text, StringComparison.Ordinal);
        Assert.Contains(":9090", rules.Text, StringComparison.Ordinal);
    }

    private readonly record struct Wrapped(string Text);

    private static async Task<T> Eventually<T>(Func<Task<T?>> probe)
        where T : struct
    {
        using var timeout = new CancellationTokenSource(Patience);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            await Task.Delay(50, timeout.Token);
        }
    }
}
