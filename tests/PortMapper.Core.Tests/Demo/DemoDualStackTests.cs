using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Core.KubeProxy;
using PortMapper.Core.Model;
using PortMapper.Core.Trace;
using PortMapper.Core.Validation;

namespace PortMapper.Core.Tests.Demo;

/// <summary>The demo is a dual-stack cluster of one node pool across three zones; the shop shows the traffic fields.</summary>
public class DemoDualStackTests
{
    private static readonly DemoCluster Demo = DemoCluster.CreateDefault();
    private static readonly ClusterAnalysis Analysis = ClusterAnalyzer.Analyze(Demo.Snapshot);

    [Fact]
    public void Nodes_OnePoolAcrossThreeZones_WithAnAddressAndPodCidrOfEachFamily()
    {
        var nodes = Demo.Snapshot.Nodes.Values.OrderBy(n => n.Metadata.Name, StringComparer.Ordinal).ToList();

        Assert.Equal(["zone-1", "zone-2", "zone-3"], nodes.Select(n => n.Zone));
        Assert.All(nodes, n => Assert.Equal("general", n.Metadata.Labels[DemoNodes.PoolLabel]));
        Assert.Equal(["172.18.0.2", "fd00:18::2"], nodes[0].Addresses.Where(a => a.Type == "InternalIP").Select(a => a.Address));
        Assert.Equal(["10.244.1.0/24", "fd00:10:244:1::/64"], nodes[0].PodCidrs.ToArray());
    }

    [Fact]
    public void Search_PreferDualStack_GetsAClusterIpAndAnEndpointSliceOfEachFamily_WithZoneHints()
    {
        var search = Demo.Snapshot.Services[new ObjectKey("shop", "search")];
        var slices = Demo.Snapshot.EndpointSlices.Values.Where(s => s.Metadata.Namespace == "shop" && s.ServiceName == "search").OrderBy(s => s.AddressType, StringComparer.Ordinal).ToList();

        Assert.Equal([IpFamily.V4, IpFamily.V6], search.IpFamilies.ToArray());
        Assert.Equal("PreferDualStack", search.IpFamilyPolicy);
        Assert.StartsWith("10.96.", search.ClusterIps[0], StringComparison.Ordinal);
        Assert.StartsWith("fd00:10:96::", search.ClusterIps[1], StringComparison.Ordinal);
        Assert.Equal([IpFamily.V4, IpFamily.V6], slices.Select(s => s.AddressType));
        Assert.All(slices, s => Assert.Equal(3, s.Endpoints.Length));
        Assert.All(slices.SelectMany(s => s.Endpoints), e => Assert.Equal([e.Zone!], e.ForZones.ToArray()));
        Assert.All(slices[1].Endpoints, e => Assert.StartsWith("fd00:10:244:", e.Addresses[0], StringComparison.Ordinal));
        Assert.DoesNotContain(Analysis.Diagnostics, d => d.Object.Name == "search");
    }

    [Fact]
    public void ServiceRanges_TheDefaultServiceCidrHoldsBothFamilies_AndKubeProxyDropsUnallocatedAddressesOfEach()
    {
        var families = ClusterServiceFamilies.Infer(Demo.Snapshot);
        var v4 = KubeProxyFromAnalysis.GenerateNftables(Analysis, new ObjectKey("shop", "search"), "node-a", out _)!;
        var v6 = KubeProxyFromAnalysis.GenerateNftables(Analysis, new ObjectKey("shop", "search"), "node-a", out _, IpFamily.V6)!;

        Assert.Equal([IpFamily.V4, IpFamily.V6], families.Families.ToArray());
        Assert.True(families.Known);
        Assert.All(Demo.Snapshot.Services.Values.SelectMany(s => s.ClusterIps).Where(ip => ip != "None"),
            ip => Assert.Contains(Demo.Snapshot.ServiceCidrs[ServiceCidr.DefaultName].Cidrs, c => IpText.TryParseCidr(c, out var cidr) && cidr.Contains(System.Net.IPAddress.Parse(ip))));
        Assert.Contains("ip daddr { 10.96.0.0/12 } drop", v4.ToNftList(), StringComparison.Ordinal);
        Assert.Contains("ip6 daddr { fd00:10:96::/112 } drop", v6.ToNftList(), StringComparison.Ordinal);
        Assert.DoesNotContain(v4.Notes.Concat(v6.Notes), n => n.Contains("Service CIDR is unknown", StringComparison.Ordinal));
        Assert.Equal(KubeProxyOutcome.Dropped, Assert.Single(v6.Trace(new KubeProxyRequest("fd00:10:96::ffff", 80) { SourceIp = "fd00:10:244:1::5" }).Paths).Outcome);
    }

