using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Trace;

namespace PortMapper.Core.Tests.Gateway;

/// <summary>Tracing a URL through a Gateway: listener, winning rule, backend share, endpoints — or the 404/500/503 it gets.</summary>
public class GatewayTraceTests
{
    private static readonly ClusterAnalysis Demo = ClusterAnalyzer.Analyze(DemoCluster.CreateDefault().Snapshot);

    private static readonly ClusterAnalysis Fixture = Load();

    private static ClusterAnalysis Load()
    {
        var loaded = ManifestLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "gateway", "cluster.yaml"));
        return ClusterAnalyzer.Analyze(ClusterSnapshot.From(loaded.Objects));
    }

    private static TraceResult Trace(ClusterAnalysis analysis, string url)
    {
        Assert.True(TraceSource.TryParse("external", analysis.Snapshot, out var source, out var e1), e1);
        Assert.True(TraceTarget.TryParse(url, out var target, out var e2), e2);
        return Tracer.Trace(analysis, source, target);
    }

    [Fact]
    public void Demo_ApiSearch_ListenerThenTheRuleThenThePods()
    {
        var t = Trace(Demo, "https://shop.example.com/api/search?q=lamp");

        Assert.True(t.Reachable, t.Reason);
        Assert.Equal([TraceStepKind.Client, TraceStepKind.Dns, TraceStepKind.Gateway, TraceStepKind.Endpoints], t.Steps.Select(s => s.Kind).Take(4).ToArray());
        Assert.Contains("DNS must resolve shop.example.com to Gateway shop/shop-gateway (203.0.113.3)", t.Steps[1].Translation, StringComparison.Ordinal);
        Assert.Contains("Ingress shop/shop routes this host too", t.Steps[1].Translation, StringComparison.Ordinal);
        var gw = t.Steps[2];
        Assert.Equal("203.0.113.3:443", gw.Address);
        Assert.Contains("listener https (HTTPS :443, hostname shop.example.com) of Gateway shop/shop-gateway terminates TLS and picks HTTPRoute shop/storefront rule 0 (PathPrefix /api/search)", gw.Translation, StringComparison.Ordinal);
        Assert.Contains("→ Service shop/search port 80", gw.Translation, StringComparison.Ordinal);
        Assert.Equal(3, t.Endpoints.Length);
        Assert.Equal("httproute:shop/storefront:0.https:0:0", t.PathId);
    }

    /// <summary>HTTPBackendRef: an invalid reference answers 500 for its share.</summary>
    [Fact]
    public void Demo_Suggest_500BecauseThePortIsTheTargetPort()
    {
        var t = Trace(Demo, "https://shop.example.com/suggest");

        Assert.False(t.Reachable);
        Assert.StartsWith("The Gateway answers 500 Internal Server Error: Service shop/search has no port 7700 (it has 80)", t.Reason, StringComparison.Ordinal);
        Assert.Equal("httproute:shop/storefront:0.https:1:0", t.PathId);
    }

    /// <summary>A backend Service without ready endpoints: 503.</summary>
    [Fact]
    public void Demo_Root_503BecauseTheFrontendHasNoReadyEndpoint()
    {
        var t = Trace(Demo, "https://shop.example.com/");

        Assert.False(t.Reachable);
        Assert.Equal(TraceStepKind.Dropped, t.Steps[^1].Kind);
        Assert.Contains("503 Service Unavailable", t.Reason, StringComparison.Ordinal);
        Assert.Equal("httproute:shop/storefront:0.https:2:0", t.PathId);
    }

    /// <summary>HTTPRouteFilter RequestRedirect: the Gateway answers the redirect itself; the rule needs no backendRefs.</summary>
    [Fact]
    public void Demo_PlainHttp_TheGatewayRedirectsToHttps_NoFindingForTheMissingBackend()
    {
        var t = Trace(Demo, "http://shop.example.com/api");

        Assert.False(t.Reachable);
        Assert.Contains("picks HTTPRoute shop/storefront-redirect rule 0", t.Steps.Single(s => s.Kind == TraceStepKind.Gateway).Translation, StringComparison.Ordinal);
        Assert.StartsWith("The Gateway answers this request itself with a 301 redirect (scheme https, same host, path and port)", t.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain(Demo.Diagnostics, d => d.Object.Name == "storefront-redirect");
        var path = Demo.FindPath("httproute:shop/storefront-redirect:0.http:0:0")!;
        Assert.Equal(PathStatus.Ok, path.Status);
        Assert.Equal([HopKind.Client, HopKind.Gateway], path.Hops.Select(h => h.Kind).ToArray());
    }

    [Fact]
    public void Demo_HostNoGatewayTakes_GoesThroughTheIngress()
    {
        var t = Trace(Demo, "http://influxdb.example.com/");

        Assert.Contains(t.Steps, s => s.Kind == TraceStepKind.Ingress);
        Assert.DoesNotContain(t.Steps, s => s.Kind == TraceStepKind.Gateway);
    }

    /// <summary>HTTPBackendRef.weight: the trace says how the rule splits, and follows the largest share.</summary>
    [Fact]
    public void Fixture_WeightedRule_NamesTheSplitAndFollowsTheLargestShare()
    {
        var t = Trace(Fixture, "https://shop.example.com/cart");

        Assert.True(t.Reachable, t.Reason);
        var gw = t.Steps.Single(s => s.Kind == TraceStepKind.Gateway).Translation;
        Assert.Contains("rule 1 (PathPrefix /)", gw, StringComparison.Ordinal);
        Assert.Contains("90% to Service shop/web:80, 10% to Service other/legacy:80", gw, StringComparison.Ordinal);
        Assert.Equal("10.244.1.5:8080", Assert.Single(t.Endpoints).ToString());
    }

    /// <summary>No rule of any attached route matches: 404.</summary>
    [Fact]
    public void Fixture_HostNoRouteServes_404()
    {
        var t = Trace(Fixture, "https://blog.example.com/");

        Assert.False(t.Reachable);
        Assert.StartsWith("No HTTPRoute rule on listener https (HTTPS :443, hostname *.example.com) of Gateway infra/shop-gw matches blog.example.com/, so the Gateway answers 404", t.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Fixture_ListenerWithNoAttachedRoute_404SaysSo()
    {
        var t = Trace(Fixture, "http://shop.example.com/");

        Assert.False(t.Reachable);
        Assert.Contains("No route is attached to the listener", t.Reason, StringComparison.Ordinal);
    }

    /// <summary>PathPrefix matches whole path elements (HTTPPathMatch): /api does not take /apix.</summary>
    [Fact]
    public void Fixture_PrefixByElement_ApixIsNotApi()
    {
        var api = Trace(Fixture, "https://shop.example.com/api/items");
        var apix = Trace(Fixture, "https://shop.example.com/apix");

        Assert.Contains("rule 0 (PathPrefix /api)", api.Steps.Single(s => s.Kind == TraceStepKind.Gateway).Translation, StringComparison.Ordinal);
        Assert.Contains("rule 1 (PathPrefix /)", apix.Steps.Single(s => s.Kind == TraceStepKind.Gateway).Translation, StringComparison.Ordinal);
    }
}
