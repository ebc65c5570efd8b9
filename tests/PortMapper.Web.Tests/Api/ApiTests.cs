using Microsoft.Extensions.DependencyInjection;
using Microsoft.AspNetCore.TestHost;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace PortMapper.Web.Tests.Api;

/// <summary>The JSON API (docs/api.md) over the demo cluster, through the in-memory server.</summary>
public sealed class ApiTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    private async Task<JsonElement> GetJsonAsync(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{url} answered {(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    [Fact]
    public async Task GetPaths_NginxNodePort_ReadsClientNodesClusterIpPod()
    {
        var paths = await GetJsonAsync("/api/paths?namespace=default");

        var path = paths.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "nodeport:default/nginx-service:30080/TCP");
        Assert.Equal("NodePort", path.GetProperty("exposure").GetString());
        Assert.Equal("external", path.GetProperty("from").GetString());
        Assert.Equal("ok", path.GetProperty("status").GetString());
        Assert.Equal("default/nginx-service", path.GetProperty("service").GetString());
        var hops = path.GetProperty("hops").EnumerateArray().ToList();
        Assert.Equal(["client", "nodePort", "clusterIP", "endpoints"], hops.Select(h => h.GetProperty("kind").GetString()!).ToArray());
        Assert.Equal(30001, hops[1].GetProperty("port").GetInt32());
        Assert.Equal(3, hops[1].GetProperty("nodes").GetArrayLength());
        Assert.Equal(30080, hops[2].GetProperty("port").GetInt32());
        var endpoint = Assert.Single(hops[3].GetProperty("endpoints").EnumerateArray());
        Assert.Equal(80, endpoint.GetProperty("port").GetInt32());
        Assert.Equal("default/nginx", endpoint.GetProperty("pod").GetString());
        Assert.All(paths.EnumerateArray(), p => Assert.Equal("default", p.GetProperty("namespace").GetString()));
    }

    [Fact]
    public async Task GetDiagnostics_ShopNamespace_EveryFindingWithObjectFieldMessageAndFix()
    {
        var diagnostics = await GetJsonAsync("/api/diagnostics?namespace=shop");

        var codes = diagnostics.EnumerateArray().Select(d => d.GetProperty("code").GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "PM001", "PM003", "PM004", "PM008", "PM009", "PM010" }, codes);
        var selector = diagnostics.EnumerateArray().Single(d => d.GetProperty("code").GetString() == "PM001");
        Assert.Equal("error", selector.GetProperty("severity").GetString());
        Assert.Equal("Service", selector.GetProperty("object").GetProperty("kind").GetString());
        Assert.Equal("cart", selector.GetProperty("object").GetProperty("name").GetString());
        Assert.Equal("spec.selector", selector.GetProperty("field").GetString());
        Assert.False(string.IsNullOrWhiteSpace(selector.GetProperty("fix").GetString()));
        Assert.Equal("error", diagnostics[0].GetProperty("severity").GetString());
    }

    [Fact]
    public async Task GetCluster_Demo_ReportsSourceCountsAndHealth()
    {
        var cluster = await GetJsonAsync("/api/cluster");

        Assert.Equal("demo", cluster.GetProperty("source").GetString());
        Assert.Equal(3, cluster.GetProperty("objects").GetProperty("nodes").GetInt32());
        Assert.True(cluster.GetProperty("objects").GetProperty("pods").GetInt32() > 10);
        Assert.Equal("live", cluster.GetProperty("health").GetProperty("status").GetString());
        Assert.True(cluster.GetProperty("canApply").GetBoolean());
    }

    [Fact]
    public async Task GetTrace_ExternalToANodePort_ReachesThePodThroughTheKubeProxyChains()
    {
        var trace = await GetJsonAsync("/api/trace?from=external&to=172.18.0.2:30001");

        Assert.True(trace.GetProperty("reachable").GetBoolean());
        Assert.Equal("nodeport:default/nginx-service:30080/TCP", trace.GetProperty("pathId").GetString());
        var chains = trace.GetProperty("hops").EnumerateArray().Select(h => h.TryGetProperty("chain", out var c) ? c.GetString() : null).OfType<string>().ToList();
        Assert.Contains("KUBE-NODEPORTS", chains);
        Assert.Contains(chains, c => c.StartsWith("KUBE-SVC-", StringComparison.Ordinal));
        Assert.Contains(chains, c => c.StartsWith("KUBE-SEP-", StringComparison.Ordinal));
        Assert.Equal(80, Assert.Single(trace.GetProperty("endpoints").EnumerateArray()).GetProperty("port").GetInt32());
    }

    [Fact]
    public async Task GetTrace_FromAPodNetworkPolicyBlocks_EachEndpointsVerdictAndWhereItStops()
    {
        var reports = PortMapper.Core.Demo.DemoCluster.CreateDefault().Snapshot.Pods.Values
            .Single(p => p.Metadata.Namespace == "bank" && p.Metadata.Labels.GetValueOrDefault("app") == "reports");

        var trace = await GetJsonAsync($"/api/trace?from=pod:bank/{reports.Metadata.Name}&to=api.bank:9090");

        Assert.False(trace.GetProperty("reachable").GetBoolean());
        Assert.Equal("endpoints", trace.GetProperty("droppedAt").GetString());
        var verdicts = trace.GetProperty("policies").EnumerateArray().ToList();
        Assert.Equal(2, verdicts.Count);
        Assert.All(verdicts, v =>
        {
            Assert.Equal("blocked", v.GetProperty("verdict").GetString());
            Assert.Equal("bank/default-deny", $"{v.GetProperty("policy").GetProperty("namespace").GetString()}/{v.GetProperty("policy").GetProperty("name").GetString()}");
            Assert.Equal(9090, v.GetProperty("endpoint").GetProperty("port").GetInt32());
            Assert.Contains("[NetworkPolicy] blocked (bank/default-deny)", v.GetProperty("walk").GetString(), StringComparison.Ordinal);
        });
    }

    [Fact]
    public async Task GetTrace_PodNoPolicySelects_AllowedByDefaultAndNoDrop()
    {
        var trace = await GetJsonAsync("/api/trace?from=external&to=172.18.0.2:30001");

        Assert.False(trace.TryGetProperty("droppedAt", out _));
        var verdict = Assert.Single(trace.GetProperty("policies").EnumerateArray());
        Assert.Equal("allowed", verdict.GetProperty("verdict").GetString());
        Assert.False(verdict.TryGetProperty("policy", out _));
        Assert.Contains("[Default] allowed", verdict.GetProperty("walk").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTrace_ClusterIpFromOutside_UnreachableWithAReason()
    {
        var cluster = await GetJsonAsync("/api/paths?namespace=default");
        var clusterIp = cluster.EnumerateArray().Single(p => p.GetProperty("id").GetString() == "clusterip:default/mysql-service:33306/TCP")
            .GetProperty("hops")[1].GetProperty("addresses")[0].GetString();

        var trace = await GetJsonAsync($"/api/trace?from=external&to={clusterIp}:33306");

        Assert.False(trace.GetProperty("reachable").GetBoolean());
        Assert.Contains("inside the cluster", trace.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetKubeProxy_NginxService_IptablesSaveFragmentWithTheNodePortChain()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/kubeproxy/default/nginx-service?node=node-b");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("*nat", text, StringComparison.Ordinal);
        Assert.Contains("-A KUBE-NODEPORTS -m comment --comment default/nginx-service -m tcp -p tcp --dport 30001 -j KUBE-EXT-", text, StringComparison.Ordinal);
        Assert.Contains("-j DNAT --to-destination ", text, StringComparison.Ordinal);
        Assert.Contains("iptables mode", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetKubeProxy_NftablesMode_IsTheKubeProxyTableAsNftListsIt()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/kubeproxy/default/nginx-service?node=node-b&mode=nftables");
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("table ip kube-proxy {", text, StringComparison.Ordinal);
        Assert.Contains("chain service-", text, StringComparison.Ordinal);
        Assert.Contains("default/nginx-service/tcp/", text, StringComparison.Ordinal);
        Assert.DoesNotContain("KUBE-SVC-", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProxyModeOptionNftables_ClusterTraceAndRulesUseIt()
    {
        using var nft = factory.WithWebHostBuilder(b => b.ConfigureServices(s =>
            s.AddSingleton(new PortMapper.Web.Hosting.PortMapperOptions { ProxyMode = PortMapper.Core.KubeProxy.ProxyMode.Nftables })));
        using var client = nft.CreateClient();

        var cluster = JsonDocument.Parse(await client.GetStringAsync("/api/cluster")).RootElement;
        var trace = JsonDocument.Parse(await client.GetStringAsync("/api/trace?from=pod:default/nginx&to=nginx-service.default:30080")).RootElement;
        var rules = await client.GetStringAsync("/api/kubeproxy/default/nginx-service");

        Assert.Equal("nftables", cluster.GetProperty("dataplane").GetProperty("mode").GetString());
        Assert.Equal("the --proxy-mode option", cluster.GetProperty("dataplane").GetProperty("source").GetString());
        var chains = trace.GetProperty("hops").EnumerateArray().Select(h => h.TryGetProperty("chain", out var c) ? c.GetString() : null).OfType<string>().ToList();
        Assert.Contains("services", chains);
        Assert.Contains(chains, c => c.StartsWith("service-", StringComparison.Ordinal) && c.Contains("default/nginx-service/tcp/", StringComparison.Ordinal));
        Assert.DoesNotContain(chains, c => c.StartsWith("KUBE-", StringComparison.Ordinal));
        Assert.Contains("table ip kube-proxy {", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetTrace_Ipv6ClusterIpOfTheDemosDualStackService_ReachesTheIpv6Endpoints()
    {
        using var client = factory.CreateClient();
        var search = JsonDocument.Parse(await client.GetStringAsync("/api/paths?namespace=shop")).RootElement.EnumerateArray()
            .First(p => p.GetProperty("id").GetString() == "clusterip:shop/search:80/TCP");
        var hops = search.GetProperty("hops").EnumerateArray().ToList();
        var v6 = hops.First(h => h.GetProperty("kind").GetString() == "clusterIP").GetProperty("addresses")[1].GetString()!;
        var endpoint = hops.Last().GetProperty("endpoints")[0];
        Assert.Equal(2, endpoint.GetProperty("ips").GetArrayLength());
        Assert.Contains(':', endpoint.GetProperty("ips")[1].GetString()!);
        var frontend = JsonDocument.Parse(await client.GetStringAsync("/api/paths?namespace=shop")).RootElement.EnumerateArray()
            .First(p => p.GetProperty("id").GetString() == "clusterip:shop/frontend:9100/TCP").GetProperty("hops").EnumerateArray().Last().GetProperty("endpoints")[0].GetProperty("pod").GetString();

        var trace = JsonDocument.Parse(await client.GetStringAsync($"/api/trace?from=pod:{frontend}&to={Uri.EscapeDataString($"[{v6}]:80")}")).RootElement;

        Assert.True(trace.GetProperty("reachable").GetBoolean(), trace.ToString());
        Assert.All(trace.GetProperty("endpoints").EnumerateArray(), e => Assert.StartsWith("fd00:10:244:", e.GetProperty("ip").GetString(), StringComparison.Ordinal));
        var rules = await client.GetStringAsync("/api/kubeproxy/shop/search?family=IPv6&mode=nftables");
        Assert.Contains("table ip6 kube-proxy {", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetKubeProxy_IpvsMode_ListsVirtualAndRealServersAndTheIpsets()
    {
        using var client = factory.CreateClient();
        var clusterIp = JsonDocument.Parse(await client.GetStringAsync("/api/paths?namespace=default")).RootElement.EnumerateArray()
            .First(p => p.GetProperty("id").GetString() == "clusterip:default/nginx-service:30080/TCP")
            .GetProperty("hops").EnumerateArray().First(h => h.GetProperty("addresses").GetArrayLength() > 0 && h.GetProperty("port").GetInt32() == 30080)
            .GetProperty("addresses")[0].GetString();

        var text = await client.GetStringAsync("/api/kubeproxy/default/nginx-service?mode=ipvs&node=node-a");

        Assert.Contains("IPVS mode, deprecated", text, StringComparison.Ordinal);
        Assert.Contains($"TCP  {clusterIp}:30080 rr", text, StringComparison.Ordinal);
        Assert.Matches(@"TCP  \d+\.\d+\.\d+\.\d+:30001 rr", text);
        Assert.Matches(@"  -> 10\.244\.\d+\.\d+:80 +Masq    1", text);
        Assert.Contains($"Name: KUBE-CLUSTER-IP\n  {clusterIp},tcp:30080", text, StringComparison.Ordinal);
        Assert.Contains("Name: KUBE-NODE-PORT-TCP\n  30001", text, StringComparison.Ordinal);
        Assert.Contains($"inet {clusterIp}/32 scope global kube-ipvs0", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetCluster_SaysWhatCarriesServiceTraffic_AndHowItKnows()
    {
        using var client = factory.CreateClient();

        var cluster = JsonDocument.Parse(await client.GetStringAsync("/api/cluster")).RootElement;

        var dataplane = cluster.GetProperty("dataplane");
        // The demo has no kube-system pods to tell: kube-proxy's default, and how to say otherwise.
        Assert.Equal("iptables", dataplane.GetProperty("mode").GetString());
        Assert.Contains("--proxy-mode", dataplane.GetProperty("source").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/api/kubeproxy/default/nginx-service?mode=userspace", HttpStatusCode.BadRequest, "not a kube-proxy mode")]
    [InlineData("/api/kubeproxy/default/nginx-service?family=IPv5", HttpStatusCode.BadRequest, "not an address family")]
    [InlineData("/api/paths?namespace=Not_A_Namespace", HttpStatusCode.BadRequest, "DNS-1123 label")]
    [InlineData("/api/diagnostics?namespace=does-not-exist", HttpStatusCode.NotFound, "Known namespaces")]
    [InlineData("/api/trace?from=somewhere&to=1.2.3.4:80", HttpStatusCode.BadRequest, "from:")]
    [InlineData("/api/trace?from=external", HttpStatusCode.BadRequest, "to is required")]
    [InlineData("/api/trace?from=external&to=10.0.0.1", HttpStatusCode.BadRequest, "no port")]
    [InlineData("/api/trace?from=pod:default/nope&to=10.0.0.1:80", HttpStatusCode.BadRequest, "nope")]
    [InlineData("/api/kubeproxy/default/nope", HttpStatusCode.NotFound, "not found")]
    [InlineData("/api/kubeproxy/default/nginx-service?node=node-z", HttpStatusCode.BadRequest, "node \"node-z\" not found")]
    public async Task Get_BadParameters_ProblemDetailsSayWhatIsWrong(string url, HttpStatusCode status, string detail)
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(url);

        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Contains(detail, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
