using PortMapper.Core.Analysis;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.Fixtures.DiagnosticAssert;

namespace PortMapper.Core.Tests.Analysis;

/// <summary>
/// The five classic examples in samples/seeds, loaded as manifests: every path they produce, hop by hop with its
/// port, and exactly the findings they deserve — no more, no fewer.
/// </summary>
public class SeedTests
{
    private static ClusterAnalysis AnalyzeSeed(string file)
    {
        var loaded = ManifestLoader.LoadFile(Path.Combine("samples", "seeds", file));
        Assert.Empty(loaded.Errors);
        Assert.Empty(loaded.Issues);
        return ClusterAnalyzer.Analyze(ClusterSnapshot.From(loaded.Objects));
    }

    /// <summary>"id Exposure Status | Kind:port > Kind:port ...", one line per path, sorted.</summary>
    private static string[] Shapes(ClusterAnalysis analysis) =>
        [.. analysis.Paths
            .Select(p => $"{p.Id} {p.Exposure} {p.Status} | " + string.Join(" > ", p.Hops.Select(h => h.Port is { } port ? $"{h.Kind}:{port}" : $"{h.Kind}")))
            .Order(StringComparer.Ordinal)];

    private static TrafficPath PathOf(ClusterAnalysis analysis, string id) => Assert.Single(analysis.Paths, p => p.Id == id);

    private static ObjectRef[] EndpointOwners(TrafficPath path) => [.. path.Hops[^1].Endpoints.Select(e => e.Pod!)];

    [Fact]
    public void Analyze_Seed01PortTargetPortNodePort_ClusterIpNodePortAndHostPortPaths()
    {
        var analysis = AnalyzeSeed("01-port-targetport-nodeport.yaml");

        Assert.Equal(
            [
                "clusterip:default/mysql-service:33306/TCP ClusterIP Ok | Client > ClusterIp:33306 > Endpoints:3306",
                "clusterip:default/nginx-service:30080/TCP ClusterIP Ok | Client > ClusterIp:30080 > Endpoints:80",
                "hostport:default/influxdb-hostport:influxdb:8086/TCP HostPort Ok | Client > HostPort:8086 > Endpoints:8086",
                "nodeport:default/nginx-service:30080/TCP NodePort Ok | Client > NodePort:30001 > ClusterIp:30080 > Endpoints:80",
            ],
            Shapes(analysis));
        Assert.Equal([PodRef("mysql")], EndpointOwners(PathOf(analysis, "clusterip:default/mysql-service:33306/TCP")));
        Assert.Equal([PodRef("nginx")], EndpointOwners(PathOf(analysis, "nodeport:default/nginx-service:30080/TCP")));
        Assert.Equal(ClientKind.External, PathOf(analysis, "nodeport:default/nginx-service:30080/TCP").From);
        Assert.Equal(ClientKind.InCluster, PathOf(analysis, "clusterip:default/nginx-service:30080/TCP").From);
        Assert.Empty(analysis.Diagnostics);
    }

    [Fact]
    public void Analyze_Seed02ServiceTypes_EachTypeWithItsPathsAndPendingLoadBalancer()
    {
        var analysis = AnalyzeSeed("02-service-types.yaml");

        Assert.Equal(
            [
                "clusterip:types/my-service-clusterip:80/TCP ClusterIP Ok | Client > ClusterIp:80 > Endpoints:8080",
                "clusterip:types/my-service-lb:80/TCP ClusterIP Ok | Client > ClusterIp:80 > Endpoints:8080",
                "clusterip:types/my-service-nodeport:80/TCP ClusterIP Ok | Client > ClusterIp:80 > Endpoints:8080",
                "externalname:types/my-service-external ExternalName Ok | Client > Dns > ExternalName",
                "loadbalancer:types/my-service-lb:80/TCP LoadBalancer Broken | Client > LoadBalancer:80 > NodePort > ClusterIp:80 > Endpoints:8080",
                "nodeport:types/my-service-lb:80/TCP NodePort Ok | Client > NodePort > ClusterIp:80 > Endpoints:8080",
                "nodeport:types/my-service-nodeport:80/TCP NodePort Ok | Client > NodePort:30080 > ClusterIp:80 > Endpoints:8080",
            ],
            Shapes(analysis));

        // The named targetPort "http" resolves through the Deployment's pod template.
        var lb = PathOf(analysis, "clusterip:types/my-service-lb:80/TCP");
        var endpoint = Assert.Single(lb.Hops[^1].Endpoints);
        Assert.Equal((new ObjectRef("Deployment", "types", "my-app"), 8080, true), (endpoint.Pod, endpoint.Port, endpoint.Predicted));
        Assert.Equal("http", lb.Hops[^1].Name);
        Assert.Equal("example.com", PathOf(analysis, "externalname:types/my-service-external").Hops[^1].Name);
        Assert.Equal("pending", PathOf(analysis, "loadbalancer:types/my-service-lb:80/TCP").Hops[1].Name);

        Assert.Equal([Codes.LoadBalancerPending], AllCodes(analysis));
        Is(Single(analysis, Codes.LoadBalancerPending), Codes.LoadBalancerPending, Severity.Warning, Svc("my-service-lb", "types"), "status.loadBalancer.ingress", "loadbalancer:types/my-service-lb:80/TCP");
    }