    [Fact]
    public void Search_Ipv6Trace_FromAFrontendPod_KeepsToTheClientsZoneOverIpv6()
    {
        var search = Demo.Snapshot.Services[new ObjectKey("shop", "search")];
        var client = Demo.Snapshot.Pods.Values.First(p => p.Metadata.Namespace == "shop" && p.Metadata.Labels.GetValueOrDefault("app") == "frontend");
        Assert.True(TraceSource.TryParse($"pod:shop/{client.Metadata.Name}", Demo.Snapshot, out var from, out _));
        Assert.True(TraceTarget.TryParse($"[{search.ClusterIps[1]}]:80", out var to, out _));

        var result = Tracer.Trace(Analysis, from, to);

        Assert.True(result.Reachable, result.Reason);
        Assert.Contains(':', result.Steps[0].Address!);
        var endpoint = Assert.Single(result.Endpoints);
        Assert.Contains(':', endpoint.Ip!);
        Assert.Equal(client.NodeName, endpoint.NodeName);
        Assert.Contains("only endpoints hinted for zone", result.Steps.Single(s => s.Kind == TraceStepKind.ServiceChain).Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void MetricsAgent_InternalTrafficPolicyLocal_EachClientReachesTheAgentOnItsOwnNode()
    {
        var client = Demo.Snapshot.Pods.Values.First(p => p.Metadata.Namespace == "shop" && p.Metadata.Labels.GetValueOrDefault("app") == "frontend");
        Assert.True(TraceSource.TryParse($"pod:shop/{client.Metadata.Name}", Demo.Snapshot, out var from, out _));
        Assert.True(TraceTarget.TryParse("metrics-agent.shop:4317", out var to, out _));

        var result = Tracer.Trace(Analysis, from, to);

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal(client.NodeName, Assert.Single(result.Endpoints).NodeName);
        Assert.Contains("internalTrafficPolicy Local", result.Steps.Single(s => s.Kind == TraceStepKind.ServiceChain).Translation, StringComparison.Ordinal);
        Assert.Equal(3, Analysis.FindPath("clusterip:shop/metrics-agent:4317/TCP")!.Hops[^1].Endpoints.Length);
    }

    [Fact]
    public void PaymentsPartners_LoadBalancerClassWithoutItsController_StaysPendingWithoutNodePorts()
    {
        var svc = Demo.Snapshot.Services[new ObjectKey("shop", "payments-partners")];

        Assert.True(svc.LoadBalancerStatus.IsDefaultOrEmpty);
        Assert.All(svc.Ports, p => Assert.Null(p.NodePort));
        var d = Assert.Single(Analysis.Diagnostics, d => d.Object.Name == "payments-partners" && d.Code == Codes.LoadBalancerPending);
        Assert.Contains("example.com/partner-lb", d.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Analysis.Paths, p => p.Service?.Name == "payments-partners" && p.Exposure == Exposure.NodePort);
    }

    [Fact]
    public void Ipvs_DemoSearchOnNodeA_VirtualServersOfBothFamilies()
    {
        var v4 = KubeProxyFromAnalysis.GenerateIpvs(Analysis, new ObjectKey("shop", "search"), "node-a", out _)!;
        var v6 = KubeProxyFromAnalysis.GenerateIpvs(Analysis, new ObjectKey("shop", "search"), "node-a", out _, IpFamily.V6)!;

        // Zone hints: node-a's kube-proxy balances over the endpoint of zone-1 only.
        Assert.Single(v4.VirtualServers[0].RealServers);
        Assert.StartsWith("[fd00:10:96::", v6.VirtualServers[0].HostPort, StringComparison.Ordinal);
        Assert.StartsWith("[fd00:10:244:1::", Assert.Single(v6.VirtualServers[0].RealServers).HostPort, StringComparison.Ordinal);
    }
}
