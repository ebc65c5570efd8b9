using PortMapper.Core.KubeProxy;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.KubeProxy.KubeProxyFixtures;

namespace PortMapper.Core.Tests.KubeProxy;

/// <summary>
/// Traces connections through generated rules. Most cases are the packet-flow tests of
/// kubernetes/kubernetes pkg/proxy/iptables/proxier_test.go (runPacketFlowTests), with the same
/// sources, destinations and expected results.
/// </summary>
public class KubeProxyTraceTests
{
    private const string PodIp = "10.0.0.2";
    private const string NodeIp = "192.168.0.2";
    private const string ExternalClient = "203.0.113.2";
    private const string ExternalClientBlocked = "203.0.113.130";

    private static KubeProxyTrace Flow(KubeProxyRuleSet set, RequestSource source, string sourceIp, string destination, int port, string protocol = Protocols.Tcp) =>
        set.Trace(new KubeProxyRequest(destination, port, protocol) { Source = source, SourceIp = sourceIp });

    private static void AssertDnat(KubeProxyTrace trace, bool masquerade, params string[] endpoints)
    {
        Assert.All(trace.Paths, p => Assert.Equal(KubeProxyOutcome.Dnat, p.Outcome));
        Assert.Equal(endpoints.Order(StringComparer.Ordinal), trace.Destinations.Order(StringComparer.Ordinal));
        Assert.All(trace.Paths, p => Assert.Equal(masquerade, p.Masqueraded));
    }

    private static void AssertOutcome(KubeProxyTrace trace, KubeProxyOutcome outcome) =>
        Assert.Equal(outcome, Assert.Single(trace.Paths.Select(p => p.Outcome).Distinct()));

