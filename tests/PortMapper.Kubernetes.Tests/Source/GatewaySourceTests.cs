using System.Text.Json.Nodes;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Informers;
using PortMapper.Kubernetes.Tests.Support;
using PortMapper.TestApiServer;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Source;

/// <summary>The Gateway API kinds are CRDs: listed and watched where discovery serves them, quietly off where it does not.</summary>
public class GatewaySourceTests
{
    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private static JsonObject Gateway() => Json("""
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"Gateway","metadata":{"name":"shop-gw","namespace":"infra"},
         "spec":{"gatewayClassName":"example","listeners":[{"name":"https","port":443,"protocol":"HTTPS","hostname":"*.example.com",
                 "allowedRoutes":{"namespaces":{"from":"All"}}}]},
         "status":{"addresses":[{"type":"IPAddress","value":"203.0.113.20"}],"conditions":[{"type":"Programmed","status":"True","reason":"Programmed"}]}}
        """);

    private static JsonObject Route(string name, string path) => Json($$$"""
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"{{{name}}}","namespace":"shop"},
         "spec":{"parentRefs":[{"name":"shop-gw","namespace":"infra"}],"hostnames":["shop.example.com"],
                 "rules":[{"matches":[{"path":{"type":"PathPrefix","value":"{{{path}}}"}}],"backendRefs":[{"name":"web","port":80}]}]},
         "status":{"parents":[{"parentRef":{"name":"shop-gw","namespace":"infra"},"controllerName":"example.com/gw",
                   "conditions":[{"type":"Accepted","status":"True","reason":"Accepted"}]}]}}
        """);

    [Fact]
    public async Task Source_GatewayApiServed_ListsAndWatchesEveryKind_WithStatus()
    {
        await using var server = await ApiServer.StartAsync(new TestApiServerOptions { BookmarkInterval = TimeSpan.FromMilliseconds(200) });
        server.Store.Put(K8s.Namespace("shop"));
        server.Store.Put(Json("""{"apiVersion":"gateway.networking.k8s.io/v1","kind":"GatewayClass","metadata":{"name":"example"},"spec":{"controllerName":"example.com/gw"}}"""));
        server.Store.Put(Gateway());
        server.Store.Put(Route("storefront", "/"));
        server.Store.Put(Json("""
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"GRPCRoute","metadata":{"name":"cart","namespace":"shop"},
             "spec":{"parentRefs":[{"name":"shop-gw","namespace":"infra"}],"rules":[{"matches":[{"method":{"service":"shop.Cart","method":"Add"}}],"backendRefs":[{"name":"cart","port":9090}]}]}}
            """));
        server.Store.Put(Json("""
            {"apiVersion":"gateway.networking.k8s.io/v1beta1","kind":"ReferenceGrant","metadata":{"name":"shop","namespace":"data"},
             "spec":{"from":[{"group":"gateway.networking.k8s.io","kind":"HTTPRoute","namespace":"shop"}],"to":[{"group":"","kind":"Service"}]}}
            """));
        await using var source = LiveSource.For(server, server.CreateToken("admin", "system:masters"));

        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());

        var s = source.Snapshot;
        Assert.Equal("example.com/gw", s.GatewayClasses["example"].ControllerName);
        var gw = s.Gateways[new ObjectKey("infra", "shop-gw")];
        Assert.Equal(["203.0.113.20"], gw.Addresses.ToArray());
        Assert.Equal("All", gw.Listeners.Single().AllowedRoutes.From);
        Assert.True(gw.Conditions.Single(c => c.Type == "Programmed").IsTrue);
        var route = s.Routes[new ObjectRef("HTTPRoute", "shop", "storefront")];
        Assert.Equal("example.com/gw", route.Parents.Single().ControllerName);
        var grpc = s.Routes[new ObjectRef("GRPCRoute", "shop", "cart")];
        Assert.Equal(new HttpPathMatch("Exact", "/shop.Cart/Add"), grpc.Rules[0].Matches[0].Path);
        Assert.Equal(["HTTPRoute"], s.ReferenceGrants[new ObjectKey("data", "shop")].From.Select(f => f.Kind).ToArray());
        Assert.Empty(source.State.Hidden);

        server.Store.Put(Route("api", "/api"));
        server.Store.Delete("HTTPRoute", "shop", "storefront");
        Assert.True(await Eventually.TrueAsync(() => source.Snapshot.Routes.Keys.Select(k => k.Name).Order(StringComparer.Ordinal).SequenceEqual(["api", "cart"])));
    }

    [Fact]
    public async Task Source_GatewayApiNotInstalled_IsQuietlyNotWatched()
    {
        await using var server = await ApiServer.StartAsync(new TestApiServerOptions
        {
            Unserved = new HashSet<string> { "gateway.networking.k8s.io/v1", "gateway.networking.k8s.io/v1beta1", "gateway.networking.k8s.io/v1alpha2" },
            BookmarkInterval = TimeSpan.FromMilliseconds(200),
        });
        server.Store.Put(K8s.Namespace("shop"));
        await using var source = LiveSource.For(server, server.CreateToken("admin", "system:masters"));

        await source.StartAsync(CancellationToken.None);
        await source.WaitForSyncAsync(Eventually.Limit());

        Assert.DoesNotContain(source.Informers, i => i.Resource.Contains("gateway.networking.k8s.io", StringComparison.Ordinal));
        Assert.Empty(source.State.Hidden);
        Assert.Equal("live", source.State.StatusName);
        Assert.DoesNotContain(server.Requests, r => r.Path.Contains("/apis/gateway.networking.k8s.io/v1/", StringComparison.Ordinal));
    }

    /// <summary>An initial list is applied through builders; kinds without one (kube-proxy's ConfigMaps, Gateway API) must not be lost.</summary>
    [Fact]
    public void ChangeBatch_LargeBatch_KeepsKindsWithoutABuilder()
    {
        var changes = Enumerable.Range(0, 20).Select(i => new ClusterChange(ChangeType.Added, new Namespace(new ObjectMeta { Name = $"ns-{i}" })))
            .Append(new ClusterChange(ChangeType.Added, new KubeProxyConfig(new ObjectMeta { Name = "kube-proxy", Namespace = "kube-system" }) { Mode = "nftables" }))
            .Append(new ClusterChange(ChangeType.Added, new Core.Model.Gateway(new ObjectMeta { Name = "gw", Namespace = "infra" })))
            .Append(new ClusterChange(ChangeType.Added, new HttpRoute(new ObjectMeta { Name = "r", Namespace = "shop" })))
            .ToList();

        var s = ChangeBatch.Apply(ClusterSnapshot.Empty, changes);

        Assert.Equal(20, s.Namespaces.Count);
        Assert.Equal("nftables", s.KubeProxyConfigs.Values.Single().Mode);
        Assert.Single(s.Gateways);
        Assert.Single(s.Routes);
    }
}
