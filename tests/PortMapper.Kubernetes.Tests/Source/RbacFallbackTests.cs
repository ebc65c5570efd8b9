using PortMapper.Core.Cluster;
using PortMapper.Kubernetes.Tests.Support;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Source;

/// <summary>An identity that may not list across namespaces still gets the namespaces it may read, and is told what it misses.</summary>
public sealed class RbacFallbackTests : IAsyncLifetime
{
    private ApiServer _server = null!;
    private string _token = "";

    public async Task InitializeAsync()
    {
        _server = await ApiServer.StartAsync();
        _token = _server.CreateToken("viewer");
        _server.Store.PutAll([
            K8s.Namespace("demo"), K8s.Namespace("team"), K8s.Namespace("secret"),
            K8s.Pod("demo", "web-1", "10.244.1.2"), K8s.Pod("team", "api-1", "10.244.1.3"), K8s.Pod("secret", "db-1", "10.244.1.4"),
            K8s.Service("demo", "web"), K8s.Service("secret", "db"),
        ]);
        _server.Access.GrantRead("viewer", ["namespaces", "ingressclasses", "gatewayclasses"]);
        foreach (var ns in (string[])["demo", "team"])
        {
            _server.Access.GrantRead("viewer", ["pods", "services", "endpointslices", "ingresses", "networkpolicies", "gateways", "httproutes", "grpcroutes", "referencegrants", "tlsroutes", "tcproutes"], ns);
        }
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ClusterWideListForbidden_FallsBackToTheContextNamespace()
    {
        await using var source = LiveSource.For(_server, _token, ns: "demo");

        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());

        Assert.Equal(["demo/web-1"], source.Snapshot.Pods.Keys.Select(k => k.ToString()).ToArray());
        Assert.Equal(["demo/web"], source.Snapshot.Services.Keys.Select(k => k.ToString()).ToArray());
        Assert.Equal(ConnectionStatus.Live, source.State.Status);
        Assert.Equal("partly-forbidden", source.State.StatusName);
        var pods = Assert.Single(source.State.Hidden, h => h.Resource == "pods");
        Assert.Null(pods.Namespace);
        Assert.Contains("User \"viewer\" cannot list resource \"pods\" in API group \"\" at the cluster scope", pods.Reason, StringComparison.Ordinal);
        Assert.Contains("PortMapper shows pods in namespace \"demo\" only", pods.Reason, StringComparison.Ordinal);
        var nodes = Assert.Single(source.State.Hidden, h => h.Resource == "nodes");
        Assert.Contains("needs the \"list\" permission on nodes", nodes.Reason, StringComparison.Ordinal);
        Assert.Equal(
            [
                "clusternetworkpolicies.policy.networking.k8s.io", "endpointslices.discovery.k8s.io", "gateways.gateway.networking.k8s.io",
                "grpcroutes.gateway.networking.k8s.io", "httproutes.gateway.networking.k8s.io", "ingresses.networking.k8s.io",
                "networkpolicies.networking.k8s.io", "nodes", "pods", "referencegrants.gateway.networking.k8s.io", "services",
                "tcproutes.gateway.networking.k8s.io", "tlsroutes.gateway.networking.k8s.io",
            ],
            source.State.Hidden.Select(h => h.Resource).Order(StringComparer.Ordinal).ToArray());
    }

    [Fact]
    public async Task ConfiguredNamespaces_AreWatchedAndTheForbiddenOneIsReported()
    {
        var options = LiveSource.Fast with { Namespaces = ["demo", "team", "secret"] };
        await using var source = LiveSource.For(_server, _token, options, ns: "demo");

        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());

        Assert.Equal(["demo/web-1", "team/api-1"], source.Snapshot.Pods.Keys.Select(k => k.ToString()).Order(StringComparer.Ordinal).ToArray());
        var secret = Assert.Single(source.State.Hidden, h => h is { Resource: "pods", Namespace: "secret" });
        Assert.Contains("cannot list resource \"pods\" in API group \"\" in the namespace \"secret\"", secret.Reason, StringComparison.Ordinal);
        Assert.Contains(source.Informers, i => i is { Resource: "pods", Namespace: "team" });
    }
}
