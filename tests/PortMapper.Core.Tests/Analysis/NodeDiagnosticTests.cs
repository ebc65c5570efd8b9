using PortMapper.Core.Analysis;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.Fixtures.DiagnosticAssert;
using static PortMapper.Core.Tests.Fixtures.TestCluster;

namespace PortMapper.Core.Tests.Analysis;

/// <summary>Ports claimed twice on the cluster or on one node: PM006, PM007, PM100, and PM108 for pods that could not be placed.</summary>
public class NodeDiagnosticTests
{
    // ---------------------------------------------------------------- PM006 nodePort used twice

    [Fact]
    public void Analyze_TwoServicesOnOneNodePort_ReportsPM006OnEach()
    {
        var snapshot = Manifests(
            Service("a", "app=a", ports: SvcPort(80, nodePort: 30080)).OfType(ServiceTypes.NodePort),
            Service("b", "app=b", ports: SvcPort(8080, nodePort: 30080)).OfType(ServiceTypes.NodePort));

        var analysis = Analyze(snapshot);

        var a = Single(analysis, Codes.NodePortDuplicate, Svc("a"));
        Is(a, Codes.NodePortDuplicate, Severity.Error, Svc("a"), "spec.ports[0].nodePort", "nodeport:default/a:80/TCP");
        Mentions(a.Message, "nodePort 30080/TCP", "also used by default/b", "provided port is already allocated");
        Mentions(a.Fix, "its own nodePort");
        var b = Single(analysis, Codes.NodePortDuplicate, Svc("b"));
        Is(b, Codes.NodePortDuplicate, Severity.Error, Svc("b"), "spec.ports[0].nodePort", "nodeport:default/b:8080/TCP");
        Assert.Contains(Codes.NodePortDuplicate, Assert.Single(analysis.Paths, p => p.Id == "nodeport:default/a:80/TCP").Diagnostics);
    }

    [Fact]
    public void Analyze_TwoServicesOnOneNodePortWithDifferentProtocols_ReportsPM006()
    {
        // The allocator hands out port numbers, whatever the protocol.
        var snapshot = Manifests(
            Service("dns-tcp", "app=dns", ports: SvcPort(53, nodePort: 30053)).OfType(ServiceTypes.NodePort),
            Service("dns-udp", "app=dns", ports: SvcPort(53, protocol: Protocols.Udp, nodePort: 30053)).OfType(ServiceTypes.NodePort));

        var analysis = Analyze(snapshot);

        var udp = Single(analysis, Codes.NodePortDuplicate, Svc("dns-udp"));
        Is(udp, Codes.NodePortDuplicate, Severity.Error, Svc("dns-udp"), "spec.ports[0].nodePort", "nodeport:default/dns-udp:53/UDP");
        Mentions(udp.Message, "nodePort 30053/UDP", "also used by default/dns-tcp", "whatever the protocol");
        Single(analysis, Codes.NodePortDuplicate, Svc("dns-tcp"));
    }

    [Fact]
    public void Analyze_OneServiceReusesNodePortForAnotherPortNumber_ReportsPM006()
    {
        var snapshot = Manifests(
            Service("web", "app=web", ports: [SvcPort(80, name: "http", nodePort: 30080), SvcPort(443, name: "https", nodePort: 30080)]).OfType(ServiceTypes.NodePort));

        var analysis = Analyze(snapshot);

        Assert.Equal(2, analysis.Diagnostics.Count(d => d.Code == Codes.NodePortDuplicate));
        var https = Assert.Single(analysis.Diagnostics, d => d.Code == Codes.NodePortDuplicate && d.Field == "spec.ports[1].nodePort");
        Is(https, Codes.NodePortDuplicate, Severity.Error, Svc("web"), "spec.ports[1].nodePort", "nodeport:default/web:443/TCP");
        Mentions(https.Message, "uses nodePort 30080/TCP for more than one of its ports");
    }