    [Theory]
    // TestNoEndpointsReject
    [InlineData(RequestSource.Pod, PodIp, "172.30.0.41", 80)]
    [InlineData(RequestSource.External, ExternalClient, "192.168.99.11", 80)]
    [InlineData(RequestSource.Pod, PodIp, NodeIp, 3001)]
    [InlineData(RequestSource.External, ExternalClient, NodeIp, 3001)]
    [InlineData(RequestSource.Pod, PodIp, "1.2.3.4", 80)]
    [InlineData(RequestSource.External, ExternalClient, "1.2.3.4", 80)]
    public void Trace_ServiceWithoutEndpoints_IsRejectedOnEveryAddress(RequestSource source, string sourceIp, string destination, int port)
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with
        {
            Type = ServiceTypes.LoadBalancer,
            ExternalIps = ["192.168.99.11"],
            LoadBalancerStatus = [new LoadBalancerIngress("1.2.3.4", null)],
        }, P80(nodePort: 3001));
        var set = KubeProxyRuleGenerator.Generate(Input(service));

        var trace = Flow(set, source, sourceIp, destination, port);

        AssertOutcome(trace, KubeProxyOutcome.Rejected);
        Assert.Equal("REJECT", trace.Rules[^1].Jump);
    }

    [Theory]
    // TestLoadBalancer
    [InlineData(RequestSource.Pod, PodIp, "172.30.0.41", 80, false)]
    [InlineData(RequestSource.External, ExternalClient, NodeIp, 3001, true)]
    [InlineData(RequestSource.External, ExternalClientBlocked, NodeIp, 3001, true)]
    [InlineData(RequestSource.External, ExternalClient, "1.2.3.4", 80, true)]
    [InlineData(RequestSource.External, ExternalClient, "5.6.7.8", 80, true)]
    [InlineData(RequestSource.Node, NodeIp, "1.2.3.4", 80, true)]
    [InlineData(RequestSource.Node, NodeIp, "5.6.7.8", 80, true)]
    [InlineData(RequestSource.External, "1.2.3.4", "1.2.3.4", 80, true)]
    [InlineData(RequestSource.External, "5.6.7.8", "5.6.7.8", 80, true)]
    public void Trace_LoadBalancerAllowedSources_ReachTheEndpoint(RequestSource source, string sourceIp, string destination, int port, bool masquerade)
    {
        var set = KubeProxyRuleGenerator.Generate(Input(KubeProxyRuleGeneratorTests.TestLoadBalancerService(), Ep("10.180.0.1")));

        AssertDnat(Flow(set, source, sourceIp, destination, port), masquerade, "10.180.0.1:80");
    }

    [Theory]
    // TestLoadBalancer: "blocked external to LB1/LB2", "pod to LB1/LB2 (blocked by LoadBalancerSourceRanges)"
    [InlineData(RequestSource.External, ExternalClientBlocked, "1.2.3.4")]
    [InlineData(RequestSource.External, ExternalClientBlocked, "5.6.7.8")]
    [InlineData(RequestSource.Pod, PodIp, "1.2.3.4")]
    [InlineData(RequestSource.Pod, PodIp, "5.6.7.8")]
    public void Trace_LoadBalancerSourceOutsideRanges_IsDroppedByProxyFirewall(RequestSource source, string sourceIp, string destination)
    {
        var set = KubeProxyRuleGenerator.Generate(Input(KubeProxyRuleGeneratorTests.TestLoadBalancerService(), Ep("10.180.0.1")));

        var trace = Flow(set, source, sourceIp, destination, 80);

        AssertOutcome(trace, KubeProxyOutcome.Dropped);
        Assert.Equal(KubeProxyChains.ProxyFirewall, trace.Rules[^1].Chain);
    }

    [Fact]
    public void Trace_LoadBalancerUnknownExternalSource_ShowsBothTheAcceptedAndTheDroppedPath()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(KubeProxyRuleGeneratorTests.TestLoadBalancerService(), Ep("10.180.0.1")));

        var trace = set.Trace(new KubeProxyRequest("1.2.3.4", 80) { Source = RequestSource.External });

        Assert.Equal([KubeProxyOutcome.Dnat, KubeProxyOutcome.Dropped], trace.Paths.Select(p => p.Outcome).Distinct().Order());
    }

    [Theory]
    // TestExternalTrafficPolicyLocal
    [InlineData(RequestSource.External, ExternalClient, "192.168.99.11", 80)]
    [InlineData(RequestSource.External, ExternalClient, "1.2.3.4", 80)]
    [InlineData(RequestSource.External, ExternalClient, NodeIp, 3001)]
    public void Trace_LocalPolicyFromOutside_HitsOnlyTheLocalEndpointUnmasqueraded(RequestSource source, string sourceIp, string destination, int port)
    {
        var set = KubeProxyRuleGenerator.Generate(Input(ExternalTrafficPolicyLocalService(), Ep("10.180.0.1"), Ep("10.180.2.1", TestNodeName)));

        AssertDnat(Flow(set, source, sourceIp, destination, port), masquerade: false, "10.180.2.1:80");
    }

    [Fact]
    public void Trace_LocalPolicyPodToClusterIp_HitsBothEndpoints()
    {
        // TestExternalTrafficPolicyLocal: "pod to cluster IP hits both endpoints".
        var set = KubeProxyRuleGenerator.Generate(Input(ExternalTrafficPolicyLocalService(), Ep("10.180.0.1"), Ep("10.180.2.1", TestNodeName)));

        AssertDnat(Flow(set, RequestSource.Pod, PodIp, "172.30.0.41", 80), masquerade: false, "10.180.0.1:80", "10.180.2.1:80");
    }

    [Fact]
    public void Trace_ClusterPolicyExternalIp_HitsAllEndpointsMasqueraded()
    {
        // TestNonLocalExternalIPs: "external to external IP".
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { ExternalIps = ["192.168.99.11"] });
        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1"), Ep("10.180.2.1", TestNodeName)));

        AssertDnat(Flow(set, RequestSource.External, ExternalClient, "192.168.99.11", 80), masquerade: true, "10.180.0.1:80", "10.180.2.1:80");
        AssertDnat(Flow(set, RequestSource.Pod, PodIp, "172.30.0.41", 80), masquerade: false, "10.180.0.1:80", "10.180.2.1:80");
    }

    [Fact]
    public void Trace_EndpointCallingItsOwnService_IsMasqueraded()
    {
        // TestClusterIPGeneral: "hairpin to cluster IP".
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1")));

        AssertDnat(Flow(set, RequestSource.Pod, "10.180.0.1", "172.30.0.41", 80), masquerade: true, "10.180.0.1:80");
        AssertDnat(Flow(set, RequestSource.Pod, "10.180.0.2", "172.30.0.41", 80), masquerade: false, "10.180.0.1:80");
    }

    [Fact]
    public void Trace_OtherProtocolOnTheSamePort_IsUntouched()
    {
        // TestClusterIPGeneral: "TCP-only port does not match UDP traffic".
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1")));

        var trace = Flow(set, RequestSource.Pod, PodIp, "172.30.0.41", 80, Protocols.Udp);

        AssertOutcome(trace, KubeProxyOutcome.Untouched);
        Assert.DoesNotContain(trace.Rules, r => !r.IsBoilerplate);
    }

    [Fact]
    public void Trace_NodePortLocalPolicyWithoutLocalEndpoint_DropsOutsideTrafficButServesPods()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { Type = ServiceTypes.NodePort, ExternalTrafficPolicy = TrafficPolicies.Local }, P80(nodePort: 30001));
        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1", "node-b")));

        var outside = Flow(set, RequestSource.External, ExternalClient, NodeIp, 30001);
        var pod = Flow(set, RequestSource.Pod, PodIp, NodeIp, 30001);

        AssertOutcome(outside, KubeProxyOutcome.Dropped);
        Assert.Contains("has no local endpoints", outside.Rules[^1].Text, StringComparison.Ordinal);
        AssertDnat(pod, masquerade: false, "10.180.0.1:80");
    }

    [Fact]
    public void Trace_InternalPolicyLocalWithoutLocalEndpoint_DropsClusterIpTraffic()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { InternalTrafficPolicy = TrafficPolicies.Local });
        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1", "node-b")));

        AssertOutcome(Flow(set, RequestSource.Pod, PodIp, "172.30.0.41", 80), KubeProxyOutcome.Dropped);
    }

    [Fact]
    public void Trace_LocalhostNodePort_DependsOnLocalhostNodePortsSetting()
    {
        // TestNodePorts: "localhost to nodePort gets masqueraded" / "localhost to nodePort is ignored".
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { Type = ServiceTypes.NodePort }, P80(nodePort: 3001));
        var allowed = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1")));
        var blocked = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1")) with { Settings = UpstreamSettings with { LocalhostNodePorts = false } });

        AssertDnat(Flow(allowed, RequestSource.Node, "127.0.0.1", "127.0.0.1", 3001), masquerade: true, "10.180.0.1:80");
        AssertOutcome(Flow(blocked, RequestSource.Node, "127.0.0.1", "127.0.0.1", 3001), KubeProxyOutcome.Untouched);
    }

    [Fact]
    public void RulesFor_PodToClusterIpWithThreeEndpoints_ListsEveryRuleThatCanCarryIt()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1"), Ep("10.180.0.2"), Ep("10.180.0.3")));

        var rules = set.RulesFor("172.30.0.41", 80, Protocols.Tcp, fromExternal: false);

        Assert.Equal(
            [
                "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
                "-A KUBE-SERVICES -m comment --comment \"ns1/svc1:p80 cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O",
            ],
            rules.Take(2).Select(r => r.Text));
        Assert.Equal(3, rules.Count(r => r.Role == RuleRole.LoadBalance));
        Assert.Equal(3, rules.Count(r => r.Role == RuleRole.Dnat));
        // A pod inside the cluster CIDR that is not one of the endpoints is neither masqueraded nor hairpinned.
        Assert.DoesNotContain(rules, r => r.Role == RuleRole.Masquerade);
    }

    [Fact]
    public void RulesFor_ExternalToClusterIp_IncludesTheMasqueradeRule()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1")));

        var rules = set.RulesFor("172.30.0.41", 80, Protocols.Tcp, fromExternal: true);

        Assert.Contains(rules, r => r.Role == RuleRole.Masquerade && r.Chain == "KUBE-SVC-XPGD46QRK7WJZT7O");
        Assert.Contains(rules, r => r.Chain == KubeProxyChains.Postrouting && r.Jump == "MASQUERADE");
    }

    [Fact]
    public void RulesFor_ServiceWithoutRules_IsEmpty()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "None"), Ep("10.180.0.1")));

        Assert.Empty(set.RulesFor("10.180.0.1", 80, Protocols.Tcp, fromExternal: false));
    }

    private static Service ExternalTrafficPolicyLocalService() =>
        Service("ns1", "svc1", "172.30.0.41", s => s with
        {
            Type = ServiceTypes.LoadBalancer,
            HealthCheckNodePort = 30000,
            ExternalIps = ["192.168.99.11"],
            LoadBalancerStatus = [new LoadBalancerIngress("1.2.3.4", null)],
            ExternalTrafficPolicy = TrafficPolicies.Local,
        }, P80(nodePort: 3001));
}
