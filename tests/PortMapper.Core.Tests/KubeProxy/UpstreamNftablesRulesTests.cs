using System.Collections.Immutable;
using PortMapper.Core.KubeProxy;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.KubeProxy.KubeProxyFixtures;

namespace PortMapper.Core.Tests.KubeProxy;

/// <summary>
/// Rebuilds the Services of kube-proxy's nftables unit tests (pkg/proxy/nftables/proxier_test.go) and checks
/// PortMapper's statements for each Service against the statements the upstream test expects for it.
/// Upstream compares a sorted dump, so statement order across chains is not part of the contract; rules
/// within one chain are compared in order.
/// </summary>
public class UpstreamNftablesRulesTests
{
    private const string ServiceCidr = "172.30.0.0/16";

    /// <summary>The Services and endpoints of TestOverallNFTablesRules (the same as TestOverallIPTablesRules).</summary>
    private static KubeProxyInput Overall(string svc) => svc switch
    {
        "svc1" => Nft(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1"))),
        "svc2" => Nft(Input(Service("ns2", "svc2", "172.30.0.42", s => s with
        {
            Type = ServiceTypes.LoadBalancer,
            ExternalTrafficPolicy = TrafficPolicies.Local,
            LoadBalancerStatus = [new LoadBalancerIngress("1.2.3.4", null)],
            ExternalIps = ["192.168.99.22"],
            HealthCheckNodePort = 30000,
        }, P80(nodePort: 3001)), Ep("10.180.0.2"))),
        "svc3" => Nft(Input(Service("ns3", "svc3", "172.30.0.43", s => s with { Type = ServiceTypes.NodePort }, P80(nodePort: 3003)), Ep("10.180.0.3"))),
        "svc4" => Nft(Input(Service("ns4", "svc4", "172.30.0.44", s => s with { Type = ServiceTypes.NodePort, ExternalIps = ["192.168.99.33"] }),
            Ep("10.180.0.4"), Ep("10.180.0.5", TestNodeName))),
        "svc5" => Nft(Input(Service("ns5", "svc5", "172.30.0.45", s => s with
        {
            Type = ServiceTypes.LoadBalancer,
            ExternalTrafficPolicy = TrafficPolicies.Cluster,
            LoadBalancerStatus = [new LoadBalancerIngress("5.6.7.8", null)],
            HealthCheckNodePort = 30000,
            LoadBalancerSourceRanges = [" 203.0.113.0/25"],
            SessionAffinity = "ClientIP",
            SessionAffinityTimeoutSeconds = 10800,
        }, P80(nodePort: 3002)), Ep("10.180.0.3"))),
        "svc6" => Nft(Input(Service("ns6", "svc6", "172.30.0.46"))),
        _ => throw new ArgumentOutOfRangeException(nameof(svc)),
    };

    private static KubeProxyInput Nft(KubeProxyInput input) => input with { ServiceCidrs = [ServiceCidr] };

    private static ImmutableArray<string> UpstreamBlock(string svc)
    {
        var lines = Lines(UpstreamNftablesExpected.OverallServices);
        var start = lines.IndexOf("# " + svc);
        return [.. lines.Skip(start + 1).TakeWhile(l => !l.StartsWith('#'))];
    }

    /// <summary>Same statements, and the same order of rules within each chain.</summary>
    private static void AssertSameStatements(IReadOnlyList<string> expected, IReadOnlyList<string> actual)
    {
        Assert.Equal(string.Join('\n', expected.Order(StringComparer.Ordinal)), string.Join('\n', actual.Order(StringComparer.Ordinal)));
        static string RulesByChain(IEnumerable<string> lines) => string.Join('\n', lines
            .Where(l => l.StartsWith("add rule ", StringComparison.Ordinal))
            .GroupBy(l => l.Split(' ')[4])
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .SelectMany(g => g));
        Assert.Equal(RulesByChain(expected), RulesByChain(actual));
    }

    [Theory]
    [InlineData("svc1")] // ClusterIP, one endpoint
    [InlineData("svc2")] // LoadBalancer, externalTrafficPolicy Local, no local endpoint: short-circuits and drop verdicts
    [InlineData("svc3")] // NodePort
    [InlineData("svc4")] // external IP, two endpoints: numgen vmap, endpoint chains
    [InlineData("svc5")] // source ranges (firewall- chain, firewall-ips), ClientIP affinity (affinity- sets)
    [InlineData("svc6")] // no endpoints: no-endpoint-services → reject-chain
    public void Generate_OverallNFTablesRules_MatchesUpstreamStatements(string svc)
    {
        var set = NftablesRuleGenerator.Generate(Overall(svc));

        AssertSameStatements(UpstreamBlock(svc), [.. set.ServiceRules.Select(r => r.Text)]);
    }

    [Fact]
    public void Generate_Base_MatchesUpstreamBaseRules()
    {
        var set = NftablesRuleGenerator.Generate(Overall("svc1"));

        AssertSameStatements(Lines(UpstreamNftablesExpected.BaseRules), [.. set.Rules.Where(r => r.IsBoilerplate).Select(r => r.Text)]);
    }

    // TestNoEndpointsReject: every address of a Service without endpoints rejects.
    [Theory]
    [InlineData("172.30.0.41", 80, RequestSource.Pod)]
    [InlineData("192.168.99.11", 80, RequestSource.External)]
    [InlineData("192.168.0.2", 3001, RequestSource.Pod)]
    [InlineData("192.168.0.2", 3001, RequestSource.External)]
    [InlineData("1.2.3.4", 80, RequestSource.Pod)]
    [InlineData("1.2.3.4", 80, RequestSource.External)]
    public void Trace_NoEndpoints_Rejects(string ip, int port, RequestSource source)
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with
        {
            Type = ServiceTypes.LoadBalancer,
            ExternalIps = ["192.168.99.11"],
            LoadBalancerStatus = [new LoadBalancerIngress("1.2.3.4", null)],
        }, P80(nodePort: 3001));
        var set = NftablesRuleGenerator.Generate(Nft(Input(service)));