    [Fact]
    public void Analyze_OneServiceSharesNodePortBetweenTcpAndUdpOfOnePort_NoPM006()
    {
        var snapshot = Manifests(
            Service("dns", "app=dns", ports: [SvcPort(53, name: "dns-tcp", nodePort: 30053), SvcPort(53, name: "dns-udp", protocol: Protocols.Udp, nodePort: 30053)]).OfType(ServiceTypes.NodePort));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.NodePortDuplicate);
    }

    [Fact]
    public void Analyze_ServicesOnDifferentNodePorts_NoPM006()
    {
        var snapshot = Manifests(
            Service("a", "app=a", ports: SvcPort(80, nodePort: 30080)).OfType(ServiceTypes.NodePort),
            Service("b", "app=b", ports: SvcPort(80, nodePort: 30081)).OfType(ServiceTypes.NodePort));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.NodePortDuplicate);
    }

    [Fact]
    public void Analyze_ThreeServicesOnOneNodePort_NamesTheOthersInOrder()
    {
        var snapshot = Manifests(
            Service("web", "app=x", ns: "c", ports: SvcPort(80, nodePort: 30080)).OfType(ServiceTypes.NodePort),
            Service("web", "app=x", ns: "a", ports: SvcPort(80, nodePort: 30080)).OfType(ServiceTypes.NodePort),
            Service("web", "app=x", ns: "b", ports: SvcPort(80, nodePort: 30080)).OfType(ServiceTypes.NodePort));

        var analysis = Analyze(snapshot);

        Mentions(Single(analysis, Codes.NodePortDuplicate, Svc("web", "c")).Message, "also used by a/web, b/web;");
        Mentions(Single(analysis, Codes.NodePortDuplicate, Svc("web", "a")).Message, "also used by b/web, c/web;");
    }

    // ---------------------------------------------------------------- PM007 host port claimed twice on one node

    [Fact]
    public void Analyze_TwoPodsOnOneNodeWithSameHostPort_ReportsPM007OnEach()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Pod("a", "app=a", ports: Port(80, hostPort: 8080)).On("n1", "10.244.0.1").Running(),
            Pod("b", "app=b", ports: Port(8000, hostPort: 8080)).On("n1", "10.244.0.2").Running());

        var analysis = Analyze(snapshot);

        var a = Single(analysis, Codes.HostPortConflict, PodRef("a"));
        Is(a, Codes.HostPortConflict, Severity.Error, PodRef("a"), "spec.containers.ports.hostPort", "hostport:default/a:main:8080/TCP");
        Assert.Equal(HopKind.HostPort, a.Hop);
        Mentions(a.Message, "hostPort 8080/TCP", "node n1", "as does default/b", "only one of them can bind it");
        Mentions(a.Fix, "different host ports", "different nodes");
        Is(Single(analysis, Codes.HostPortConflict, PodRef("b")), Codes.HostPortConflict, Severity.Error, PodRef("b"), "spec.containers.ports.hostPort", "hostport:default/b:main:8080/TCP");
        var path = Assert.Single(analysis.Paths, p => p.Id == "hostport:default/a:main:8080/TCP");
        Assert.Equal(PathStatus.Broken, path.Status);
    }

    [Fact]
    public void Analyze_HostNetworkPodAndHostPortPodOnOneNode_ReportsPM007()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Pod("agent", "app=agent", ports: Port(8086)).HostNetwork().On("n1", "10.0.0.1").Running(),
            Pod("db", "app=db", ports: Port(8086, hostPort: 8086)).On("n1", "10.244.0.2").Running());

        var analysis = Analyze(snapshot);

        var agent = Single(analysis, Codes.HostPortConflict, PodRef("agent"));
        Is(agent, Codes.HostPortConflict, Severity.Error, PodRef("agent"), "spec.hostNetwork", "hostnetwork:default/agent:main:8086/TCP");
        Assert.Equal(HopKind.HostNetwork, agent.Hop);
        Mentions(agent.Message, "host network port 8086/TCP", "as does default/db");
        Single(analysis, Codes.HostPortConflict, PodRef("db"));
    }

    [Fact]
    public void Analyze_SameHostPortOnDifferentHostIps_NoPM007()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Pod("a", "app=a", ports: Port(80, hostPort: 8080, hostIp: "10.0.0.1")).On("n1", "10.244.0.1").Running(),
            Pod("b", "app=b", ports: Port(80, hostPort: 8080, hostIp: "10.0.0.2")).On("n1", "10.244.0.2").Running());

        var analysis = Analyze(snapshot);

        None(analysis, Codes.HostPortConflict);
    }

    [Fact]
    public void Analyze_SpecificHostIpAndAllAddressesOnOneNode_ReportsPM007()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Pod("a", "app=a", ports: Port(80, hostPort: 8080, hostIp: "10.0.0.1")).On("n1", "10.244.0.1").Running(),
            Pod("b", "app=b", ports: Port(80, hostPort: 8080)).On("n1", "10.244.0.2").Running());

        var analysis = Analyze(snapshot);

        Mentions(Single(analysis, Codes.HostPortConflict, PodRef("a")).Message, "on 10.0.0.1 of node n1");
        Mentions(Single(analysis, Codes.HostPortConflict, PodRef("b")).Message, "on 0.0.0.0 of node n1");
    }

    [Fact]
    public void Analyze_SameHostPortWithDifferentProtocols_NoPM007()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Pod("a", "app=a", ports: Port(53, hostPort: 53)).On("n1", "10.244.0.1").Running(),
            Pod("b", "app=b", ports: Port(53, protocol: Protocols.Udp, hostPort: 53)).On("n1", "10.244.0.2").Running());

        var analysis = Analyze(snapshot);

        None(analysis, Codes.HostPortConflict);
    }

    [Fact]
    public void Analyze_SameHostPortOnDifferentNodes_NoPM007()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Node("n2", "10.0.0.2"),
            Pod("a", "app=a", ports: Port(80, hostPort: 8080)).On("n1", "10.244.0.1").Running(),
            Pod("b", "app=b", ports: Port(80, hostPort: 8080)).On("n2", "10.244.1.1").Running());

        var analysis = Analyze(snapshot);

        None(analysis, Codes.HostPortConflict);
    }

    [Fact]
    public void Analyze_SameHostPortHeldByAFinishedPod_NoPM007()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Pod("a", "app=a", ports: Port(80, hostPort: 8080)).On("n1", "10.244.0.1").Running(),
            Pod("old", "app=a", ports: Port(80, hostPort: 8080)).On("n1", "10.244.0.2") with { Phase = "Succeeded", Ready = false });

        var analysis = Analyze(snapshot);

        None(analysis, Codes.HostPortConflict);
    }

    [Fact]
    public void Analyze_ThreePodsOnOneHostPort_NamesTheOthersInOrder()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Pod("x", "app=x", ns: "c", ports: Port(80, hostPort: 8080)).On("n1", "10.244.0.3").Running(),
            Pod("x", "app=x", ns: "a", ports: Port(80, hostPort: 8080)).On("n1", "10.244.0.1").Running(),
            Pod("x", "app=x", ns: "b", ports: Port(80, hostPort: 8080)).On("n1", "10.244.0.2").Running());

        var analysis = Analyze(snapshot);

        Mentions(Single(analysis, Codes.HostPortConflict, PodRef("x", "c")).Message, "as does a/x, b/x:");
        Mentions(Single(analysis, Codes.HostPortConflict, PodRef("x", "b")).Message, "as does a/x, c/x:");
    }

    // ---------------------------------------------------------------- PM100 hostNetwork pod on a nodePort

    [Fact]
    public void Analyze_HostNetworkPodListensOnANodePort_ReportsPM100()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 30080)).OfType(ServiceTypes.NodePort),
            Pod("agent", "app=agent", ports: Port(30080)).HostNetwork().On("n1", "10.0.0.1").Running());

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.HostNetworkOnNodePort);
        Is(d, Codes.HostNetworkOnNodePort, Severity.Error, PodRef("agent"), "spec.containers.ports", "hostnetwork:default/agent:main:30080/TCP");
        Assert.Equal(HopKind.HostNetwork, d.Hop);
        Mentions(d.Message, "listens on 30080/TCP", "nodePort of default/web", "kube-proxy");
        Mentions(d.Fix, "outside the node-port range");
        var path = Assert.Single(analysis.Paths, p => p.Id == "hostnetwork:default/agent:main:30080/TCP");
        Assert.Equal(PathStatus.Broken, path.Status);
        Assert.Equal(Codes.HostNetworkOnNodePort, Assert.Single(path.Diagnostics));
    }

    [Fact]
    public void Analyze_HostNetworkPodOnNodePortNumberWithOtherProtocol_NoPM100()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 30080)).OfType(ServiceTypes.NodePort),
            Pod("agent", "app=agent", ports: Port(30080, protocol: Protocols.Udp)).HostNetwork().On("n1", "10.0.0.1").Running());

        var analysis = Analyze(snapshot);

        None(analysis, Codes.HostNetworkOnNodePort);
    }

    [Fact]
    public void Analyze_PodNetworkPodDeclaresTheNodePortNumber_NoPM100()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 30080)).OfType(ServiceTypes.NodePort),
            Pod("agent", "app=agent", ports: Port(30080)).On("n1", "10.244.0.9").Running());

        var analysis = Analyze(snapshot);

        None(analysis, Codes.HostNetworkOnNodePort);
    }

    // ---------------------------------------------------------------- PM108 pod cannot be scheduled

    [Fact]
    public void Analyze_PodTheSchedulerCannotPlace_ReportsPM108()
    {
        const string why = "0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports.";
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Pod("ingress-1", "app=ingress", ports: Port(80, hostPort: 80)).Unschedulable(why));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.PodUnschedulable);
        Is(d, Codes.PodUnschedulable, Severity.Error, PodRef("ingress-1"), "spec", "hostport:default/ingress-1:main:80/TCP");
        Mentions(d.Message, "Pod default/ingress-1 cannot be scheduled", why);
        Mentions(d.Fix, "Free the port");
        var path = Assert.Single(analysis.Paths);
        Assert.Equal((PathStatus.Broken, "(not scheduled)", true), (path.Status, path.Hops[1].Name, path.Hops[1].Broken));
    }

    [Fact]
    public void Analyze_ScheduledPodWithHostPort_NoPM108()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Pod("ingress-1", "app=ingress", ports: Port(80, hostPort: 80)).On("n1", "10.244.0.1").Running());

        var analysis = Analyze(snapshot);

        None(analysis, Codes.PodUnschedulable);
        var path = Assert.Single(analysis.Paths);
        Assert.Equal((PathStatus.Ok, "n1", "10.0.0.1"), (path.Status, path.Hops[1].Name, path.Hops[1].Addresses.Single()));
    }
}
