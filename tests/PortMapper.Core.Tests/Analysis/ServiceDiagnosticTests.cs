using System.Collections.Immutable;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.Fixtures.DiagnosticAssert;
using static PortMapper.Core.Tests.Fixtures.TestCluster;

namespace PortMapper.Core.Tests.Analysis;

/// <summary>Findings about one Service: its selector, its ports and where they lead, its endpoints and its exposure.</summary>
public class ServiceDiagnosticTests
{
    private const string ClusterIpPath = "clusterip:default/web:80/TCP";
    private const string NodePortPath = "nodeport:default/web:80/TCP";
    private const string LoadBalancerPath = "loadbalancer:default/web:80/TCP";

    // ---------------------------------------------------------------- PM001 selector matches nothing

    [Fact]
    public void Analyze_SelectorMatchesNoPod_ReportsPM001()
    {
        var snapshot = Manifests(
            Pod("api-1", "app=api", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.SelectorMatchesNothing);
        Is(d, Codes.SelectorMatchesNothing, Severity.Error, Svc("web"), "spec.selector", ClusterIpPath);
        Mentions(d.Message, "{app=web}", "matches no pods in namespace default");
        Mentions(d.Fix, "kubectl get pods -n default --show-labels");
        None(analysis, Codes.NoReadyEndpoints);
        Assert.Equal(PathStatus.Broken, Assert.Single(analysis.Paths, p => p.Service == Svc("web")).Status);
    }

    [Fact]
    public void Analyze_SelectorMatchesPodInAnotherNamespaceOnly_ReportsPM001()
    {
        var snapshot = Live(
            Pod("web-1", "app=web", ns: "other", ports: Port(8080)).On("n1", "10.244.0.5").Running(),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)));

        var analysis = Analyze(snapshot);