        var trace = set.Trace(new KubeProxyRequest(ip, port) { Source = source });

        var path = Assert.Single(trace.Paths);
        Assert.Equal(KubeProxyOutcome.Rejected, path.Outcome);
        Assert.Contains(path.Rules, r => r.Text.Contains("no-endpoint-", StringComparison.Ordinal));
        Assert.Equal("add rule ip kube-proxy reject-chain reject", path.Rules[^1].Text);
    }

    // TestClusterIPGeneral: plain, hairpin, wrong port, unallocated cluster IP.
    [Fact]
    public void Trace_ClusterIp_DnatsAndMasqueradesOnlyHairpin()
    {
        var set = NftablesRuleGenerator.Generate(Nft(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1", TestNodeName))));

        var plain = Assert.Single(set.Trace(new KubeProxyRequest("172.30.0.41", 80) { SourceIp = "10.180.0.2" }).Paths);
        var hairpin = Assert.Single(set.Trace(new KubeProxyRequest("172.30.0.41", 80) { SourceIp = "10.180.0.1" }).Paths);
        var wrongPort = Assert.Single(set.Trace(new KubeProxyRequest("172.30.0.41", 443) { SourceIp = "10.180.0.2" }).Paths);
        var unallocated = Assert.Single(set.Trace(new KubeProxyRequest("172.30.0.50", 80) { SourceIp = "10.180.0.2" }).Paths);

        Assert.Equal((KubeProxyOutcome.Dnat, "10.180.0.1:80", false), (plain.Outcome, plain.Destination, plain.Masqueraded));
        Assert.Equal((KubeProxyOutcome.Dnat, "10.180.0.1:80", true), (hairpin.Outcome, hairpin.Destination, hairpin.Masqueraded));
        Assert.Equal(KubeProxyOutcome.Rejected, wrongPort.Outcome);
        Assert.Equal(KubeProxyOutcome.Dropped, unallocated.Outcome);
        Assert.Equal(
            ["nat-prerouting", "services", "service-ips", "service-ULMVA6XW-ns1/svc1/tcp/p80", "endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80", "nat-postrouting", "masquerading"],
            plain.Rules.Select(r => r.Chain).Distinct().ToArray());
    }

    // TestLoadBalancer: source ranges apply to load-balancer IPs, not to the node port.
    [Theory]
    [InlineData("203.0.113.2", "1.2.3.4", 80, KubeProxyOutcome.Dnat)]
    [InlineData("203.0.113.130", "1.2.3.4", 80, KubeProxyOutcome.Dropped)]
    [InlineData("203.0.113.130", "5.6.7.8", 80, KubeProxyOutcome.Dropped)]
    [InlineData("203.0.113.130", "192.168.0.2", 3001, KubeProxyOutcome.Dnat)]
    public void Trace_LoadBalancerSourceRanges(string client, string ip, int port, KubeProxyOutcome outcome)
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with
        {
            Type = ServiceTypes.LoadBalancer,
            LoadBalancerStatus = [new LoadBalancerIngress("1.2.3.4", null), new LoadBalancerIngress("5.6.7.8", null)],
            LoadBalancerSourceRanges = ["192.168.0.0/24", " 203.0.113.0/25"],
        }, P80(nodePort: 3001));
        var set = NftablesRuleGenerator.Generate(Nft(Input(service, Ep("10.180.0.1"))));

        var path = Assert.Single(set.Trace(new KubeProxyRequest(ip, port) { Source = RequestSource.External, SourceIp = client }).Paths);

        Assert.Equal(outcome, path.Outcome);
        Assert.Contains("firewall-ips { 1.2.3.4 . tcp . 80 : goto firewall-", string.Join('\n', set.Rules.Select(r => r.Text)), StringComparison.Ordinal);
        // The node IP is in a source range, so the load-balancer IPs themselves are admitted too.
        Assert.Contains(set.Rules, r => r.Text.EndsWith("ip saddr != { 192.168.0.0/24 , 203.0.113.0/25 , 1.2.3.4 , 5.6.7.8 } drop", StringComparison.Ordinal));
    }

    [Fact]
    public void Trace_LocalPolicyWithoutLocalEndpoint_DropsExternalButShortCircuitsPods()
    {
        var set = NftablesRuleGenerator.Generate(Overall("svc2"));

        var external = Assert.Single(set.Trace(new KubeProxyRequest("1.2.3.4", 80) { Source = RequestSource.External }).Paths);
        var pod = Assert.Single(set.Trace(new KubeProxyRequest("1.2.3.4", 80) { Source = RequestSource.Pod }).Paths);

        Assert.Equal(KubeProxyOutcome.Dropped, external.Outcome);
        Assert.Contains(external.Rules, r => r.Text.Contains("no-endpoint-services { 1.2.3.4 . tcp . 80 comment \"ns2/svc2:p80\" : drop }", StringComparison.Ordinal));
        Assert.Equal((KubeProxyOutcome.Dnat, "10.180.0.2:80"), (pod.Outcome, pod.Destination));
    }

    [Fact]
    public void Trace_TwoEndpoints_FollowsEachPick()
    {
        var set = NftablesRuleGenerator.Generate(Overall("svc4"));

        var trace = set.Trace(new KubeProxyRequest("172.30.0.44", 80));

        Assert.Equal(["10.180.0.4:80", "10.180.0.5:80"], trace.Destinations.Order(StringComparer.Ordinal).ToArray());
    }
}
