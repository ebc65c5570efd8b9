using PortMapper.Core.Analysis;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.Fixtures.TestCluster;

namespace PortMapper.Core.Tests.Analysis;

/// <summary>The shape of paths the seed examples do not show: headless, external IPs, load balancers without node ports, Ingress extras.</summary>
public class PathTests
{
    private static string Shape(TrafficPath p) =>
        $"{p.Id} {p.Exposure} {p.Status} | " + string.Join(" > ", p.Hops.Select(h => h.Port is { } port ? $"{h.Kind}:{port}" : $"{h.Kind}"));

    private static string[] Shapes(ClusterAnalysis analysis) => [.. analysis.Paths.Select(Shape).Order(StringComparer.Ordinal)];

    [Fact]
    public void Analyze_HeadlessService_DnsAnswersWithReadyPodIps()
    {
        var snapshot = Live(
            Pod("db-0", "app=db", ports: Port(5432)).On("n1", "10.244.0.9").Running(),
            Pod("db-1", "app=db", ports: Port(5432)).On("n1", "10.244.0.10").Running(ready: false),
            Service("db", "app=db", ports: SvcPort(5432)) with { ClusterIps = ["None"] },
            Slice("db-x", "db", ports: [SlicePort(5432)], endpoints: [Endpoint("10.244.0.9", "n1"), Endpoint("10.244.0.10", "n1", ready: false)]));

        var analysis = Analyze(snapshot);

        Assert.Equal(["headless:default/db:5432/TCP Headless Degraded | Client > Dns > Endpoints:5432"], Shapes(analysis));
        Assert.Equal(["10.244.0.9"], analysis.Paths[0].Hops[1].Addresses.ToArray());
    }

    [Fact]
    public void Analyze_HeadlessServiceWithoutPorts_OnePathWithoutPort()
    {
        var snapshot = Manifests(
            Pod("db-0", "app=db", ports: Port(5432)).On("n1", "10.244.0.9").Running(),
            Service("db", "app=db") with { ClusterIps = ["None"] });

        var analysis = Analyze(snapshot);

        Assert.Equal(["headless:default/db Headless Ok | Client > Dns > Endpoints"], Shapes(analysis));
        Assert.Empty(analysis.Diagnostics);
    }

    [Fact]
    public void Analyze_ServiceWithExternalIps_AddsExternalIpPath()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)) with { ExternalIps = ["203.0.113.7"] });

        var analysis = Analyze(snapshot);

        Assert.Equal(
            [
                "clusterip:default/web:80/TCP ClusterIP Ok | Client > ClusterIp:80 > Endpoints:8080",
                "externalip:default/web:80/TCP ExternalIP Ok | Client > ExternalIp:80 > Endpoints:8080",
            ],
            Shapes(analysis));
        Assert.Equal(["203.0.113.7"], analysis.Paths.Single(p => p.Exposure == Exposure.ExternalIP).Hops[1].Addresses.ToArray());
    }

    [Fact]
    public void Analyze_LoadBalancerWithoutNodePorts_LoadBalancerReachesClusterIpDirectly()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)).OfType(ServiceTypes.LoadBalancer).WithLoadBalancerAddress("198.51.100.1") with
            {
                AllocateLoadBalancerNodePorts = false,
            });

        var analysis = Analyze(snapshot);

        Assert.Equal(
            [
                "clusterip:default/web:80/TCP ClusterIP Ok | Client > ClusterIp:80 > Endpoints:8080",
                "loadbalancer:default/web:80/TCP LoadBalancer Ok | Client > LoadBalancer:80 > ClusterIp:80 > Endpoints:8080",
            ],
            Shapes(analysis));
    }

    [Fact]
    public void Analyze_LiveHostNetworkPodBehindService_EndpointIsTheNodeAddress()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Pod("agent", "app=agent", ports: Port(9100)).HostNetwork().On("n1", "10.0.0.1").Running(),
            Service("agent", "app=agent", ports: SvcPort(9100)),
            Slice("agent-x", "agent", ports: [SlicePort(9100)], endpoints: Endpoint("10.0.0.1", "n1", pod: "agent")));

        var analysis = Analyze(snapshot);

        Assert.Equal(
            [
                "clusterip:default/agent:9100/TCP ClusterIP Ok | Client > ClusterIp:9100 > Endpoints:9100",
                "hostnetwork:default/agent:main:9100/TCP HostNetwork Ok | Client > HostNetwork:9100",
            ],
            Shapes(analysis));
        Assert.Equal("10.0.0.1:9100", analysis.Paths.Single(p => p.Exposure == Exposure.ClusterIP).Hops[^1].Endpoints.Single().ToString());
        Assert.Equal(["10.0.0.1"], analysis.Paths.Single(p => p.Exposure == Exposure.HostNetwork).Hops[1].Addresses.ToArray());
    }

    [Fact]
    public void Analyze_IngressWithTlsAndDefaultBackend_TlsRouteOn443DefaultOn80()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)),
            Ingress("shop", "shop.example.com", paths: Route("/", "web", 80)) with
            {
                Tls = [new IngressTls(["shop.example.com"], "shop-tls")],
                DefaultBackend = new IngressBackend(new IngressServiceBackend("web", IntOrName.FromNumber(80)), null),
            });

        var analysis = Analyze(snapshot);

        var tls = analysis.Paths.Single(p => p.Id == "ingress:default/shop:0:0");
        var fallback = analysis.Paths.Single(p => p.Id == "ingress:default/shop:default");
        Assert.Equal((443, true, "shop.example.com/"), (tls.Hops[1].Port, tls.Hops[1].Tls, tls.Hops[1].Name));
        Assert.Equal((80, false, "* (default backend)"), (fallback.Hops[1].Port, fallback.Hops[1].Tls, fallback.Hops[1].Name));
        Assert.Equal(8080, fallback.Hops[^1].Port);
    }

    [Fact]
    public void Analyze_IngressResourceBackend_EndsAtTheResource()
    {
        var snapshot = Manifests(
            Ingress("assets", "cdn.example.com") with
            {
                Rules = [new IngressRule("cdn.example.com", [new IngressPath("/", "Prefix", new IngressBackend(null, new ObjectRef("StorageBucket", "default", "static")))])],
            });

        var analysis = Analyze(snapshot);

        var path = Assert.Single(analysis.Paths);
        Assert.Equal((PathStatus.Ok, "StorageBucket/static"), (path.Status, path.Hops[^1].Name));
        Assert.Empty(analysis.Diagnostics);
    }
}
