using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Loading;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Demo;

/// <summary>The demo's Gateway in front of the shop, served by the demo's own Gateway controller.</summary>
public class DemoGatewayTests
{
    private static readonly ClusterAnalysis Demo = ClusterAnalyzer.Analyze(DemoCluster.CreateDefault().Snapshot);

    [Fact]
    public void DemoController_GivesTheGatewayAnAddressAndWritesRouteStatus()
    {
        var gw = Demo.Snapshot.Gateways[new ObjectKey("shop", "shop-gateway")];
        Assert.Equal(["203.0.113.3"], gw.Addresses.ToArray());
        Assert.Equal(["Accepted", "Programmed"], gw.Conditions.Where(c => c.IsTrue).Select(c => c.Type).ToArray());

        var route = Demo.Snapshot.Routes[new ObjectRef("HTTPRoute", "shop", "storefront")];
        var status = Assert.Single(route.Parents);
        Assert.Equal(DemoCluster.GatewayController, status.ControllerName);
        Assert.True(status.Condition("Accepted")!.IsTrue);
        Assert.Equal("False", status.Condition("ResolvedRefs")!.Status);

        // The controller's status agrees with PortMapper's prediction: no PM607.
        Assert.DoesNotContain(Demo.Diagnostics, d => d.Code == Codes.GatewayStatusDisagrees);
    }

    [Fact]
    public void DemoPaths_ApiSearchWorks_FrontendIs503_SuggestIsTheTargetPortMistake()
    {
        var search = Demo.FindPath("httproute:shop/storefront:0.https:0:0")!;
        Assert.Equal(PathStatus.Ok, search.Status);
        Assert.Equal("shop.example.com/api/search", search.Hops[1].Name);
        Assert.Equal(["203.0.113.3"], search.Hops[1].Addresses.ToArray());
        Assert.Equal(3, search.Hops[^1].Endpoints.Length);

        var frontend = Demo.FindPath("httproute:shop/storefront:0.https:2:0")!;
        Assert.Equal(PathStatus.Broken, frontend.Status);
        Assert.DoesNotContain(frontend.Hops[^1].Endpoints, e => e.Ready);

        var suggest = Assert.Single(Demo.Diagnostics, d => d.Code == Codes.GatewayBackendPortMissing);
        Assert.Equal("spec.rules[1].backendRefs[0].port", suggest.Field);
        Assert.Equal(["httproute:shop/storefront:0.https:1:0"], suggest.Paths.ToArray());
    }

    [Fact]
    public async Task DemoApply_GatewayOfAnotherClass_GetsNoAddress_AndARouteToItIsRefusedInStatus()
    {
        var demo = DemoCluster.CreateDefault();
        var applied = await demo.ApplyAsync(ManifestLoader.LoadText("""
            apiVersion: gateway.networking.k8s.io/v1
            kind: Gateway
            metadata: {name: other-gw, namespace: shop}
            spec:
              gatewayClassName: istio
              listeners: [{name: http, port: 80, protocol: HTTP}]
            ---
            apiVersion: gateway.networking.k8s.io/v1
            kind: HTTPRoute
            metadata: {name: wrong-host, namespace: shop}
            spec:
              parentRefs: [{name: shop-gateway}]
              hostnames: [www.example.org]
              rules: [{backendRefs: [{name: search, port: 80}]}]
            """, "apply.yaml").Raw, new ApplyOptions(false), CancellationToken.None);
        Assert.All(applied, o => Assert.Equal(ApplyOutcome.Created, o.Outcome));

        var s = demo.Snapshot;
        Assert.Empty(s.Gateways[new ObjectKey("shop", "other-gw")].Addresses);
        var refused = s.Routes[new ObjectRef("HTTPRoute", "shop", "wrong-host")].Parents.Single().Condition("Accepted")!;
        Assert.Equal(("False", "NoMatchingListenerHostname"), (refused.Status, refused.Reason));
        var analysis = ClusterAnalyzer.Analyze(s);
        Assert.Contains(analysis.Diagnostics, d => d.Code == Codes.GatewayHostnameMismatch && d.Object.Name == "wrong-host");
        Assert.Contains(analysis.Diagnostics, d => d.Code == Codes.GatewayClassMissing && d.Object.Name == "other-gw");
    }
}