    [Fact]
    public void Analyze_Seed03KubeProxyNodePort_ClusterIpAndNodePortToTheDeployment()
    {
        var analysis = AnalyzeSeed("03-kube-proxy-nodeport.yaml");

        Assert.Equal(
            [
                "clusterip:default/app1:8080/TCP ClusterIP Ok | Client > ClusterIp:8080 > Endpoints:8080",
                "nodeport:default/app1:8080/TCP NodePort Ok | Client > NodePort:30062 > ClusterIp:8080 > Endpoints:8080",
            ],
            Shapes(analysis));
        Assert.Equal([new ObjectRef("Deployment", "default", "app1")], EndpointOwners(PathOf(analysis, "nodeport:default/app1:8080/TCP")));
        Assert.Empty(analysis.Diagnostics);
    }

    [Fact]
    public void Analyze_Seed04ExternalAccess_FiveWaysInAndPendingLoadBalancer()
    {
        var analysis = AnalyzeSeed("04-external-access.yaml");

        Assert.Equal(
            [
                "clusterip:monitoring/influxdb-nodeport:8086/TCP ClusterIP Ok | Client > ClusterIp:8086 > Endpoints:8086",
                "clusterip:monitoring/influxdb:8086/TCP ClusterIP Ok | Client > ClusterIp:8086 > Endpoints:8086",
                "hostnetwork:monitoring/influxdb-hostnetwork:influxdb:8086/TCP HostNetwork Ok | Client > HostNetwork:8086",
                "hostport:monitoring/influxdb-hostport:influxdb:8086/TCP HostPort Ok | Client > HostPort:8086 > Endpoints:8086",
                "ingress:monitoring/influxdb:0:0 Ingress Ok | Client > Ingress:80 > ClusterIp:8086 > Endpoints:8086",
                "loadbalancer:monitoring/influxdb:8086/TCP LoadBalancer Broken | Client > LoadBalancer:8086 > NodePort > ClusterIp:8086 > Endpoints:8086",
                "nodeport:monitoring/influxdb-nodeport:8086/TCP NodePort Ok | Client > NodePort:30000 > ClusterIp:8086 > Endpoints:8086",
                "nodeport:monitoring/influxdb:8086/TCP NodePort Ok | Client > NodePort > ClusterIp:8086 > Endpoints:8086",
            ],
            Shapes(analysis));

        // Both pods carry name=influxdb: every Service and the Ingress reach the hostNetwork and the hostPort pod.
        ObjectRef[] both = [PodRef("influxdb-hostnetwork", "monitoring"), PodRef("influxdb-hostport", "monitoring")];
        Assert.Equal(both, EndpointOwners(PathOf(analysis, "nodeport:monitoring/influxdb-nodeport:8086/TCP")));
        Assert.Equal(both, EndpointOwners(PathOf(analysis, "ingress:monitoring/influxdb:0:0")));
        Assert.Equal("influxdb.example.com/", PathOf(analysis, "ingress:monitoring/influxdb:0:0").Hops[1].Name);

        // Neither pod is placed yet, so their shared port 8086 is no conflict (PM007 needs one node).
        Assert.Equal([Codes.LoadBalancerPending], AllCodes(analysis));
        Is(Single(analysis, Codes.LoadBalancerPending), Codes.LoadBalancerPending, Severity.Warning, Svc("influxdb", "monitoring"), "status.loadBalancer.ingress", "loadbalancer:monitoring/influxdb:8086/TCP");
    }

    [Fact]
    public void Analyze_Seed05WebappThreeWays_HostPortAndNodePortWithUndeclaredTargetPort()
    {
        var analysis = AnalyzeSeed("05-webapp-three-ways.yaml");

        Assert.Equal(
            [
                "clusterip:web/webapp:8080/TCP ClusterIP Degraded | Client > ClusterIp:8080 > Endpoints:80",
                "hostport:web/webapp:webapp:8081/TCP HostPort Ok | Client > HostPort:8081 > Endpoints:8080",
                "nodeport:web/webapp:8080/TCP NodePort Degraded | Client > NodePort:30081 > ClusterIp:8080 > Endpoints:80",
            ],
            Shapes(analysis));

        Assert.Equal([Codes.NumericTargetPortUndeclared], AllCodes(analysis));
        var d = Single(analysis, Codes.NumericTargetPortUndeclared);
        Is(d, Codes.NumericTargetPortUndeclared, Severity.Warning, Svc("webapp", "web"), "spec.ports[0].targetPort", "clusterip:web/webapp:8080/TCP", "nodeport:web/webapp:8080/TCP");
        Mentions(d.Message, "targetPort 80/TCP", "pod web/webapp", "declared: 8080");
        Mentions(d.Fix, "Set targetPort to 8080");
    }

    [Fact]
    public void Analyze_AllSeedsTogether_SamePathsAndFindingsAsEachAlone()
    {
        var files = Directory.GetFiles(Path.Combine("samples", "seeds"), "*.yaml").Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        var alone = files.Select(f => AnalyzeSeed(f!)).ToList();
        var loaded = ManifestLoader.LoadPaths([Path.Combine("samples", "seeds")]);

        var together = ClusterAnalyzer.Analyze(ClusterSnapshot.From(loaded.Objects));

        Assert.Empty(loaded.Errors);
        Assert.Equal(5, files.Count);
        Assert.Equal(alone.SelectMany(Shapes).Order(StringComparer.Ordinal), Shapes(together));
        Assert.Equal(24, together.Paths.Length);
        Assert.Equal([Codes.NumericTargetPortUndeclared, Codes.LoadBalancerPending, Codes.LoadBalancerPending], AllCodes(together));
    }
}
