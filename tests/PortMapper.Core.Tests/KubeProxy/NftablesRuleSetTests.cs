using PortMapper.Core.KubeProxy;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.KubeProxy.KubeProxyFixtures;

namespace PortMapper.Core.Tests.KubeProxy;

public class NftablesRuleSetTests
{
    [Fact]
    public void Names_UnnamedPortAndIpv6Endpoint_FollowProxierFormat()
    {
        var name = new ServicePortName("default", "nginx", "");

        Assert.EndsWith("-default/nginx/tcp/", NftablesNames.ServiceChain(name, "TCP"), StringComparison.Ordinal);
        Assert.StartsWith("service-", NftablesNames.ServiceChain(name, "tcp"), StringComparison.Ordinal);
        Assert.EndsWith("-default/nginx/udp/__fd00.10..1/53", NftablesNames.EndpointChain(name, "udp", "[fd00:10::1]:53"), StringComparison.Ordinal);
        // The hash is base32(sha256(name)) cut to 8 characters, as upstream's ULMVA6XW-ns1/svc1/tcp/p80.
        Assert.Equal("service-ULMVA6XW-ns1/svc1/tcp/p80", NftablesNames.ServiceChain(new ServicePortName("ns1", "svc1", "p80"), "tcp"));
        Assert.Equal("endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80", NftablesNames.EndpointChain(new ServicePortName("ns1", "svc1", "p80"), "tcp", "10.180.0.1:80"));
    }

    [Fact]
    public void Names_LongerThan112Characters_AreTruncatedWithDots()
    {
        var name = new ServicePortName(new string('n', 63), new string('s', 63), new string('p', 15));

        var chain = NftablesNames.EndpointChain(name, "sctp", "[fd00:1234:5678:9abc:def0:1234:5678:9abc]:65535");

        Assert.Equal("endpoint-".Length + 112, chain.Length);
        Assert.EndsWith("...", chain, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_Ipv6Service_WritesIp6Table()
    {
        var service = Service("ns1", "svc1", "fd00:10:96::1");
        var input = Input(service, Ep("fd00:10::5", TestNodeName)) with { ClusterCidr = "fd00:10::/64", ServiceCidrs = ["fd00:10:96::/112"] };

        var set = NftablesRuleGenerator.Generate(input);

        Assert.Equal("ip6 kube-proxy", set.TableName);
        var text = set.ToTransaction();
        Assert.Contains("add rule ip6 kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip6 daddr fd00:10:96::1 ip6 saddr != fd00:10::/64 jump mark-for-masquerade", text, StringComparison.Ordinal);
        Assert.Contains("meta l4proto tcp dnat to [fd00:10::5]:80", text, StringComparison.Ordinal);
        Assert.Contains("add element ip6 kube-proxy nodeport-ips { 2001:db8::1 }", text, StringComparison.Ordinal);
        var path = Assert.Single(set.Trace(new KubeProxyRequest("fd00:10:96::1", 80) { SourceIp = "fd00:10::9" }).Paths);
        Assert.Equal("[fd00:10::5]:80", path.Destination);
    }

    [Fact]
    public void Generate_DualStackService_RendersTheRequestedFamily()
    {
        var service = Service("ns1", "svc1", "172.30.0.41") with { ClusterIps = ["172.30.0.41", "fd00:10:96::1"] };
        var input = Input(service, Ep("10.180.0.1"), Ep("fd00:10::1"));

        var v4 = NftablesRuleGenerator.Generate(input);
        var v6 = NftablesRuleGenerator.Generate(input with { IpFamily = "IPv6" });

        Assert.Equal("ip", v4.Family);
        Assert.Equal("ip6", v6.Family);
        Assert.Contains(v4.Rules, r => r.Text.EndsWith("dnat to 10.180.0.1:80", StringComparison.Ordinal));
        Assert.DoesNotContain(v4.Rules, r => r.Text.Contains("fd00:10::1", StringComparison.Ordinal));
        Assert.Contains(v6.Rules, r => r.Text.EndsWith("dnat to [fd00:10::1]:80", StringComparison.Ordinal));
        Assert.Contains(v4.Notes, n => n.Contains("Dual-stack", StringComparison.Ordinal));
    }

    [Fact]
    public void Generate_SingleStackService_AskedForOtherFamily_SaysWhyNoRules()
    {
        var set = NftablesRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41")) with { IpFamily = "IPv6" });

        Assert.Empty(set.Rules);
        Assert.Contains("no IPv6 cluster IP", set.NoRulesReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Generate_InternalTrafficPolicyLocalWithoutLocalEndpoint_DropsClusterIp()
    {
        var service = Service("ns1", "svc1", "172.30.0.41", s => s with { InternalTrafficPolicy = TrafficPolicies.Local });

        var set = NftablesRuleGenerator.Generate(Input(service, Ep("10.180.0.1", "other-node")) with { ServiceCidrs = ["172.30.0.0/16"] });

        Assert.Contains("add element ip kube-proxy no-endpoint-services { 172.30.0.41 . tcp . 80 comment \"ns1/svc1:p80\" : drop }", set.ToTransaction(), StringComparison.Ordinal);
        Assert.Equal(KubeProxyOutcome.Dropped, Assert.Single(set.Trace(new KubeProxyRequest("172.30.0.41", 80)).Paths).Outcome);
    }

    [Fact]
    public void ToNftList_PrintsTableWithSetsElementsAndChains()
    {
        var set = NftablesRuleGenerator.Generate(Input(Service("ns1", "svc1", "172.30.0.41"), Ep("10.180.0.1")) with { ServiceCidrs = ["172.30.0.0/16"] });

        var lines = Lines(set.ToNftList());

        Assert.Contains("table ip kube-proxy {", lines);
        Assert.Contains("map service-ips {", lines);
        Assert.Contains("elements = { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }", lines);
        Assert.Contains("chain service-ULMVA6XW-ns1/svc1/tcp/p80 {", lines);
        Assert.Contains("numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }", lines);
        Assert.Contains("type nat hook prerouting priority dstnat; policy accept;", lines);
        Assert.Equal("}", lines[^1]);
    }

    [Fact]
    public void Generate_HeadlessService_HasNoRules()
    {
        var set = NftablesRuleGenerator.Generate(Input(Service("ns1", "svc1", "None")));

        Assert.Contains("headless", set.NoRulesReason, StringComparison.Ordinal);
        Assert.Contains("headless", set.ToNftList(), StringComparison.Ordinal);
    }
}
