using System.Collections.Immutable;
using PortMapper.Core.KubeProxy;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.KubeProxy.KubeProxyFixtures;

namespace PortMapper.Core.Tests.KubeProxy;

/// <summary>
/// Rebuilds the Services and endpoints of kube-proxy's own unit tests
/// (kubernetes/kubernetes pkg/proxy/iptables/proxier_test.go) and checks PortMapper's rules for each
/// Service against the lines the upstream test expects for it.
/// </summary>
public class UpstreamRulesTests
{
    // TestOverallIPTablesRules: ns1/svc1, a ClusterIP Service with one endpoint.
    [Fact]
    public void Generate_OverallSvc1ClusterIp_MatchesUpstreamLines()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1")));

        AssertSameLines(UpstreamLinesFor(UpstreamExpected.OverallIPTablesRules, "ns1/svc1"), set.ServiceLines());
    }

    // TestOverallIPTablesRules: ns2/svc2, LoadBalancer with externalTrafficPolicy Local whose only
    // endpoint has no node name, so this node has no local endpoint.
    [Fact]
    public void Generate_OverallSvc2LocalPolicyWithoutLocalEndpoints_MatchesUpstreamLines()
    {
        var service = Service("ns2", "svc2", "172.30.0.42", s => s with
        {
            Type = ServiceTypes.LoadBalancer,
            ExternalTrafficPolicy = TrafficPolicies.Local,
            LoadBalancerStatus = [new LoadBalancerIngress("1.2.3.4", null)],
            ExternalIps = ["192.168.99.22"],
            HealthCheckNodePort = 30000,
        }, P80(nodePort: 3001));

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.2")));

        AssertSameLines(UpstreamLinesFor(UpstreamExpected.OverallIPTablesRules, "ns2/svc2"), set.ServiceLines());
    }

    // TestOverallIPTablesRules: ns3/svc3, a NodePort Service.
    [Fact]
    public void Generate_OverallSvc3NodePort_MatchesUpstreamLines()
    {
        var service = Service("ns3", "svc3", "172.30.0.43", s => s with { Type = ServiceTypes.NodePort }, P80(nodePort: 3003));

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.3")));

        AssertSameLines(UpstreamLinesFor(UpstreamExpected.OverallIPTablesRules, "ns3/svc3"), set.ServiceLines());
    }

    // TestOverallIPTablesRules: ns4/svc4, an external IP and two endpoints (one on this node).
    [Fact]
    public void Generate_OverallSvc4ExternalIp_MatchesUpstreamLines()
    {
        var service = Service("ns4", "svc4", "172.30.0.44", s => s with { Type = ServiceTypes.NodePort, ExternalIps = ["192.168.99.33"] });

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.4"), Ep("10.180.0.5", TestNodeName)));

        AssertSameLines(UpstreamLinesFor(UpstreamExpected.OverallIPTablesRules, "ns4/svc4"), set.ServiceLines());
    }

    // TestOverallIPTablesRules: ns5/svc5, LoadBalancer with Cluster policy, a source range written with a
    // leading blank, and ClientIP session affinity with a 10800 s timeout.
    [Fact]
    public void Generate_OverallSvc5SourceRangesAndAffinity_MatchesUpstreamLines()
    {
        var service = Service("ns5", "svc5", "172.30.0.45", s => s with
        {
            Type = ServiceTypes.LoadBalancer,
            ExternalTrafficPolicy = TrafficPolicies.Cluster,
            LoadBalancerStatus = [new LoadBalancerIngress("5.6.7.8", null)],
            HealthCheckNodePort = 30000,
            LoadBalancerSourceRanges = [" 203.0.113.0/25"],
            SessionAffinity = "ClientIP",
            SessionAffinityTimeoutSeconds = 10800,
        }, P80(nodePort: 3002));

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.3")));

        AssertSameLines(UpstreamLinesFor(UpstreamExpected.OverallIPTablesRules, "ns5/svc5"), set.ServiceLines());
    }

    // TestOverallIPTablesRules: ns6/svc6, a ClusterIP Service without endpoints.
    [Fact]
    public void Generate_OverallSvc6NoEndpoints_MatchesUpstreamLines()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns6", "svc6", "172.30.0.46")));

        AssertSameLines(UpstreamLinesFor(UpstreamExpected.OverallIPTablesRules, "ns6/svc6"), set.ServiceLines());
    }

    [Fact]
    public void Generate_OverallSvc1_BoilerplateMatchesUpstreamSharedLines()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1")));

        // The shared nat lines of TestOverallIPTablesRules that kube-proxy writes once for all Services.
        var upstream = Lines(UpstreamExpected.OverallIPTablesRules)
            .Where(l => l.StartsWith("-A KUBE-MARK-MASQ", StringComparison.Ordinal) || l.StartsWith("-A KUBE-POSTROUTING", StringComparison.Ordinal))
            .ToImmutableArray();
        var ours = set.Rules.Where(r => r.Chain is KubeProxyChains.MarkMasquerade or KubeProxyChains.Postrouting).Select(r => r.Text);
        Assert.Equal(upstream, ours);
    }

    // TestExternalTrafficPolicyLocal: LoadBalancer + external IP with Local policy and one local endpoint.
    [Fact]
    public void Generate_ExternalTrafficPolicyLocal_MatchesUpstreamNatTable()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with
        {
            Type = ServiceTypes.LoadBalancer,
            HealthCheckNodePort = 30000,
            ExternalIps = ["192.168.99.11"],
            LoadBalancerStatus = [new LoadBalancerIngress("1.2.3.4", null)],
            ExternalTrafficPolicy = TrafficPolicies.Local,
        }, P80(nodePort: 3001));

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1"), Ep("10.180.2.1", TestNodeName)));

        AssertSameLines(NatWithoutBuiltIns(UpstreamExpected.ExternalTrafficPolicyLocalNat), NatWithoutBuiltIns(set));
        Assert.Equal(
            "-A KUBE-NODEPORTS -m comment --comment \"ns1/svc1:p80 health check node port\" -m tcp -p tcp --dport 30000 -j ACCEPT",
            Assert.Single(set.Rules, r => r.Table == "filter" && !r.IsBoilerplate).Text);
    }

    // TestNonLocalExternalIPs: a ClusterIP Service with an external IP and Cluster policy.
    [Fact]
    public void Generate_NonLocalExternalIps_MatchesUpstreamNatTable()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { ExternalIps = ["192.168.99.11"] });

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1"), Ep("10.180.2.1", TestNodeName)));

        AssertSameLines(NatWithoutBuiltIns(UpstreamExpected.NonLocalExternalIPsNat), NatWithoutBuiltIns(set));
    }

    // TestDisableLocalhostNodePortsIPv4: no local-traffic detector, localhost node ports off.
    [Fact]
    public void Generate_NoLocalDetectorAndNoLocalhostNodePorts_MatchesUpstreamNatTable()
    {
        var service = Service("ns1", "svc1", "10.69.0.10", s => s with { Type = ServiceTypes.NodePort, ExternalTrafficPolicy = TrafficPolicies.Local }, P80(nodePort: 30001));
        var input = Input(service, Ep("10.244.0.1"), Ep("10.244.2.1", TestNodeName)) with
        {
            Settings = UpstreamSettings with { DetectLocalTraffic = false, LocalhostNodePorts = false },
        };

        var set = KubeProxyRuleGenerator.Generate(input);

        AssertSameLines(NatWithoutBuiltIns(UpstreamExpected.DisableLocalhostNodePortsIPv4Nat), NatWithoutBuiltIns(set));
    }

    // TestEnableLocalhostNodePortsIPv6: an IPv6 Service; loopback is excluded from node ports even with
    // localhost node ports on, and IPv6 endpoints are written [addr]:port.
    [Fact]
    public void Generate_Ipv6NodePortLocalPolicy_MatchesUpstreamNatTable()
    {
        var service = Service("ns1", "svc1", "fd00:ab34::20", s => s with { Type = ServiceTypes.NodePort, ExternalTrafficPolicy = TrafficPolicies.Local }, P80(nodePort: 30001));
        var input = Input(service, Ep("ff06::c1"), Ep("ff06::c2", TestNodeName)) with
        {
            ClusterCidr = null,
            Settings = UpstreamSettings with { DetectLocalTraffic = false },
        };

        var set = KubeProxyRuleGenerator.Generate(input);

        AssertSameLines(NatWithoutBuiltIns(UpstreamExpected.EnableLocalhostNodePortsIPv6Nat), NatWithoutBuiltIns(set));
    }

    /// <summary>
    /// The nat section without the built-in chains: kube-proxy hooks PREROUTING/OUTPUT/POSTROUTING with
    /// separate iptables calls, so its restore input (what the upstream tests check) never mentions them.
    /// </summary>
    private static ImmutableArray<string> NatWithoutBuiltIns(KubeProxyRuleSet set) =>
        NatWithoutBuiltIns(set.ToIptablesSave()[set.ToIptablesSave().IndexOf("*nat", StringComparison.Ordinal)..]);

    private static ImmutableArray<string> NatWithoutBuiltIns(string natSection) =>
        [.. Lines(natSection).Where(l => !l.StartsWith(":PREROUTING", StringComparison.Ordinal) && !l.StartsWith(":OUTPUT", StringComparison.Ordinal)
            && !l.StartsWith(":POSTROUTING", StringComparison.Ordinal) && !l.StartsWith("-A PREROUTING", StringComparison.Ordinal)
            && !l.StartsWith("-A OUTPUT", StringComparison.Ordinal) && !l.StartsWith("-A POSTROUTING", StringComparison.Ordinal))];
}
