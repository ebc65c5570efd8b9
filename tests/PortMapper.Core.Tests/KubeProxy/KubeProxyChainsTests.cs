using PortMapper.Core.KubeProxy;

namespace PortMapper.Core.Tests.KubeProxy;

public class KubeProxyChainsTests
{
    private static readonly ServicePortName Ns1Svc1P80 = new("ns1", "svc1", "p80");

    [Fact]
    public void ServicePortChainName_Ns1Svc1P80Tcp_IsTheVerifiedExample()
    {
        // K8S-FACTS.md, from proxier_test.go TestOverallIPTablesRulesWithMultipleServices.
        Assert.Equal("KUBE-SVC-XPGD46QRK7WJZT7O", KubeProxyChains.ServicePortChainName(Ns1Svc1P80, "tcp"));
    }

    [Theory]
    // Chain names in the expected output of proxier_test.go TestOverallIPTablesRules.
    [InlineData("ns2", "svc2", "GNZBNJ2PO5MGZ6GT")]
    [InlineData("ns3", "svc3", "X27LE4BHSL4DOUIK")]
    [InlineData("ns4", "svc4", "4SW47YFZTEDKD3PK")]
    [InlineData("ns5", "svc5", "NUKIZ6OKUXPJNT4C")]
    public void PerServiceChainNames_UpstreamServices_ShareOneHashWithTheirPrefixes(string ns, string name, string hash)
    {
        var port = new ServicePortName(ns, name, "p80");

        Assert.Equal("KUBE-SVC-" + hash, KubeProxyChains.ServicePortChainName(port, "tcp"));
        Assert.Equal("KUBE-SVL-" + hash, KubeProxyChains.ServiceLocalChainName(port, "tcp"));
        Assert.Equal("KUBE-EXT-" + hash, KubeProxyChains.ServiceExternalChainName(port, "tcp"));
        Assert.Equal("KUBE-FW-" + hash, KubeProxyChains.ServiceFirewallChainName(port, "tcp"));
    }

    [Theory]
    // TestOverallIPTablesRules
    [InlineData("ns1", "svc1", "10.180.0.1:80", "KUBE-SEP-SXIVWICOYRO3J4NJ")]
    [InlineData("ns2", "svc2", "10.180.0.2:80", "KUBE-SEP-RS4RBKLTHTF2IUXJ")]
    [InlineData("ns3", "svc3", "10.180.0.3:80", "KUBE-SEP-OYPFS5VJICHGATKP")]
    [InlineData("ns4", "svc4", "10.180.0.4:80", "KUBE-SEP-UKSFD7AGPMPPLUHC")]
    [InlineData("ns4", "svc4", "10.180.0.5:80", "KUBE-SEP-C6EBXVWJJZMIWKLZ")]
    [InlineData("ns5", "svc5", "10.180.0.3:80", "KUBE-SEP-I77PXRDZVX7PMWMN")]
    // TestExternalTrafficPolicyLocal and TestEnableLocalhostNodePortsIPv4/IPv6
    [InlineData("ns1", "svc1", "10.180.2.1:80", "KUBE-SEP-ZX7GRIZKSNUQ3LAJ")]
    [InlineData("ns1", "svc1", "10.244.0.1:80", "KUBE-SEP-6KG6DFHVBKBK53RU")]
    [InlineData("ns1", "svc1", "[ff06::c1]:80", "KUBE-SEP-LIGRYQQLSZN4UWQ5")]
    [InlineData("ns1", "svc1", "[ff06::c2]:80", "KUBE-SEP-XJJ5QXWGJG344QDZ")]
    public void ServicePortEndpointChainName_UpstreamEndpoints_MatchesExpectedOutput(string ns, string name, string endpoint, string chain)
    {
        Assert.Equal(chain, KubeProxyChains.ServicePortEndpointChainName(new ServicePortName(ns, name, "p80"), "tcp", endpoint));
    }

    [Fact]
    public void ServicePortChainName_UppercaseProtocol_IsLowerCasedLikeKubeProxy()
    {
        Assert.Equal(KubeProxyChains.ServicePortChainName(Ns1Svc1P80, "tcp"), KubeProxyChains.ServicePortChainName(Ns1Svc1P80, "TCP"));
    }

    [Fact]
    public void ServicePortChainName_OtherProtocol_GivesAnotherChain()
    {
        Assert.NotEqual(KubeProxyChains.ServicePortChainName(Ns1Svc1P80, "tcp"), KubeProxyChains.ServicePortChainName(Ns1Svc1P80, "udp"));
    }

    [Theory]
    [InlineData("p80", "ns1/svc1:p80")]
    [InlineData("", "ns1/svc1")]
    public void ServicePortName_ToString_AddsThePortNameOnlyWhenSet(string port, string expected)
    {
        Assert.Equal(expected, new ServicePortName("ns1", "svc1", port).ToString());
    }

    [Fact]
    public void ChainNames_UnnamedPort_HashTheNameWithoutAColon()
    {
        // Published iptables-save output of a real cluster for Service default/nginx, whose single port has no
        // name: "-A KUBE-SVL-2CMXP7HKUVJN7L6M -m comment --comment "default/nginx -> 10.64.2.4:80" -j KUBE-SEP-YVT6EXXEKT4LDXBC".
        var unnamed = new ServicePortName("default", "nginx", "");

        Assert.Equal("KUBE-SVC-2CMXP7HKUVJN7L6M", KubeProxyChains.ServicePortChainName(unnamed, "tcp"));
        Assert.Equal("KUBE-SVL-2CMXP7HKUVJN7L6M", KubeProxyChains.ServiceLocalChainName(unnamed, "tcp"));
        Assert.Equal("KUBE-SEP-YVT6EXXEKT4LDXBC", KubeProxyChains.ServicePortEndpointChainName(unnamed, "tcp", "10.64.2.4:80"));
    }

    [Fact]
    public void ServicePortChainName_NamedPortOfTheApiServer_MatchesEveryCluster()
    {
        // The default/kubernetes Service's port is named "https"; this chain exists on every kube-proxy node.
        Assert.Equal("KUBE-SVC-NPX46M4PTMTKRN6Y", KubeProxyChains.ServicePortChainName(new ServicePortName("default", "kubernetes", "https"), "tcp"));
    }
}
