using System.Text.Json.Nodes;
using PortMapper.Core.Cluster;
using PortMapper.Core.KubeProxy;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Api;
using PortMapper.Kubernetes.Tests.Support;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Source;

/// <summary>
/// kube-proxy's ConfigMap is read by name (fieldSelector metadata.name=kube-proxy in kube-system), so a Role limited to
/// that resourceName suffices; without the permission the mode quietly falls back, nothing is reported as hidden.
/// </summary>
public sealed class KubeProxyConfigSourceTests : IAsyncLifetime
{
    private ApiServer _server = null!;

    private static JsonObject ConfigMap(string name, string mode) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "ConfigMap",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "kube-system" },
        ["data"] = new JsonObject
        {
            ["config.conf"] = $"apiVersion: kubeproxy.config.k8s.io/v1alpha1\nkind: KubeProxyConfiguration\nclusterCIDR: 10.244.0.0/16,fd00:10:244::/56\nmode: {mode}\n",
        },
    };

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync();
        _server.Store.PutAll([
            K8s.Namespace("kube-system"), K8s.Namespace("demo"), K8s.Node("node-a", "172.18.0.2"),
            K8s.Pod("demo", "web-1", "10.244.1.2"), K8s.Service("demo", "web"),
            ConfigMap("kube-proxy", "nftables"), ConfigMap("coredns", "ignored"),
        ]);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private void GrantEverythingButConfigMaps(string user) =>
        _server.Access.GrantRead(user, ["namespaces", "nodes", "pods", "services", "endpointslices", "ingresses", "ingressclasses", "networkpolicies", "clusternetworkpolicies",
            "gatewayclasses", "gateways", "httproutes", "grpcroutes", "referencegrants", "tlsroutes", "tcproutes"]);

    [Fact]
    public async Task RoleLimitedToTheKubeProxyConfigMap_ReadsItsModeAndOnlyIt()
    {
        var token = _server.CreateToken("viewer");
        GrantEverythingButConfigMaps("viewer");
        _server.Access.GrantReadNamed("viewer", "configmaps", "kube-system", KubeProxyConfig.Names);
        await using var source = LiveSource.For(_server, token);

        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());

        var config = Assert.Single(source.Snapshot.KubeProxyConfigs.Values);
        Assert.Equal("kube-proxy", config.Metadata.Name);
        Assert.Equal("10.244.0.0/16,fd00:10:244::/56", config.ClusterCidr);
        Assert.Equal(ProxyMode.Nftables, Dataplane.Detect(source.Snapshot).Mode);
        Assert.Equal("mode: nftables in ConfigMap kube-system/kube-proxy (data.config.conf)", Dataplane.Detect(source.Snapshot).Source);
        Assert.Empty(source.State.Hidden);
        Assert.Equal(ConnectionStatus.Live, source.State.Status);

        // A change to the ConfigMap arrives through the watch.
        _server.Store.Put(ConfigMap("kube-proxy", "ipvs"));
        Assert.True(await Eventually.TrueAsync(() => Dataplane.Detect(source.Snapshot).Mode == ProxyMode.Ipvs));
    }

    [Fact]
    public async Task NoPermissionOnConfigMaps_TheModeFallsBackQuietly()
    {
        var token = _server.CreateToken("narrow");
        GrantEverythingButConfigMaps("narrow");
        await using var source = LiveSource.For(_server, token);

        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());

        Assert.Empty(source.Snapshot.KubeProxyConfigs);
        Assert.Empty(source.State.Hidden);
        Assert.Equal(ConnectionStatus.Live, source.State.Status);
        Assert.Equal(ProxyMode.Iptables, Dataplane.Detect(source.Snapshot).Mode);
    }

    [Fact]
    public async Task TheServerFiltersByFieldSelector_AndRefusesAnUnsupportedField()
    {
        using var client = new KubernetesApiClient(LiveSource.Connection(_server, _server.CreateToken("admin", "system:masters")));

        var list = await client.ListAsync(ResourceType.KubeProxyConfigMaps[0], "kube-system", CancellationToken.None);

        Assert.Equal(["kube-proxy"], list.Items.Select(i => i.Metadata.Name));
        using var handler = new HttpClientHandler { ServerCertificateCustomValidationCallback = HttpClientHandler.DangerousAcceptAnyServerCertificateValidator };
        using var http = new HttpClient(handler);
        http.DefaultRequestHeaders.Authorization = new("Bearer", _server.CreateToken("admin2", "system:masters"));
        using var response = await http.GetAsync(new Uri(_server.BaseAddress, "/api/v1/namespaces/kube-system/configmaps?fieldSelector=spec.foo%3Dbar"));
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("field label not supported: spec.foo", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
