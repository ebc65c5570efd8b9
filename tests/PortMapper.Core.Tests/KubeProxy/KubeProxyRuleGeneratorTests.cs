using System.Collections.Immutable;
using PortMapper.Core.KubeProxy;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.KubeProxy.KubeProxyFixtures;

namespace PortMapper.Core.Tests.KubeProxy;

public class KubeProxyRuleGeneratorTests
{
    private const string Svc = "KUBE-SVC-XPGD46QRK7WJZT7O";
    private const string Svl = "KUBE-SVL-XPGD46QRK7WJZT7O";
    private const string Ext = "KUBE-EXT-XPGD46QRK7WJZT7O";

    [Theory]
    [InlineData(1, new string[0])]
    [InlineData(2, new[] { "0.5000000000" })]
    [InlineData(3, new[] { "0.3333333333", "0.5000000000" })]
    [InlineData(4, new[] { "0.2500000000", "0.3333333333", "0.5000000000" })]
    public void Generate_NEndpoints_PicksEachWithOneOverTheRemainingCount(int count, string[] probabilities)
    {
        var endpoints = Enumerable.Range(1, count).Select(i => Ep($"10.180.0.{i}")).ToArray();

        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), endpoints));

        var picks = set.Rules.Where(r => r.Chain == Svc && r.Role == RuleRole.LoadBalance).ToList();
        Assert.Equal(count, picks.Count);
        for (var i = 0; i < count - 1; i++)
        {
            Assert.Contains($"-m statistic --mode random --probability {probabilities[i]} -j ", picks[i].Text, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("statistic", picks[^1].Text, StringComparison.Ordinal);
        Assert.Equal($"10.180.0.{count}:80", picks[^1].Endpoint);
    }

    [Fact]
    public void Generate_ThreeEndpoints_ExplainsEachPick()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1"), Ep("10.180.0.2"), Ep("10.180.0.3")));

        var picks = set.Rules.Where(r => r.Role == RuleRole.LoadBalance).Select(r => r.Explanation).ToList();
        Assert.Equal("1 of 3: picks 10.180.0.1:80 with probability 0.3333333333.", picks[0]);
        Assert.StartsWith("2 of 3: picks 10.180.0.2:80 with probability 0.5000000000", picks[1], StringComparison.Ordinal);
        Assert.StartsWith("3 of 3: takes every connection not yet picked", picks[2], StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_EndpointsInAnyOrder_AreSortedByAddressTextLikeTheEndpointCache()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.9"), Ep("10.180.0.10"), Ep("10.180.0.1")));

        var order = set.Rules.Where(r => r.Role == RuleRole.LoadBalance).Select(r => r.Endpoint);
        // Byte order of the "IP:port" text, as Go sorts it: '0' sorts before ':', so ".10:80" precedes ".1:80".
        Assert.Equal(["10.180.0.10:80", "10.180.0.1:80", "10.180.0.9:80"], order);
    }

    [Fact]
    public void Generate_NodePortLocalPolicyWithLocalEndpoint_SendsExternalTrafficToLocalChain()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { Type = ServiceTypes.NodePort, ExternalTrafficPolicy = TrafficPolicies.Local }, P80(nodePort: 30001));

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1", "node-b"), Ep("10.180.2.1", TestNodeName)));

        Assert.Contains($"-A {Ext} -j {Svl}", set.ServiceLines());
        var local = Assert.Single(set.Rules, r => r.Chain == Svl);
        Assert.Equal("10.180.2.1:80", local.Endpoint);
        Assert.DoesNotContain(set.Rules, r => r.Table == "filter" && !r.IsBoilerplate);
    }

    [Fact]
    public void Generate_NodePortLocalPolicyWithoutLocalEndpoint_DropsExternalTrafficInFilterTable()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { Type = ServiceTypes.NodePort, ExternalTrafficPolicy = TrafficPolicies.Local }, P80(nodePort: 30001));

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1", "node-b")));

        var drop = Assert.Single(set.Rules, r => r.Table == "filter" && !r.IsBoilerplate);
        Assert.Equal(
            "-A KUBE-EXTERNAL-SERVICES -m comment --comment \"ns1/svc1:p80 has no local endpoints\" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30001 -j DROP",
            drop.Text);
        Assert.DoesNotContain(Svl, set.Chains("nat"));
        Assert.DoesNotContain(set.Rules, r => r.Chain == Ext && r.Jump == Svl);
        // Pods and the node itself still reach the remote endpoint through the EXT chain's short-circuits.
        Assert.Contains(set.Rules, r => r.Chain == Ext && r.Jump == Svc && r.Text.Contains("-s 10.0.0.0/8", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_NoEndpoints_RejectsEveryAddressInFilterTableAndWritesNoNatChains()
    {
        // The Service of proxier_test.go TestNoEndpointsReject.
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with
        {
            Type = ServiceTypes.LoadBalancer,
            ExternalIps = ["192.168.99.11"],
            LoadBalancerStatus = [new LoadBalancerIngress("1.2.3.4", null)],
        }, P80(nodePort: 3001));

        var set = KubeProxyRuleGenerator.Generate(Input(service));

        AssertSameLines(
            [
                "-A KUBE-SERVICES -m comment --comment \"ns1/svc1:p80 has no endpoints\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j REJECT",
                "-A KUBE-EXTERNAL-SERVICES -m comment --comment \"ns1/svc1:p80 has no endpoints\" -m tcp -p tcp -d 192.168.99.11 --dport 80 -j REJECT",
                "-A KUBE-EXTERNAL-SERVICES -m comment --comment \"ns1/svc1:p80 has no endpoints\" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j REJECT",
                "-A KUBE-EXTERNAL-SERVICES -m comment --comment \"ns1/svc1:p80 has no endpoints\" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j REJECT",
            ],
            set.ServiceLines());
        Assert.DoesNotContain(set.Rules, r => r.Table == "nat");
    }

    [Fact]
    public void Generate_OnlyNotReadyEndpoints_CountsAsNoEndpoints()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"),
            Ep("10.180.0.1") with { Ready = false, Serving = false },
            Ep("10.180.0.2") with { Ready = false, Serving = false, Terminating = true }));

        Assert.Equal(RuleRole.Filter, Assert.Single(set.Rules, r => !r.IsBoilerplate).Role);
        Assert.Contains("has no endpoints", set.ServiceLines()[0], StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_OnlyServingTerminatingEndpoints_FallsBackToThem()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"),
            Ep("10.180.0.1") with { Ready = false, Serving = true, Terminating = true },
            Ep("10.180.0.2") with { Ready = false, Serving = false, Terminating = true }));

        var pick = Assert.Single(set.Rules, r => r.Role == RuleRole.LoadBalance);
        Assert.Equal("10.180.0.1:80", pick.Endpoint);
    }

    [Fact]
    public void Generate_ReadyAndTerminatingEndpoints_UsesOnlyTheReadyOne()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"),
            Ep("10.180.0.1") with { Ready = false, Serving = true, Terminating = true },
            Ep("10.180.0.2")));

        Assert.Equal("10.180.0.2:80", Assert.Single(set.Rules, r => r.Role == RuleRole.LoadBalance).Endpoint);
    }

    [Fact]
    public void Generate_SameEndpointTwice_WritesOneEndpointChain()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"),
            Ep("10.180.0.1"), Ep("10.180.0.1") with { Ready = false, Terminating = true }));

        var dnat = Assert.Single(set.Rules, r => r.Role == RuleRole.Dnat);
        Assert.Equal("KUBE-SEP-SXIVWICOYRO3J4NJ", dnat.Chain);
    }

    [Fact]
    public void Generate_EndpointAddressNotAnIp_IsIgnoredWithANote()
    {
        // "10.1" is IPv4 shorthand .NET would accept but Go's address parser rejects.
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.1"), Ep("10.180.0.1")));

        Assert.Equal("10.180.0.1:80", Assert.Single(set.Rules, r => r.Role == RuleRole.Dnat).Endpoint);
        Assert.Contains(set.Notes, n => n.Contains("\"10.1:80\"", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_InvalidSourceRange_IsIgnoredWithANote()
    {
        var service = KubeProxyRuleGeneratorTests.TestLoadBalancerService() with { LoadBalancerSourceRanges = ["203.0.113.0/25", "not-a-cidr"] };

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1")));

        Assert.Single(set.Rules, r => r.Text.Contains("-s 203.0.113.0/25", StringComparison.Ordinal));
        Assert.Contains(set.Notes, n => n.Contains("not-a-cidr", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_SourceRangeWithHostBits_IsWrittenAsItsNetwork()
    {
        var service = KubeProxyRuleGeneratorTests.TestLoadBalancerService() with { LoadBalancerSourceRanges = ["203.0.113.77/25"] };

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1")));

        Assert.Contains(set.Rules, r => r.Text.Contains("-s 203.0.113.0/25 -j", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_LoadBalancerSourceRangesAdmittingTheNode_AlsoAdmitsTheLoadBalancerIps()
    {
        // The Service of proxier_test.go TestLoadBalancer; the node IP 192.168.0.2 is inside 192.168.0.0/24.
        var set = KubeProxyRuleGenerator.Generate(Input(TestLoadBalancerService(), Ep("10.180.0.1")));

        const string fw = "KUBE-FW-XPGD46QRK7WJZT7O";
        AssertSameLines(
            [
                $"-A {fw} -m comment --comment \"ns1/svc1:p80 loadbalancer IP\" -s 192.168.0.0/24 -j {Ext}",
                $"-A {fw} -m comment --comment \"ns1/svc1:p80 loadbalancer IP\" -s 203.0.113.0/25 -j {Ext}",
                $"-A {fw} -m comment --comment \"ns1/svc1:p80 loadbalancer IP\" -s 1.2.3.4 -j {Ext}",
                $"-A {fw} -m comment --comment \"ns1/svc1:p80 loadbalancer IP\" -s 5.6.7.8 -j {Ext}",
                $"-A {fw} -m comment --comment \"other traffic to ns1/svc1:p80 will be dropped by KUBE-PROXY-FIREWALL\"",
            ],
            set.Rules.Where(r => r.Chain == fw).Select(r => r.Text));
        Assert.Equal(
            [$"ns1/svc1:p80 traffic not accepted by {fw}\" -m tcp -p tcp -d 1.2.3.4", $"ns1/svc1:p80 traffic not accepted by {fw}\" -m tcp -p tcp -d 5.6.7.8"],
            set.Rules.Where(r => r.Chain == KubeProxyChains.ProxyFirewall).Select(r => r.Text[(r.Text.IndexOf('"') + 1)..r.Text.IndexOf(" --dport", StringComparison.Ordinal)]));
    }

    [Fact]
    public void Generate_SourceRangeNotAdmittingTheNode_WritesNoLoadBalancerIpSourceRule()
    {
        var service = TestLoadBalancerService() with { LoadBalancerSourceRanges = ["203.0.113.0/25"] };

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1")));

        Assert.Equal(2, set.Rules.Count(r => r.Chain.StartsWith(KubeProxyChains.FirewallPrefix, StringComparison.Ordinal)));
    }

    [Fact]
    public void Generate_LoadBalancerWithoutSourceRanges_CapturesStraightIntoExternalChain()
    {
        var service = TestLoadBalancerService() with { LoadBalancerSourceRanges = [] };

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1")));

        Assert.DoesNotContain(set.Rules, r => r.Chain.StartsWith(KubeProxyChains.FirewallPrefix, StringComparison.Ordinal) || r.Chain == KubeProxyChains.ProxyFirewall);
        Assert.All(set.Rules.Where(r => r.Text.Contains("loadbalancer IP", StringComparison.Ordinal)), r => Assert.Equal(Ext, r.Jump));
    }

    [Fact]
    public void Generate_ClientIpAffinityWithTimeout_ChecksRecentClientsBeforePickingAtRandom()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { SessionAffinity = "ClientIP", SessionAffinityTimeoutSeconds = 600 });

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1"), Ep("10.180.2.1")));

        AssertSameLines(
            [
                $"-A {Svc} -m comment --comment \"ns1/svc1:p80 cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ",
                $"-A {Svc} -m comment --comment \"ns1/svc1:p80 -> 10.180.0.1:80\" -m recent --name KUBE-SEP-SXIVWICOYRO3J4NJ --rcheck --seconds 600 --reap -j KUBE-SEP-SXIVWICOYRO3J4NJ",
                $"-A {Svc} -m comment --comment \"ns1/svc1:p80 -> 10.180.2.1:80\" -m recent --name KUBE-SEP-ZX7GRIZKSNUQ3LAJ --rcheck --seconds 600 --reap -j KUBE-SEP-ZX7GRIZKSNUQ3LAJ",
                $"-A {Svc} -m comment --comment \"ns1/svc1:p80 -> 10.180.0.1:80\" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-SXIVWICOYRO3J4NJ",
                $"-A {Svc} -m comment --comment \"ns1/svc1:p80 -> 10.180.2.1:80\" -j KUBE-SEP-ZX7GRIZKSNUQ3LAJ",
            ],
            set.Rules.Where(r => r.Chain == Svc).Select(r => r.Text));
        Assert.Contains(
            "-A KUBE-SEP-ZX7GRIZKSNUQ3LAJ -m comment --comment ns1/svc1:p80 -m recent --name KUBE-SEP-ZX7GRIZKSNUQ3LAJ --set -m tcp -p tcp -j DNAT --to-destination 10.180.2.1:80",
            set.ServiceLines());
    }

    [Fact]
    public void Generate_ClientIpAffinityWithoutTimeout_UsesTheApiDefaultOf10800Seconds()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { SessionAffinity = "ClientIP" });

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1")));

        Assert.Contains("--rcheck --seconds 10800 --reap", Assert.Single(set.Rules, r => r.Role == RuleRole.SessionAffinity).Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_InternalPolicyLocalWithLocalEndpoint_CapturesClusterIpIntoLocalChain()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { InternalTrafficPolicy = TrafficPolicies.Local });

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1", "node-b"), Ep("10.180.2.1", TestNodeName)));

        AssertSameLines(
            [
                $"-A KUBE-SERVICES -m comment --comment \"ns1/svc1:p80 cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j {Svl}",
                "-A KUBE-SEP-ZX7GRIZKSNUQ3LAJ -m comment --comment ns1/svc1:p80 -s 10.180.2.1 -j KUBE-MARK-MASQ",
                "-A KUBE-SEP-ZX7GRIZKSNUQ3LAJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.2.1:80",
                $"-A {Svl} -m comment --comment \"ns1/svc1:p80 cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ",
                $"-A {Svl} -m comment --comment \"ns1/svc1:p80 -> 10.180.2.1:80\" -j KUBE-SEP-ZX7GRIZKSNUQ3LAJ",
            ],
            set.ServiceLines());
    }

    [Fact]
    public void Generate_InternalPolicyLocalWithoutLocalEndpoint_DropsClusterIpTraffic()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { InternalTrafficPolicy = TrafficPolicies.Local });

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1", "node-b")));

        AssertSameLines(
            ["-A KUBE-SERVICES -m comment --comment \"ns1/svc1:p80 has no local endpoints\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j DROP"],
            set.ServiceLines());
    }

    [Fact]
    public void Generate_ExternalNameService_WritesNoRulesAndSaysWhy()
    {
        var service = new Service(new ObjectMeta { Name = "db", Namespace = "shop" }) { Type = ServiceTypes.ExternalName, ExternalName = "db.example.com" };

        var set = KubeProxyRuleGenerator.Generate(new KubeProxyInput(service, UpstreamNode));

        Assert.Empty(set.Rules);
        Assert.Contains("ExternalName", set.NoRulesReason, StringComparison.Ordinal);
        Assert.Contains("db.example.com", set.NoRulesReason, StringComparison.Ordinal);
        Assert.DoesNotContain("*nat", set.ToIptablesSave(), StringComparison.Ordinal);
        Assert.Contains(set.NoRulesReason!, set.ToIptablesSave(), StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_HeadlessService_WritesNoRulesAndSaysWhy()
    {
        var service = Service("shop", "db", "None");

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1")));

        Assert.Empty(set.Rules);
        Assert.Contains("headless", set.NoRulesReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_ServiceWithoutClusterIpYet_WritesNoRulesAndSaysWhy()
    {
        var service = new Service(new ObjectMeta { Name = "web", Namespace = "shop" }) { Ports = [P80()] };

        var set = KubeProxyRuleGenerator.Generate(new KubeProxyInput(service, UpstreamNode));

        Assert.Empty(set.Rules);
        Assert.Contains("no cluster IP yet", set.NoRulesReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_UnnamedPort_NamesChainsAndCommentsWithoutPortName()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", null, new ServicePort { Port = 80, TargetPort = IntOrName.FromName("http") });

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1", port: 8080)));

        // sha256("ns1/svc1" + "tcp"), base32, first 16 characters.
        Assert.Contains(
            "-A KUBE-SERVICES -m comment --comment \"ns1/svc1 cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-AQI2S6QIMU7PVVRP",
            set.ServiceLines());
        Assert.Contains(set.Rules, r => r.Text.EndsWith("-j DNAT --to-destination 10.180.0.1:8080", StringComparison.Ordinal) && r.Text.Contains("--comment ns1/svc1 ", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_TwoNamedPorts_WritesSeparateChainsInSpecOrder()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", null,
            new ServicePort { Name = "p80", Port = 80 },
            new ServicePort { Name = "dns", Port = 53, Protocol = Protocols.Udp });
        var input = Input(service, Ep("10.180.0.1")) with
        {
            Endpoints =
            [
                new KubeProxyPortEndpoints("p80", [Ep("10.180.0.1")]),
                new KubeProxyPortEndpoints("dns", [Ep("10.180.0.1", port: 5353)]) { Protocol = Protocols.Udp },
            ],
        };

        var set = KubeProxyRuleGenerator.Generate(input);

        var captures = set.Rules.Where(r => r.Role == RuleRole.Capture).Select(r => r.Text).ToList();
        Assert.Equal(2, captures.Count);
        Assert.Contains($"\"ns1/svc1:p80 cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j {Svc}", captures[0], StringComparison.Ordinal);
        Assert.Contains("\"ns1/svc1:dns cluster IP\" -m udp -p udp -d 172.30.0.41 --dport 53 -j KUBE-SVC-", captures[1], StringComparison.Ordinal);
        Assert.Contains(set.Rules, r => r.Text.EndsWith("-m udp -p udp -j DNAT --to-destination 10.180.0.1:5353", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_UnknownClusterCidr_AssumesTheDefaultAndSaysSo()
    {
        var input = Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1")) with { ClusterCidr = null };

        var set = KubeProxyRuleGenerator.Generate(input);

        var masq = Assert.Single(set.Rules, r => r.Chain == Svc && r.Role == RuleRole.Masquerade);
        Assert.EndsWith("! -s 10.244.0.0/16 -j KUBE-MARK-MASQ", masq.Text, StringComparison.Ordinal);
        Assert.Contains("assumed", masq.Explanation, StringComparison.Ordinal);
        Assert.Contains(set.Notes, n => n.Contains("cluster CIDR is unknown", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_WithoutLocalTrafficDetector_WritesNoClusterIpMasqueradeRule()
    {
        var input = Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1")) with { Settings = UpstreamSettings with { DetectLocalTraffic = false } };

        var set = KubeProxyRuleGenerator.Generate(input);

        Assert.DoesNotContain(set.Rules, r => r.Chain == Svc && r.Role == RuleRole.Masquerade);
        Assert.Contains(set.Notes, n => n.Contains("local-traffic detector", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_MasqueradeAll_MarksEveryClusterIpPacket()
    {
        var input = Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1")) with { Settings = UpstreamSettings with { MasqueradeAll = true } };

        var set = KubeProxyRuleGenerator.Generate(input);

        Assert.Equal(
            $"-A {Svc} -m comment --comment \"ns1/svc1:p80 cluster IP\" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-MARK-MASQ",
            Assert.Single(set.Rules, r => r.Chain == Svc && r.Role == RuleRole.Masquerade).Text);
    }

    [Fact]
    public void Generate_EndpointsOfTheOtherFamily_AreLeftToTheOtherProxier()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { ClusterIps = ["172.30.0.41", "fd00:172:30::41"] });

        var set = KubeProxyRuleGenerator.Generate(Input(service, Ep("10.180.0.1"), Ep("fd00:10:180::1")));

        Assert.Equal("10.180.0.1:80", Assert.Single(set.Rules, r => r.Role == RuleRole.Dnat).Endpoint);
        Assert.Contains(set.Notes, n => n.Contains("Dual-stack", StringComparison.Ordinal));
    }

    [Fact]
    public void ToIptablesSave_ClusterIpService_PrintsTablesChainsAndRulesInSaveOrder()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1")));

        var text = set.ToIptablesSave();

        Assert.Equal(
            """
            # Rules kube-proxy programs in iptables mode for Service ns1/svc1 on node test-node
            # (reconstructed by PortMapper; only this Service's rules and the shared jumps that reach them).
            # kube-proxy's nftables and IPVS modes, and eBPF data planes such as Cilium, program different structures.
            *nat
            :PREROUTING ACCEPT [0:0]
            :OUTPUT ACCEPT [0:0]
            :POSTROUTING ACCEPT [0:0]
            :KUBE-NODEPORTS - [0:0]
            :KUBE-SERVICES - [0:0]
            :KUBE-MARK-MASQ - [0:0]
            :KUBE-POSTROUTING - [0:0]
            :KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
            :KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
            -A PREROUTING -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A OUTPUT -m comment --comment "kubernetes service portals" -j KUBE-SERVICES
            -A POSTROUTING -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING
            -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
            -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
            -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
            -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
            -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
            -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
            -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
            -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
            -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
            -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
            COMMIT

            """,
            text);
    }

    [Fact]
    public void ToIptablesSave_RandomFullyAvailable_AddsItToMasquerade()
    {
        var input = Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1")) with { Settings = new KubeProxySettings() };

        var set = KubeProxyRuleGenerator.Generate(input);

        Assert.Contains("-j MASQUERADE --random-fully\n", set.ToIptablesSave(), StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_FilterRules_AreReachedThroughTheBuiltInHooksKubeProxyPrepends()
    {
        var set = KubeProxyRuleGenerator.Generate(Input(TestLoadBalancerService() with { ExternalTrafficPolicy = TrafficPolicies.Local, HealthCheckNodePort = 30000 }, Ep("10.180.0.1")));

        // iptables -I puts the last jump kube-proxy ensures first, as on a real node.
        AssertSameLines(
            [
                "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL",
                "-A INPUT -m comment --comment \"kubernetes health check service ports\" -j KUBE-NODEPORTS",
                "-A INPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES",
                "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL",
                "-A FORWARD -m conntrack --ctstate NEW -m comment --comment \"kubernetes externally-visible service portals\" -j KUBE-EXTERNAL-SERVICES",
                "-A OUTPUT -m conntrack --ctstate NEW -m comment --comment \"kubernetes load balancer firewall\" -j KUBE-PROXY-FIREWALL",
            ],
            set.Rules.Where(r => r.Table == "filter" && r.IsBoilerplate).Select(r => r.Text));
    }

    [Fact]
    public void EndpointsFromSlices_SlicesOfTheService_MapsPortsAndConditionsLikeTheEndpointCache()
    {
        var service = Service("ns1", "svc1", "172.30.0.41");
        EndpointSlice Slice(string name, string serviceName, params Endpoint[] endpoints) =>
            new(new ObjectMeta { Name = name, Namespace = "ns1", Labels = ImmutableDictionary<string, string>.Empty.Add("kubernetes.io/service-name", serviceName) })
            {
                Ports = [new EndpointSlicePort("p80", Protocols.Tcp, 8080, null)],
                Endpoints = [.. endpoints],
            };
        var slices = new[]
        {
            Slice("svc1-a", "svc1",
                new Endpoint { Addresses = ["10.180.0.1"], NodeName = TestNodeName },
                new Endpoint { Addresses = ["10.180.0.2"], Conditions = new EndpointConditions(false, true, true) }),
            Slice("other-a", "other", new Endpoint { Addresses = ["10.180.9.9"] }),
        };

        var ports = KubeProxyInput.EndpointsFromSlices(service, slices);

        var port = Assert.Single(ports);
        Assert.Equal(("p80", Protocols.Tcp), (port.PortName, port.Protocol));
        Assert.Equal(
            [
                new KubeProxyEndpoint("10.180.0.1", 8080) { NodeName = TestNodeName },
                new KubeProxyEndpoint("10.180.0.2", 8080) { Ready = false, Serving = true, Terminating = true },
            ],
            port.Endpoints.ToArray());
    }

    /// <summary>The Service of proxier_test.go TestLoadBalancer.</summary>
    internal static Service TestLoadBalancerService() =>
        Service("ns1", "svc1", "172.30.0.41", s => s with
        {
            Type = ServiceTypes.LoadBalancer,
            LoadBalancerStatus = [new LoadBalancerIngress("1.2.3.4", null), new LoadBalancerIngress("5.6.7.8", null)],
            LoadBalancerSourceRanges = ["192.168.0.0/24", " 203.0.113.0/25"],
        }, P80(nodePort: 3001));
}
