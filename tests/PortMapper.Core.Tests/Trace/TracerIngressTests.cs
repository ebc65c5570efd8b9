using PortMapper.Core.Model;
using PortMapper.Core.Trace;
using static PortMapper.Core.Tests.Trace.TraceCluster;

namespace PortMapper.Core.Tests.Trace;

/// <summary>Targets given as http(s) URLs, routed by Ingress rules.</summary>
public class TracerIngressTests
{
    [Theory]
    [InlineData("http://shop.example.com/api", "ingress:shop/shop:0:0", "path /api (Prefix)")]
    [InlineData("http://shop.example.com/api/", "ingress:shop/shop:0:0", "path /api (Prefix)")]
    [InlineData("http://shop.example.com/api/v1/items", "ingress:shop/shop:0:0", "path /api (Prefix)")]
    [InlineData("http://shop.example.com/apiv1", "ingress:shop/shop:0:4", "path / (Prefix)")]
    [InlineData("http://shop.example.com/api/admin/users", "ingress:shop/shop:0:1", "path /api/admin (Prefix)")]
    [InlineData("http://shop.example.com/login", "ingress:shop/shop:0:2", "path /login (Exact)")]
    [InlineData("http://shop.example.com/login/", "ingress:shop/shop:0:4", "path / (Prefix)")]
    [InlineData("http://SHOP.example.com/", "ingress:shop/shop:0:4", "path / (Prefix)")]
    public void Trace_IngressUrl_PicksTheRuleByPathTypeAndLongestMatch(string url, string pathId, string matched)
    {
        var result = Run("external", url);

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal(pathId, result.PathId);
        Assert.Contains($"matches rule host shop.example.com {matched} of Ingress shop/shop", result.Steps[2].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_IngressUrl_ControllerDialsEndpointsDirectly()
    {
        var result = Run("external", "https://shop.example.com/api");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal([TraceStepKind.Client, TraceStepKind.Dns, TraceStepKind.Ingress, TraceStepKind.Endpoints], result.Steps.Select(s => s.Kind));
        Assert.Equal("203.0.113.50:443", result.Steps[2].Address);
        Assert.StartsWith("the Ingress controller terminates TLS and matches", result.Steps[2].Translation, StringComparison.Ordinal);
        Assert.Contains("the controller proxies to one of 2 endpoints of Service shop/web directly: it reads the Service's EndpointSlices, so there is no clusterIP and no kube-proxy DNAT", result.Steps[3].Translation, StringComparison.Ordinal);
        Assert.All(result.Steps, s => Assert.Null(s.Chain));
        Assert.Equal(["10.244.1.5:8080", "10.244.2.7:8080"], result.Endpoints.Select(e => e.ToString()));
    }

    [Fact]
    public void Trace_ImplementationSpecificPath_TreatedAsPrefixAndSaysSo()
    {
        var result = Run("external", "http://shop.example.com/img/logo.png");

        Assert.Equal("ingress:shop/shop:0:3", result.PathId);
        Assert.Contains("pathType ImplementationSpecific: matching is up to the controller; PortMapper treats it as Prefix", result.Steps[2].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_WildcardHostOneLabel_Matches()
    {
        var result = Run("external", "http://store.apps.example.com/x");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("ingress:shop/shop:1:0", result.PathId);
    }

    [Fact]
    public void Trace_WildcardHostTwoLabels_FallsToTheDefaultBackend()
    {
        var result = Run("external", "http://a.store.apps.example.com/");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("ingress:shop/fallback:default", result.PathId);
        Assert.Contains("matches the defaultBackend (no rule for host a.store.apps.example.com) of Ingress shop/fallback", result.Steps[2].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_NoRuleAndNoDefaultBackend_Answers404()
    {
        var objects = Objects().Where(o => o is not Ingress { Metadata.Name: "fallback" });

        var result = Run("external", "http://unknown.example.org/", Analyze(objects));

        Assert.False(result.Reachable);
        Assert.Equal("No Ingress has a rule for host unknown.example.org and none has a defaultBackend, so the controller answers 404. Hosts with rules: *.apps.example.com, shop.example.com.", result.Reason);
    }

    [Fact]
    public void Trace_HostWithRulesButNoMatchingPath_Answers404ListingPaths()
    {
        var objects = Objects().Where(o => o is not Ingress { Metadata.Name: "fallback" })
            .Append(Ingress("docs", [Rule("docs.example.com", Path("/v1", "Exact", "web", 80))]));

        var result = Run("external", "http://docs.example.com/v2", Analyze(objects));

        Assert.False(result.Reachable);
        Assert.StartsWith("Ingress shop/docs has host docs.example.com, but no path matches /v2 (paths: /v1 (Exact)) and no Ingress has a defaultBackend, so the controller answers 404.", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_HttpsForHostWithoutTls_NotReachable()
    {
        var result = Run("external", "https://store.apps.example.com/");

        Assert.False(result.Reachable);
        Assert.StartsWith("https://store.apps.example.com/ uses https, but Ingress shop/shop has no TLS entry (spec.tls) for host store.apps.example.com", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_HttpForTlsHost_NotesTheRedirect()
    {
        var result = Run("external", "http://shop.example.com/api");

        Assert.Contains("many controllers redirect http to https", result.Steps[2].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_IngressBackendServiceMissing_Answers503()
    {
        var result = Run("external", "https://shop.example.com/ghost");

        Assert.False(result.Reachable);
        Assert.Equal("ingress:shop/shop:0:5", result.PathId);
        Assert.StartsWith("Ingress shop/shop sends rule host shop.example.com path /ghost (Prefix) to Service \"missing\", which does not exist in namespace shop, so the controller answers 503.", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_IngressBackendPortMissing_ListsServicePorts()
    {
        var result = Run("external", "https://shop.example.com/wrong-port");

        Assert.False(result.Reachable);
        Assert.Contains("to port 8080 of Service shop/web, which has no such port (its ports: \"http\" (80/TCP)), so the controller answers 503", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_IngressBackendWithoutEndpoints_Answers503WithRootCause()
    {
        var result = Run("external", "https://shop.example.com/down");

        Assert.False(result.Reachable);
        Assert.Equal(TraceStepKind.Dropped, result.Steps[^1].Kind);
        Assert.StartsWith("Service shop/orphan port \"http\" (80/TCP) has no endpoints, so the Ingress controller answers 503 Service Unavailable. PM001:", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_IngressAddressAsHost_UsesRulesWithoutHost()
    {
        var objects = Objects().Append(Ingress("bare", [Rule(null, Path("/", "Prefix", "web-np", 80))]) with
        {
            LoadBalancerStatus = [new LoadBalancerIngress("203.0.113.60", null)],
        });

        var result = Run("pod:shop/client-a", "http://203.0.113.60/anything", Analyze(objects));

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("ingress:shop/bare:0:0", result.PathId);
        Assert.Equal(TraceStepKind.Ingress, result.Steps[1].Kind);
    }

    [Fact]
    public void Trace_IngressOnOtherPort_AssumesItReachesTheController()
    {
        var result = Run("external", "http://shop.example.com:30080/api");

        Assert.Contains("PortMapper assumes port 30080 reaches the controller", result.Steps[2].Translation, StringComparison.Ordinal);
    }
}