        Is(Single(analysis, Codes.SelectorMatchesNothing), Codes.SelectorMatchesNothing, Severity.Error, Svc("web"), "spec.selector", ClusterIpPath);
    }

    [Fact]
    public void Analyze_SelectorMatchesDeploymentTemplate_NoPM001()
    {
        var snapshot = Manifests(
            Deployment("web", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)));

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
        var endpoint = Assert.Single(Assert.Single(analysis.Paths).Hops[^1].Endpoints);
        Assert.Equal((new ObjectRef("Deployment", "default", "web"), 8080, true), (endpoint.Pod, endpoint.Port, endpoint.Predicted));
    }

    [Fact]
    public void Analyze_SelectorMatchesRunningPod_NoPM001()
    {
        var snapshot = Live(
            Pod("web-1", "app=web,tier=fe", ports: Port(8080)).On("n1", "10.244.0.5").Running(),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)),
            Slice("web-abc", "web", ports: [SlicePort(8080)], endpoints: Endpoint("10.244.0.5", "n1", pod: "web-1")));

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
    }

    // ---------------------------------------------------------------- PM002 numeric targetPort not declared

    [Fact]
    public void Analyze_NumericTargetPortNoContainerDeclares_ReportsPM002Warning()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 80)));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.NumericTargetPortUndeclared);
        Is(d, Codes.NumericTargetPortUndeclared, Severity.Warning, Svc("web"), "spec.ports[0].targetPort", ClusterIpPath);
        Assert.Equal(HopKind.Endpoints, d.Hop);
        Mentions(d.Message, "targetPort 80/TCP", "pod default/web-1", "declared: 8080", "Traffic is still sent there");
        Mentions(d.Fix, "Set targetPort to 8080", "declare containerPort 80");
        var path = Assert.Single(analysis.Paths);
        Assert.Equal(PathStatus.Degraded, path.Status);
        Assert.Equal(80, Assert.Single(path.Hops[^1].Endpoints).Port);
    }

    [Fact]
    public void Analyze_NumericTargetPortNotDeclaredOnLiveCluster_ReportsPM002()
    {
        var snapshot = Live(
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running(),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 80)),
            Slice("web-abc", "web", ports: [SlicePort(80)], endpoints: Endpoint("10.244.0.5", "n1", pod: "web-1")));

        var analysis = Analyze(snapshot);

        Is(Single(analysis, Codes.NumericTargetPortUndeclared), Codes.NumericTargetPortUndeclared, Severity.Warning, Svc("web"), "spec.ports[0].targetPort", ClusterIpPath);
    }

    [Fact]
    public void Analyze_UnsetTargetPortDefaultsToUndeclaredPort_ReportsPM002()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80)));

        var analysis = Analyze(snapshot);

        Mentions(Single(analysis, Codes.NumericTargetPortUndeclared).Message, "targetPort 80/TCP");
    }

    [Fact]
    public void Analyze_NumericTargetPortDeclaredOnlyForOtherProtocol_ReportsPM002()
    {
        var snapshot = Manifests(
            Pod("dns-1", "app=dns", ports: Port(53, name: "dns")),
            Service("dns", "app=dns", ports: SvcPort(53, targetPort: 53, protocol: Protocols.Udp)));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.NumericTargetPortUndeclared);
        Is(d, Codes.NumericTargetPortUndeclared, Severity.Warning, Svc("dns"), "spec.ports[0].targetPort", "clusterip:default/dns:53/UDP");
        Mentions(d.Message, "targetPort 53/UDP", "declares no such container port");
        Mentions(d.Fix, "declare containerPort 53");
    }

    [Fact]
    public void Analyze_NumericTargetPortDeclared_NoPM002()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.NumericTargetPortUndeclared);
        Assert.Equal(PathStatus.Ok, Assert.Single(analysis.Paths).Status);
    }

    // ---------------------------------------------------------------- PM003 named targetPort missing

    [Fact]
    public void Analyze_NamedTargetPortMissingOnOnePod_ReportsPM003ForThatPod()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080, name: "http")),
            Pod("web-2", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: "http")));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.NamedTargetPortMissing);
        Is(d, Codes.NamedTargetPortMissing, Severity.Error, Svc("web"), "spec.ports[0].targetPort", ClusterIpPath);
        Mentions(d.Message, "port named \"http\" (TCP)", "pod default/web-2 does not declare", "(it declares 8080/TCP)", "gets no endpoint");
        Mentions(d.Fix, "Name the container port \"http\" with protocol TCP");
        var endpoint = Assert.Single(Assert.Single(analysis.Paths).Hops[^1].Endpoints);
        Assert.Equal((PodRef("web-1"), 8080), (endpoint.Pod, endpoint.Port));
        None(analysis, Codes.NoReadyEndpoints);
    }

    [Fact]
    public void Analyze_NamedTargetPortMissingOnEveryPod_ReportsPM003PerPodAndPM004()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Pod("web-2", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: "http")));

        var analysis = Analyze(snapshot);

        Assert.Equal([Codes.NamedTargetPortMissing, Codes.NamedTargetPortMissing, Codes.NoReadyEndpoints], AllCodes(analysis));
        Assert.Contains(analysis.Diagnostics, d => d.Code == Codes.NamedTargetPortMissing && d.Message.Contains("pod default/web-1 does not declare", StringComparison.Ordinal));
        Assert.Contains(analysis.Diagnostics, d => d.Code == Codes.NamedTargetPortMissing && d.Message.Contains("pod default/web-2 does not declare", StringComparison.Ordinal));
        Mentions(Single(analysis, Codes.NoReadyEndpoints).Message, "no selected pod declares its named targetPort");
        Assert.Empty(Assert.Single(analysis.Paths).Hops[^1].Endpoints);
    }

    [Fact]
    public void Analyze_NamedTargetPortDeclaredOnlyForOtherProtocol_ReportsPM003()
    {
        var snapshot = Manifests(
            Pod("dns-1", "app=dns", ports: Port(53, name: "dns")),
            Service("dns", "app=dns", ports: SvcPort(53, targetPort: "dns", protocol: Protocols.Udp)));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.NamedTargetPortMissing);
        Is(d, Codes.NamedTargetPortMissing, Severity.Error, Svc("dns"), "spec.ports[0].targetPort", "clusterip:default/dns:53/UDP");
        Mentions(d.Message, "port named \"dns\" (UDP)", "it declares \"dns\" only for TCP");
        Mentions(d.Fix, "with protocol UDP");
    }

    [Fact]
    public void Analyze_NamedTargetPortMissingFromTemplate_ReportsPM003NamingTheWorkload()
    {
        var snapshot = Manifests(
            Deployment("web", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: "http")));

        var analysis = Analyze(snapshot);

        Mentions(Single(analysis, Codes.NamedTargetPortMissing).Message, "the pod template of Deployment default/web does not declare");
    }

    [Fact]
    public void Analyze_NamedTargetPortMissingOnLiveCluster_ReportsPM003()
    {
        var snapshot = Live(
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running(),
            Service("web", "app=web", ports: SvcPort(80, targetPort: "http")),
            Slice("web-abc", "web", ports: [], endpoints: Endpoint("10.244.0.5", "n1", pod: "web-1")));

        var analysis = Analyze(snapshot);

        Is(Single(analysis, Codes.NamedTargetPortMissing), Codes.NamedTargetPortMissing, Severity.Error, Svc("web"), "spec.ports[0].targetPort", ClusterIpPath);
        Assert.Empty(Assert.Single(analysis.Paths).Hops[^1].Endpoints);
    }

    [Fact]
    public void Analyze_NamedTargetPortDeclaredBySidecar_NoPM003()
    {
        var sidecar = new Container { Name = "proxy", IsRestartableInit = true, Ports = [Port(9090, name: "metrics")] };
        var snapshot = Manifests(
            Pod("web-1", "app=web").WithContainers(Container("main"), sidecar),
            Service("web", "app=web", ports: SvcPort(9000, targetPort: "metrics")));

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
        Assert.Equal(9090, Assert.Single(Assert.Single(analysis.Paths).Hops[^1].Endpoints).Port);
    }

    [Fact]
    public void Analyze_NamedTargetPortDeclaredWithProtocol_NoPM003()
    {
        var snapshot = Manifests(
            Pod("dns-1", "app=dns", ports: [Port(53, name: "dns"), Port(53, name: "dns", protocol: Protocols.Udp)]),
            Service("dns", "app=dns", ports: SvcPort(53, targetPort: "dns", protocol: Protocols.Udp)));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.NamedTargetPortMissing);
    }

    // ---------------------------------------------------------------- PM004 / PM107 readiness of endpoints

    [Fact]
    public void Analyze_AllEndpointsUnready_ReportsPM004()
    {
        var snapshot = Live(
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running(ready: false),
            Pod("web-2", "app=web", ports: Port(8080)).On("n1", "10.244.0.6").Running(ready: false),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)),
            Slice("web-abc", "web", ports: [SlicePort(8080)], endpoints: [Endpoint("10.244.0.5", "n1", ready: false), Endpoint("10.244.0.6", "n1", ready: false)]));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.NoReadyEndpoints);
        Is(d, Codes.NoReadyEndpoints, Severity.Error, Svc("web"), "spec.ports[0]", ClusterIpPath);
        Mentions(d.Message, "has no ready endpoints", "all 2 endpoint(s) are not ready", "REJECT");
        Mentions(d.Fix, "readiness probes");
        None(analysis, Codes.SomeEndpointsNotReady);
        Assert.Equal(PathStatus.Broken, Assert.Single(analysis.Paths).Status);
    }

    [Fact]
    public void Analyze_PredictedPodsAllUnready_ReportsPM004()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running(ready: false),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)));

        var analysis = Analyze(snapshot);

        Mentions(Single(analysis, Codes.NoReadyEndpoints).Message, "all 1 endpoint(s) are not ready");
    }

    [Fact]
    public void Analyze_PredictedPodTerminating_ReportsPM004()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running() with { Terminating = true },
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)));

        var analysis = Analyze(snapshot);

        Mentions(Single(analysis, Codes.NoReadyEndpoints).Message, "all 1 endpoint(s) are not ready");
        var endpoint = Assert.Single(Assert.Single(analysis.Paths).Hops[^1].Endpoints);
        Assert.Equal((false, true, true), (endpoint.Ready, endpoint.Serving, endpoint.Terminating));
    }

    [Fact]
    public void Analyze_PublishNotReadyAddressesWithUnreadyAndTerminatingPods_NoPM004()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running(ready: false),
            Pod("web-2", "app=web", ports: Port(8080)).On("n1", "10.244.0.6").Running() with { Terminating = true },
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)) with { PublishNotReadyAddresses = true });

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
        var endpoints = Assert.Single(analysis.Paths).Hops[^1].Endpoints;
        Assert.Equal([(true, false), (true, true)], endpoints.Select(e => (e.Ready, e.Serving)).ToArray());
    }

    [Fact]
    public void Analyze_OneOfTwoEndpointsReady_ReportsPM107NotPM004()
    {
        var snapshot = Live(
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running(),
            Pod("web-2", "app=web", ports: Port(8080)).On("n1", "10.244.0.6").Running(ready: false),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)),
            Slice("web-abc", "web", ports: [SlicePort(8080)], endpoints: [Endpoint("10.244.0.5", "n1"), Endpoint("10.244.0.6", "n1", ready: false)]));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.NoReadyEndpoints);
        var d = Single(analysis, Codes.SomeEndpointsNotReady);
        Is(d, Codes.SomeEndpointsNotReady, Severity.Warning, Svc("web"), "spec.ports[0]", ClusterIpPath);
        Mentions(d.Message, "1 of 2 endpoints of Service default/web port 80/TCP are not ready");
        Mentions(d.Fix, "readiness");
        Assert.Equal(PathStatus.Degraded, Assert.Single(analysis.Paths).Status);
    }

    [Fact]
    public void Analyze_EveryEndpointReady_NoPM107()
    {
        var snapshot = Live(
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running(),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)),
            Slice("web-abc", "web", ports: [SlicePort(8080)], endpoints: Endpoint("10.244.0.5", "n1")));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.SomeEndpointsNotReady);
        None(analysis, Codes.NoReadyEndpoints);
    }

    // ---------------------------------------------------------------- PM101 no selector and no endpoints

    [Fact]
    public void Analyze_NoSelectorAndNoEndpointSlice_ReportsPM101()
    {
        var snapshot = Live(Service("db", selector: null, ports: SvcPort(5432)));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.NoSelectorNoEndpoints);
        Is(d, Codes.NoSelectorNoEndpoints, Severity.Error, Svc("db"), "spec.selector", "clusterip:default/db:5432/TCP");
        Mentions(d.Message, "has no selector and no EndpointSlice lists any endpoint");
        Mentions(d.Fix, "kubernetes.io/service-name=db");
        None(analysis, Codes.NoReadyEndpoints);
    }

    [Fact]
    public void Analyze_NoSelectorWithManualEndpointSlice_NoPM101()
    {
        var snapshot = Manifests(
            Service("db", selector: null, ports: SvcPort(5432)),
            Slice("db-1", "db", ports: [SlicePort(5432)], endpoints: Endpoint("192.0.2.10")));

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
        Assert.Equal("192.0.2.10:5432", Assert.Single(Assert.Single(analysis.Paths).Hops[^1].Endpoints).ToString());
    }

    [Fact]
    public void Analyze_HeadlessServiceWithoutSelector_NoPM101()
    {
        var snapshot = Live(Service("peers", selector: null, ports: SvcPort(7000)) with { ClusterIps = ["None"] });

        var analysis = Analyze(snapshot);

        None(analysis, Codes.NoSelectorNoEndpoints);
    }

    // ---------------------------------------------------------------- PM005 nodePort outside the range

    [Fact]
    public void Analyze_NodePortBelowRange_ReportsPM005()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 80)).OfType(ServiceTypes.NodePort));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.NodePortOutOfRange);
        Is(d, Codes.NodePortOutOfRange, Severity.Error, Svc("web"), "spec.ports[0].nodePort", NodePortPath);
        Mentions(d.Message, "nodePort 80", "outside the node-port range 30000-32767", "provided port is not in the valid range");
        Mentions(d.Fix, "between 30000 and 32767");
        Assert.Equal(PathStatus.Ok, Assert.Single(analysis.Paths, p => p.Id == ClusterIpPath).Status);
        Assert.Equal(PathStatus.Broken, Assert.Single(analysis.Paths, p => p.Id == NodePortPath).Status);
    }

    [Fact]
    public void Analyze_NodePortOutsideConfiguredRange_ReportsPM005WithThatRange()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 30080)).OfType(ServiceTypes.NodePort)) with
        {
            NodePortRange = new NodePortRange(20000, 22767),
        };

        var analysis = Analyze(snapshot);

        Mentions(Single(analysis, Codes.NodePortOutOfRange).Message, "outside the node-port range 20000-22767");
    }

    [Fact]
    public void Analyze_NodePortInsideConfiguredRange_NoPM005()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 21000)).OfType(ServiceTypes.NodePort)) with
        {
            NodePortRange = new NodePortRange(20000, 22767),
        };

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
    }

    // ---------------------------------------------------------------- PM010 externalTrafficPolicy Local drops on some nodes

    [Fact]
    public void Analyze_LocalPolicyWithPodsOnOneOfThreeNodes_ReportsPM010()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Node("n2", "10.0.0.2"),
            Node("n3", "10.0.0.3"),
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running(),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 30080)).OfType(ServiceTypes.NodePort) with { ExternalTrafficPolicy = TrafficPolicies.Local },
            Slice("web-abc", "web", ports: [SlicePort(8080)], endpoints: Endpoint("10.244.0.5", "n1", pod: "web-1")));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.LocalPolicyNodesDrop);
        Is(d, Codes.LocalPolicyNodesDrop, Severity.Warning, Svc("web"), "spec.externalTrafficPolicy", NodePortPath);
        Assert.Equal(HopKind.NodePort, d.Hop);
        Mentions(d.Message, "2 of 3 nodes have no ready endpoint", "drop traffic sent to their nodePort 30080");
        Mentions(d.Fix, "DaemonSet", "externalTrafficPolicy Cluster");
        var nodeHop = Assert.Single(Assert.Single(analysis.Paths, p => p.Id == NodePortPath).Hops, h => h.Kind == HopKind.NodePort);
        Assert.Equal(["n1"], nodeHop.DeliveringNodes!.Value.ToArray());
        Assert.Equal(["n1", "n2", "n3"], nodeHop.Nodes.ToArray());
    }

    [Fact]
    public void Analyze_LocalPolicyOnLoadBalancer_PM010NamesNodePortAndLoadBalancerPaths()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Node("n2", "10.0.0.2"),
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running(),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 30080)).OfType(ServiceTypes.LoadBalancer).WithLoadBalancerAddress("198.51.100.1") with { ExternalTrafficPolicy = TrafficPolicies.Local },
            Slice("web-abc", "web", ports: [SlicePort(8080)], endpoints: Endpoint("10.244.0.5", "n1", pod: "web-1")));

        var analysis = Analyze(snapshot);

        Is(Single(analysis, Codes.LocalPolicyNodesDrop), Codes.LocalPolicyNodesDrop, Severity.Warning, Svc("web"), "spec.externalTrafficPolicy", NodePortPath, LoadBalancerPath);
    }

    [Fact]
    public void Analyze_LocalPolicyWithPodsOnEveryNode_NoPM010()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Node("n2", "10.0.0.2"),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 30080)).OfType(ServiceTypes.NodePort) with { ExternalTrafficPolicy = TrafficPolicies.Local },
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running(),
            Pod("web-2", "app=web", ports: Port(8080)).On("n2", "10.244.1.5").Running(),
            Slice("web-abc", "web", ports: [SlicePort(8080)], endpoints: [Endpoint("10.244.0.5", "n1"), Endpoint("10.244.1.5", "n2")]));

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
    }

    [Fact]
    public void Analyze_LocalPolicyWithPodsNotPlacedYet_NoPM010()
    {
        var snapshot = Manifests(
            Node("n1", "10.0.0.1"),
            Node("n2", "10.0.0.2"),
            Deployment("web", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 30080)).OfType(ServiceTypes.NodePort) with { ExternalTrafficPolicy = TrafficPolicies.Local });

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
    }

    [Fact]
    public void Analyze_ClusterPolicyWithPodsOnOneNode_NoPM010()
    {
        var snapshot = Live(
            Node("n1", "10.0.0.1"),
            Node("n2", "10.0.0.2"),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 30080)).OfType(ServiceTypes.NodePort),
            Pod("web-1", "app=web", ports: Port(8080)).On("n1", "10.244.0.5").Running(),
            Slice("web-abc", "web", ports: [SlicePort(8080)], endpoints: Endpoint("10.244.0.5", "n1")));

        var analysis = Analyze(snapshot);

        None(analysis, Codes.LocalPolicyNodesDrop);
    }

    // ---------------------------------------------------------------- PM011 LoadBalancer pending

    [Fact]
    public void Analyze_LoadBalancerWithoutAddress_ReportsPM011()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)).OfType(ServiceTypes.LoadBalancer));

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.LoadBalancerPending);
        Is(d, Codes.LoadBalancerPending, Severity.Warning, Svc("web"), "status.loadBalancer.ingress", LoadBalancerPath);
        Assert.Equal(HopKind.LoadBalancer, d.Hop);
        Mentions(d.Message, "has no external address yet (pending)");
        Mentions(d.Fix, "MetalLB", "nodePort");
        var lb = Assert.Single(analysis.Paths, p => p.Id == LoadBalancerPath);
        Assert.Equal((PathStatus.Broken, "pending"), (lb.Status, lb.Hops[1].Name));
        Assert.Equal(PathStatus.Ok, Assert.Single(analysis.Paths, p => p.Id == NodePortPath).Status);
    }

    [Fact]
    public void Analyze_LoadBalancerWithAddress_NoPM011()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)).OfType(ServiceTypes.LoadBalancer).WithLoadBalancerAddress("198.51.100.1"));

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
        Assert.Equal(["198.51.100.1"], Assert.Single(analysis.Paths, p => p.Id == LoadBalancerPath).Hops[1].Addresses.ToArray());
    }

    // ---------------------------------------------------------------- PM012 ExternalName ignores selector and ports

    [Fact]
    public void Analyze_ExternalNameWithSelector_ReportsPM012()
    {
        var snapshot = Manifests(
            Service("db", "app=db", ports: SvcPort(5432)) with { Type = ServiceTypes.ExternalName, ExternalName = "db.example.com", ClusterIps = [] });

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.ExternalNameIgnoresFields);
        Is(d, Codes.ExternalNameIgnoresFields, Severity.Info, Svc("db"), "spec.selector", "externalname:default/db");
        Mentions(d.Message, "only a DNS CNAME to db.example.com", "selector and ports are ignored");
        Mentions(d.Fix, "Remove spec.selector and spec.ports", "type ClusterIP");
        Assert.Single(analysis.Diagnostics);
    }

    [Fact]
    public void Analyze_ExternalNameWithPortsOnly_ReportsPM012OnPorts()
    {
        var snapshot = Manifests(
            Service("db", selector: null, ports: SvcPort(5432, targetPort: 15432)) with { Type = ServiceTypes.ExternalName, ExternalName = "db.example.com", ClusterIps = [] });

        var analysis = Analyze(snapshot);

        Is(Single(analysis, Codes.ExternalNameIgnoresFields), Codes.ExternalNameIgnoresFields, Severity.Info, Svc("db"), "spec.ports", "externalname:default/db");
    }

    [Fact]
    public void Analyze_PlainExternalName_NoPM012()
    {
        var snapshot = Manifests(
            Service("db", selector: null) with { Type = ServiceTypes.ExternalName, ExternalName = "db.example.com", ClusterIps = [] });

        var analysis = Analyze(snapshot);

        Assert.Empty(analysis.Diagnostics);
        var path = Assert.Single(analysis.Paths);
        Assert.Equal((Exposure.ExternalName, PathStatus.Ok, "db.example.com"), (path.Exposure, path.Status, path.Hops[^1].Name));
    }

    // ---------------------------------------------------------------- PM103 session affinity behind SNAT

    [Fact]
    public void Analyze_ClientIpAffinityOnNodePortWithClusterPolicy_ReportsPM103()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 30080)).OfType(ServiceTypes.NodePort) with { SessionAffinity = "ClientIP" });

        var analysis = Analyze(snapshot);

        var d = Single(analysis, Codes.AffinityBehindSnat);
        Is(d, Codes.AffinityBehindSnat, Severity.Info, Svc("web"), "spec.sessionAffinity", NodePortPath);
        Mentions(d.Message, "sessionAffinity ClientIP", "masqueraded to a node address");
        Mentions(d.Fix, "externalTrafficPolicy: Local");
    }

    [Fact]
    public void Analyze_ClientIpAffinityWithLocalPolicy_NoPM103()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080, nodePort: 30080)).OfType(ServiceTypes.NodePort) with
            {
                SessionAffinity = "ClientIP",
                ExternalTrafficPolicy = TrafficPolicies.Local,
            });

        var analysis = Analyze(snapshot);

        None(analysis, Codes.AffinityBehindSnat);
    }

    [Fact]
    public void Analyze_ClientIpAffinityOnClusterIpOnly_NoPM103()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)) with { SessionAffinity = "ClientIP" });

        var analysis = Analyze(snapshot);

        None(analysis, Codes.AffinityBehindSnat);
    }

    [Fact]
    public void Analyze_ClientIpAffinityWithExternalIps_ReportsPM103OnExternalIpPath()
    {
        var snapshot = Manifests(
            Pod("web-1", "app=web", ports: Port(8080)),
            Service("web", "app=web", ports: SvcPort(80, targetPort: 8080)) with
            {
                SessionAffinity = "ClientIP",
                ExternalIps = ImmutableArray.Create("203.0.113.7"),
            });

        var analysis = Analyze(snapshot);

        Is(Single(analysis, Codes.AffinityBehindSnat), Codes.AffinityBehindSnat, Severity.Info, Svc("web"), "spec.sessionAffinity", "externalip:default/web:80/TCP");
    }
}
