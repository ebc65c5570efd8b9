using PortMapper.Core.Analysis;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.Fixtures.DiagnosticAssert;
using static PortMapper.Core.Tests.Fixtures.TestCluster;

namespace PortMapper.Core.Tests.Analysis;

/// <summary>Findings about Ingresses: their backends, their class, their address and routes claimed twice.</summary>
public class IngressDiagnosticTests
{
    private const string RoutePath = "ingress:default/shop:0:0";

    private static Service Web() => Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, name: "http"));

    private static Pod WebPod() => Pod("web-1", "app=web", ports: Port(8080, name: "http"));

    // ---------------------------------------------------------------- PM008 backend Service missing

    [Fact]
    public void Analyze_BackendServiceMissing_ReportsPM008()
    {
        var snapshot = Manifests(Ingress("shop", "shop.example.com", paths: Route("/", "api", 80)));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.IngressServiceMissing);
        Is(d, Codes.IngressServiceMissing, Severity.Error, Ing("shop"), "spec.rules[0].http.paths[0].backend.service.name", RoutePath);
        Assert.Equal(HopKind.ClusterIp, d.Hop);
        Mentions(d.Message, "sends shop.example.com/ to Service \"api\"", "does not exist in namespace default", "503");
        Mentions(d.Fix, "Create Service default/api", "its own namespace");
        var path = Assert.Single(analysis.Paths);
        Assert.Equal((PathStatus.Broken, true), (path.Status, path.Hops[^1].Broken));
    }

    [Fact]
    public void Analyze_BackendServiceInAnotherNamespace_ReportsPM008()
    {
        var snapshot = Manifests(
            Service("api", "app=api", ns: "backend", ports: SvcPort(80)),
            Ingress("shop", "shop.example.com", paths: Route("/", "api", 80)));

        var analysis = Analyze(snapshot);

        Is(Single(analysis, Codes.IngressServiceMissing), Codes.IngressServiceMissing, Severity.Error, Ing("shop"), "spec.rules[0].http.paths[0].backend.service.name", RoutePath);
    }

    [Fact]
    public void Analyze_DefaultBackendServiceMissing_ReportsPM008OnDefaultBackend()
    {
        var snapshot = Manifests(
            Ingress("shop", "shop.example.com") with
            {
                Rules = [],
                DefaultBackend = new IngressBackend(new IngressServiceBackend("fallback", IntOrName.FromNumber(80)), null),
            });

        var analysis = Analyze(snapshot);

        Is(Single(analysis, Codes.IngressServiceMissing), Codes.IngressServiceMissing, Severity.Error, Ing("shop"), "spec.defaultBackend.service.name", "ingress:default/shop:default");
    }

    [Fact]
    public void Analyze_BackendServiceExists_NoPM008()
    {
        var snapshot = Manifests(WebPod(), Web(), Ingress("shop", "shop.example.com", paths: Route("/", "web", 80)));

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
        var path = Assert.Single(analysis.Paths, p => p.Id == RoutePath);
        Assert.Equal([HopKind.Client, HopKind.Ingress, HopKind.ClusterIp, HopKind.Endpoints], path.Hops.Select(h => h.Kind).ToArray());
        Assert.Equal((80, 8080), (path.Hops[2].Port, path.Hops[3].Port));
    }

    // ---------------------------------------------------------------- PM009 backend port missing

    [Fact]
    public void Analyze_BackendPortIsTheTargetPort_ReportsPM009()
    {
        var snapshot = Manifests(WebPod(), Web(), Ingress("shop", "shop.example.com", paths: Route("/", "web", 8080)));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.IngressPortMissing);
        Is(d, Codes.IngressPortMissing, Severity.Error, Ing("shop"), "spec.rules[0].http.paths[0].backend.service.port", RoutePath);
        Mentions(d.Message, "to port 8080 of Service default/web, which has no such port", "it has \"http\" (80/TCP)");
        Mentions(d.Fix, "Use port number 80 or name \"http\"", "not the container's targetPort");
        Assert.Equal(PathStatus.Broken, Assert.Single(analysis.Paths, p => p.Id == RoutePath).Status);
    }

    [Fact]
    public void Analyze_BackendPortNameUnknown_ReportsPM009()
    {
        var snapshot = Manifests(WebPod(), Web(), Ingress("shop", "shop.example.com", paths: Route("/", "web", "https")));

        var analysis = Analyze(snapshot);

        Mentions(Single(analysis, Codes.IngressPortMissing).Message, "to port named \"https\" of Service default/web");
    }

    [Fact]
    public void Analyze_BackendPortByName_NoPM009()
    {
        var snapshot = Manifests(WebPod(), Web(), Ingress("shop", "shop.example.com", paths: Route("/", "web", "http")));

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
    }

    [Fact]
    public void Analyze_BackendIsExternalNameService_NoPM009()
    {
        var snapshot = Manifests(
            Service("web", selector: null) with { Type = ServiceTypes.ExternalName, ExternalName = "web.example.net", ClusterIps = [] },
            Ingress("shop", "shop.example.com", paths: Route("/", "web", 443)));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.IngressPortMissing);
        Assert.Equal(HopKind.ExternalName, Assert.Single(analysis.Paths, p => p.Id == RoutePath).Hops[^1].Kind);
    }

    // ---------------------------------------------------------------- PM102 IngressClass missing

    [Fact]
    public void Analyze_IngressClassNotDefined_ReportsPM102()
    {
        var snapshot = Manifests(
            IngressClass("nginx"),
            WebPod(),
            Web(),
            Ingress("shop", "shop.example.com", className: "traefik", paths: [Route("/", "web", 80), Route("/api", "web", 80)]));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.IngressClassMissing);
        Is(d, Codes.IngressClassMissing, Severity.Warning, Ing("shop"), "spec.ingressClassName", RoutePath, "ingress:default/shop:0:1");
        Mentions(d.Message, "asks for IngressClass \"traefik\", which does not exist");
        Mentions(d.Fix, "Set spec.ingressClassName to one of: nginx.");
        Assert.All(analysis.Paths.Where(p => p.Ingress is not null), p => Assert.Equal(PathStatus.Degraded, p.Status));
    }

    [Fact]
    public void Analyze_NoClassNameAndNoDefaultClassOnLiveCluster_ReportsPM102()
    {
        var snapshot = Live(Web(), Ingress("shop", "shop.example.com", paths: Route("/", "web", 80)).WithAddress("198.51.100.9"));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.IngressClassMissing);
        Is(d, Codes.IngressClassMissing, Severity.Warning, Ing("shop"), "spec.ingressClassName", RoutePath);
        Mentions(d.Message, "names no ingressClassName and the cluster has no default IngressClass");
        Mentions(d.Fix, "Install an Ingress controller");
    }

    [Fact]
    public void Analyze_NoClassNameWithDefaultClass_NoPM102()
    {
        var snapshot = Live(IngressClass("nginx", isDefault: true), Web(), Ingress("shop", "shop.example.com", paths: Route("/", "web", 80)).WithAddress("198.51.100.9"));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.IngressClassMissing);
    }

    [Fact]
    public void Analyze_ManifestsWithoutAnyIngressClass_NoPM102()
    {
        var snapshot = Manifests(WebPod(), Web(), Ingress("shop", "shop.example.com", className: "nginx", paths: Route("/", "web", 80)));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.IngressClassMissing);
    }

    // ---------------------------------------------------------------- PM011 Ingress without an address

    [Fact]
    public void Analyze_LiveIngressWithoutAddress_ReportsPM011()
    {
        var snapshot = Live(IngressClass("nginx"), Web(), Ingress("shop", "shop.example.com", className: "nginx", paths: Route("/", "web", 80)));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.LoadBalancerPending);
        Is(d, Codes.LoadBalancerPending, Severity.Warning, Ing("shop"), "status.loadBalancer.ingress", RoutePath);
        Assert.Equal(HopKind.Ingress, d.Hop);
        Mentions(d.Message, "Ingress default/shop has no address yet");
        Mentions(d.Fix, "Ingress controller for its class is running");
    }

    [Fact]
    public void Analyze_LiveIngressWithAddress_NoPM011()
    {
        var snapshot = Live(IngressClass("nginx"), Web(), Ingress("shop", "shop.example.com", className: "nginx", paths: Route("/", "web", 80)).WithAddress("198.51.100.9"));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.LoadBalancerPending);
        Assert.Equal(["198.51.100.9"], Assert.Single(analysis.Paths, p => p.Id == RoutePath).Hops[1].Addresses.ToArray());
    }

    [Fact]
    public void Analyze_LiveIngressWithMissingClassAndNoAddress_ReportsPM102NotPM011()
    {
        var snapshot = Live(IngressClass("nginx"), Web(), Ingress("shop", "shop.example.com", className: "traefik", paths: Route("/", "web", 80)));

        var analysis = Analyze(snapshot);

        Single(analysis, Codes.IngressClassMissing);
        None(analysis, Codes.LoadBalancerPending);
    }

    [Fact]
    public void Analyze_ManifestIngressWithoutAddress_NoPM011()
    {
        var snapshot = Manifests(WebPod(), Web(), Ingress("shop", "shop.example.com", paths: Route("/", "web", 80)));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.LoadBalancerPending);
    }

    // ---------------------------------------------------------------- PM104 one route in two Ingresses

    [Fact]
    public void Analyze_TwoIngressesRouteSameHostAndPath_ReportsPM104OnEach()
    {
        var snapshot = Manifests(
            WebPod(),
            Web(),
            Ingress("shop", "shop.example.com", className: "nginx", paths: Route("/api", "web", 80)),
            Ingress("shop-v2", "shop.example.com", className: "nginx", paths: [Route("/", "web", 80), Route("/api", "web", 80)]));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.IngressRouteDuplicate, Ing("shop"));
        Is(d, Codes.IngressRouteDuplicate, Severity.Warning, Ing("shop"), "spec.rules[0].http.paths[0]", RoutePath);
        Mentions(d.Message, "routes host shop.example.com path /api (Prefix), as does default/shop-v2", "depends on the controller");
        Mentions(d.Fix, "Keep each host and path in one Ingress");
        Is(Single(analysis, Codes.IngressRouteDuplicate, Ing("shop-v2")), Codes.IngressRouteDuplicate, Severity.Warning, Ing("shop-v2"), "spec.rules[0].http.paths[1]", "ingress:default/shop-v2:0:1");
    }

    [Fact]
    public void Analyze_SameRouteInIngressesOfTwoNamespaces_ReportsPM104()
    {
        var snapshot = Manifests(
            Ingress("shop", "shop.example.com", ns: "blue", className: "nginx", paths: Route("/", "web", 80)),
            Ingress("shop", "shop.example.com", ns: "green", className: "nginx", paths: Route("/", "web", 80)));

        var analysis = Analyze(snapshot);

        Mentions(Single(analysis, Codes.IngressRouteDuplicate, Ing("shop", "blue")).Message, "as does green/shop");
    }

    [Fact]
    public void Analyze_SameRouteInIngressesOfDifferentClasses_NoPM104()
    {
        var snapshot = Manifests(
            Ingress("public", "shop.example.com", className: "nginx", paths: Route("/", "web", 80)),
            Ingress("internal", "shop.example.com", className: "internal", paths: Route("/", "web", 80)));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.IngressRouteDuplicate);
    }

    [Fact]
    public void Analyze_SamePathWithExactAndPrefix_NoPM104()
    {
        var snapshot = Manifests(
            Ingress("a", "shop.example.com", className: "nginx", paths: Route("/api", "web", 80, pathType: "Exact")),
            Ingress("b", "shop.example.com", className: "nginx", paths: Route("/api", "web", 80)));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.IngressRouteDuplicate);
    }
}
