using System.Text.Json.Nodes;
using PortMapper.Core.Cluster;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;
using PortMapper.Kubernetes.Tests.Support;
using PortMapper.TestApiServer;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Source;

/// <summary>
/// ServiceCIDRs (networking.k8s.io/v1, Kubernetes 1.33+) are watched where served: the default one gives the cluster's
/// Service address families exactly. Forbidden or not served, nothing is reported missing.
/// </summary>
public sealed class ServiceCidrSourceTests
{
    private static JsonObject Cidr(string name, params string[] cidrs) => new()
    {
        ["apiVersion"] = "networking.k8s.io/v1",
        ["kind"] = "ServiceCIDR",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = new JsonObject { ["cidrs"] = new JsonArray([.. cidrs.Select(c => (JsonNode)JsonValue.Create(c)!)]) },
    };

    [Fact]
    public async Task Served_TheDefaultServiceCidrMakesTheFamiliesKnown_AndChangesArrive()
    {
        await using var server = await ApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        server.Store.PutAll([K8s.Namespace("demo"), K8s.Service("demo", "web"), Cidr("kubernetes", "10.96.0.0/16")]);
        await using var source = LiveSource.For(server, server.CreateToken("admin", "system:masters"));

        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());

        Assert.Equal(["10.96.0.0/16"], source.Snapshot.ServiceCidrs["kubernetes"].Cidrs.ToArray());
        Assert.Equal([IpFamily.V4], ClusterServiceFamilies.Infer(source.Snapshot).Families.ToArray());
        Assert.True(ClusterServiceFamilies.Infer(source.Snapshot).Known);

        // The cluster is made dual-stack: the API server rewrites its default ServiceCIDR.
        server.Store.Put(Cidr("kubernetes", "10.96.0.0/16", "fd00:10:96::/112"));
        Assert.True(await Eventually.TrueAsync(() => ClusterServiceFamilies.Infer(source.Snapshot).IsDualStack));
    }

    [Fact]
    public async Task Forbidden_NothingIsHidden_TheFamiliesAreInferred()
    {
        await using var server = await ApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        server.Store.PutAll([K8s.Namespace("demo"), K8s.Service("demo", "web"), Cidr("kubernetes", "10.96.0.0/16", "fd00:10:96::/112")]);
        server.Access.GrantRead("viewer", ["namespaces", "nodes", "pods", "services", "endpointslices", "ingresses", "ingressclasses", "networkpolicies", "clusternetworkpolicies",
            "gatewayclasses", "gateways", "httproutes", "grpcroutes", "referencegrants", "tlsroutes", "tcproutes"]);
        await using var source = LiveSource.For(server, server.CreateToken("viewer"));

        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());

        Assert.Empty(source.Snapshot.ServiceCidrs);
        Assert.Empty(source.State.Hidden);
        Assert.True(await Eventually.TrueAsync(() => source.State.Status == ConnectionStatus.Live), source.State.LastError);
        Assert.False(ClusterServiceFamilies.Infer(source.Snapshot).Known);
    }

    [Fact]
    public async Task NotServed_IsQuietlyNotWatched()
    {
        await using var server = await ApiServer.StartAsync(new TestApiServerOptions
        {
            UnservedResources = new HashSet<string> { "servicecidrs.networking.k8s.io" },
            BookmarkInterval = TimeSpan.FromMilliseconds(200),
        });
        server.Store.PutAll([K8s.Namespace("demo"), K8s.Service("demo", "web")]);
        await using var source = LiveSource.For(server, server.CreateToken("admin", "system:masters"));

        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());

        Assert.Empty(source.Snapshot.ServiceCidrs);
        Assert.True(await Eventually.TrueAsync(() => source.State.Status == ConnectionStatus.Live), source.State.LastError);
    }
}
