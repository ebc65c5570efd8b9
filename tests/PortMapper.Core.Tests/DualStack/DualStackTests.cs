using PortMapper.Core.Analysis;
using PortMapper.Core.KubeProxy;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Trace;

namespace PortMapper.Core.Tests.DualStack;

/// <summary>
/// Dual-stack Services and topology hints, on a cluster read from YAML (Fixtures/dual-stack/cluster.yaml): kube-proxy
/// runs one proxier per family, each reading the EndpointSlices of its addressType; hints narrow the endpoints a node's
/// kube-proxy uses (pkg/proxy/topology.go).
/// </summary>
public class DualStackTests
{
    private static readonly ClusterAnalysis Cluster = Load();

    private static ClusterAnalysis Load(Func<IKubeObject, IKubeObject?>? edit = null)
    {
        var loaded = ManifestLoader.LoadFile(Path.Combine(AppContext.BaseDirectory, "Fixtures", "dual-stack", "cluster.yaml"));
        Assert.Empty(loaded.Errors);
        var objects = edit is null ? loaded.Objects : [.. loaded.Objects.Select(edit).OfType<IKubeObject>()];
        return ClusterAnalyzer.Analyze(ClusterSnapshot.From(objects, endpointSlicesAuthoritative: true));
    }

    private static TraceResult Trace(string from, string to, ClusterAnalysis? analysis = null, ProxyMode mode = ProxyMode.Iptables)
    {
        analysis ??= Cluster;
        Assert.True(TraceSource.TryParse(from, analysis.Snapshot, out var source, out var e1), e1);
        Assert.True(TraceTarget.TryParse(to, out var target, out var e2), e2);
        return Tracer.Trace(analysis, source, target, mode: mode);
    }

    private static EndpointTarget[] EndpointsOf(ClusterAnalysis analysis, string pathId) =>
        [.. analysis.FindPath(pathId)!.Hops.Last(h => h.Kind == HopKind.Endpoints).Endpoints];

    [Fact]
    public void Paths_DualStackService_OneEndpointPerPodWithAnAddressOfEachFamily()
    {
        var endpoints = EndpointsOf(Cluster, "clusterip:shop/web:80/TCP");

        Assert.Equal(["web-1", "web-2"], endpoints.Select(e => e.Pod!.Name));
        Assert.Equal(["10.244.1.5", "fd00:10:244:1::5"], endpoints[0].Ips.ToArray());
        Assert.Equal("10.244.1.5", endpoints[0].Ip);
        Assert.Equal(["10.96.0.40", "fd00:10:96::40"], Cluster.FindPath("clusterip:shop/web:80/TCP")!.Hops.First(h => h.Kind == HopKind.ClusterIp).Addresses.ToArray());
        Assert.DoesNotContain(Cluster.Diagnostics, d => d.Code == Codes.FamilyWithoutEndpoints);
    }

    [Fact]
    public void Trace_Ipv6ClusterIp_FromADualStackPod_UsesThePodsIpv6AddressAndTheIpv6Endpoints()
    {
        var result = Trace("pod:shop/client", "[fd00:10:96::40]:80");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("[fd00:10:244:1::3]", "[" + result.Steps[0].Address + "]");
        Assert.Equal(["fd00:10:244:1::5", "fd00:10:244:2::7"], result.Endpoints.Select(e => e.Ip));
        var chain = result.Steps.Single(s => s.Kind == TraceStepKind.ServiceChain);
        Assert.Contains("IPv6 rules (the ip6tables nat table)", chain.Translation, StringComparison.Ordinal);
        // KUBE-SEP names hash the endpoint as kube-proxy writes it: "[IPv6]:port".
        var sep = result.Steps.Single(s => s.Kind == TraceStepKind.Endpoints).EndpointChains;
        Assert.Equal(KubeProxyChains.Name(KubeProxyChains.EndpointPrefix, "shop/web:http", "TCP", "[fd00:10:244:1::5]:8080"), sep[0]);
    }

    [Fact]
    public void Trace_Ipv4ClusterIp_OfTheSameService_UsesTheIpv4Endpoints()
    {
        var result = Trace("pod:shop/client", "10.96.0.40:80");

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("10.244.1.3", result.Steps[0].Address);
        Assert.Equal(["10.244.1.5", "10.244.2.7"], result.Endpoints.Select(e => e.Ip));
    }

    [Fact]
    public void Trace_Ipv6NodePort_FromOutside_ReachesTheIpv6Endpoints()
    {
        var result = Trace("external", "[fd00:18::3]:30040");

        Assert.True(result.Reachable, result.Reason);
        Assert.All(result.Endpoints, e => Assert.Contains(':', e.Ip!));
    }

    [Fact]
    public void Trace_Ipv6NodePortOfASingleStackIpv4Service_IsRefusedAndSaysWhy()
    {
        var result = Trace("external", "[fd00:18::3]:30041");

        Assert.False(result.Reachable);
        Assert.Contains("single-stack IPv4", result.Reason, StringComparison.Ordinal);
        Assert.Contains("ipFamilyPolicy: PreferDualStack", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_FromAPodWithoutIpv6_ToAnIpv6Address_CannotBeSent()
    {
        var result = Trace("pod:shop/legacy", "[fd00:10:96::40]:80");

        Assert.False(result.Reachable);
        Assert.Contains("has no IPv6 address (status.podIPs: 10.244.2.9)", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnostics_DualStackServiceWhoseIpv6SliceIsGone_PM013NamesTheFamilyAndTheRefusedAddress()
    {
        var analysis = Load(o => o is EndpointSlice { AddressType: "IPv6" } ? null : o);

        var d = Assert.Single(analysis.Diagnostics, d => d.Code == Codes.FamilyWithoutEndpoints);
        Assert.Equal("web", d.Object.Name);
        Assert.Equal("spec.ipFamilies", d.Field);
        Assert.Contains("none of its 2 ready endpoint(s) has an IPv6 address", d.Message, StringComparison.Ordinal);
        Assert.Contains("[fd00:10:96::40]:80", d.Message, StringComparison.Ordinal);
        var trace = Trace("pod:shop/client", "[fd00:10:96::40]:80", analysis);
        Assert.False(trace.Reachable);
        Assert.Contains("none of its 2 endpoint(s) has an IPv6 address", trace.Reason, StringComparison.Ordinal);
        // IPv4 is untouched.
        Assert.True(Trace("pod:shop/client", "10.96.0.40:80", analysis).Reachable);
    }

    [Fact]
    public void Predicted_DualStackPodsFromManifests_GetAnAddressPerFamilyOfTheService()
    {
        var analysis = ClusterAnalyzer.Analyze(ClusterSnapshot.From(Cluster.Snapshot.Pods.Values.Cast<IKubeObject>()
            .Concat(Cluster.Snapshot.Nodes.Values)
            .Append(Cluster.Snapshot.Services[new ObjectKey("shop", "web")])));

        var endpoints = EndpointsOf(analysis, "clusterip:shop/web:80/TCP");

        Assert.All(endpoints, e => Assert.True(e.Predicted));
        Assert.Equal([["10.244.1.5", "fd00:10:244:1::5"], ["10.244.2.7", "fd00:10:244:2::7"]], endpoints.Select(e => e.Ips.ToArray()));
    }

    [Fact]
    public void KubeProxyRules_Ipv6Family_Ip6tablesWithTheIpv6ClusterIpAndEndpoints()
    {
        var rules = KubeProxyFromAnalysis.Generate(Cluster, new ObjectKey("shop", "web"), "node-a", out var error, IpFamily.V6)!;

        Assert.Null(error);
        var text = rules.ToIptablesSave();
        Assert.Contains("-d fd00:10:96::40 --dport 80 -j KUBE-SVC-", text, StringComparison.Ordinal);
        Assert.Contains("--to-destination [fd00:10:244:2::7]:8080", text, StringComparison.Ordinal);
        Assert.DoesNotContain("10.244.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void KubeProxyRules_Ipv6Family_NftablesWritesTheIp6Table()
    {
        var nft = KubeProxyFromAnalysis.GenerateNftables(Cluster, new ObjectKey("shop", "web"), "node-a", out _, IpFamily.V6)!.ToNftList();

        Assert.Contains("table ip6 kube-proxy {", nft, StringComparison.Ordinal);
        Assert.Contains("fd00:10:96::40 . tcp . 80", nft, StringComparison.Ordinal);
        Assert.Contains("dnat to [fd00:10:244:1::5]:8080", nft, StringComparison.Ordinal);
    }

    [Fact]
    public void KubeProxyRules_ServiceCidrsRead_TheUnallocatedDropUsesEveryRangeOfTheRenderedFamily()
    {
        var yaml = """
            apiVersion: networking.k8s.io/v1
            kind: ServiceCIDR
            metadata: {name: kubernetes}
            spec: {cidrs: [10.96.0.0/16, "fd00:10:96::/112"]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: ServiceCIDR
            metadata: {name: extra}
            spec: {cidrs: [10.100.0.0/16]}
            """;
        var ranges = ManifestLoader.LoadText(yaml, "cidr.yaml").Objects;
        Assert.All(ranges, r => Assert.IsType<ServiceCidr>(r));
        var analysis = ClusterAnalyzer.Analyze(ranges.Aggregate(Cluster.Snapshot, (s, r) => s.Upsert(r)));

        var v4 = KubeProxyFromAnalysis.GenerateNftables(analysis, new ObjectKey("shop", "web"), "node-a", out _)!;
        var v6 = KubeProxyFromAnalysis.GenerateNftables(analysis, new ObjectKey("shop", "web"), "node-a", out _, IpFamily.V6)!;

        Assert.Contains("ip daddr { 10.96.0.0/16, 10.100.0.0/16 } drop", v4.ToNftList(), StringComparison.Ordinal);
        Assert.Equal(KubeProxyOutcome.Dropped, Assert.Single(v4.Trace(new KubeProxyRequest("10.100.0.9", 80) { SourceIp = "10.244.1.5" }).Paths).Outcome);
        Assert.Contains("ip6 daddr { fd00:10:96::/112 } drop", v6.ToNftList(), StringComparison.Ordinal);
        Assert.DoesNotContain(v4.Notes.Concat(v6.Notes), n => n.Contains("Service CIDR is unknown", StringComparison.Ordinal));
        Assert.Contains(KubeProxyFromAnalysis.GenerateNftables(Cluster, new ObjectKey("shop", "web"), "node-a", out _, IpFamily.V6)!.Notes,
            n => n.Contains("Service CIDR is unknown", StringComparison.Ordinal));
    }

    [Fact]
    public void KubeProxyRules_SingleStackServiceAskedForIpv6_SaysTheIpv6ProxierWritesNothing()
    {
        var rules = KubeProxyFromAnalysis.Generate(Cluster, new ObjectKey("shop", "web-v4"), "node-a", out _, IpFamily.V6)!;

        Assert.Contains("has no IPv6 cluster IP", rules.NoRulesReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Ipvs_Ipv6Family_VirtualServersOnTheIpv6ClusterIpAndNodeAddress()
    {
        var ipvs = KubeProxyFromAnalysis.GenerateIpvs(Cluster, new ObjectKey("shop", "web"), "node-a", out _, IpFamily.V6)!;

        Assert.Equal(["[fd00:10:96::40]:80", "[fd00:18::2]:30040"], ipvs.VirtualServers.Select(v => v.HostPort));
        Assert.Equal(["[fd00:10:244:1::5]:8080", "[fd00:10:244:2::7]:8080"], ipvs.VirtualServers[0].RealServers.Select(r => r.HostPort));
        Assert.Contains("inet6 fd00:10:96::40/128 scope global kube-ipvs0", ipvs.ToIpvsadm(), StringComparison.Ordinal);
    }

    // ------------------------------------------------------------ topology hints

    [Fact]
    public void Trace_PreferCloseWithZoneHints_KubeProxyOnTheClientsNodeKeepsToItsZone()
    {
        var result = Trace("pod:shop/client", "10.96.0.42:80");

        Assert.True(result.Reachable, result.Reason);
        var e = Assert.Single(result.Endpoints);
        Assert.Equal("web-1", e.Pod!.Name);
        Assert.Contains("only endpoints hinted for zone zone-1", result.Steps.Single(s => s.Kind == TraceStepKind.ServiceChain).Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_OneEndpointWithoutAHint_KubeProxyIgnoresEveryHint()
    {
        var analysis = Load(o => o is EndpointSlice { Metadata.Name: "web-near-abc" } s
            ? s with { Endpoints = [s.Endpoints[0], s.Endpoints[1] with { ForZones = [] }] }
            : o);

        var result = Trace("pod:shop/client", "10.96.0.42:80", analysis);

        Assert.Equal(2, result.Endpoints.Length);
        Assert.Contains("topology hints are ignored: not every ready endpoint has a zone hint", result.Steps.Single(s => s.Kind == TraceStepKind.ServiceChain).Translation, StringComparison.Ordinal);
        var d = Assert.Single(analysis.Diagnostics, d => d.Code == Codes.TopologyHintsUnused);
        Assert.Contains("1 of 2 ready endpoints have no zone hint (web-2", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_NoEndpointHintedForTheClientsZone_FallsBackToEveryEndpoint()
    {
        var analysis = Load(o => o is EndpointSlice { Metadata.Name: "web-near-abc" } s
            ? s with { Endpoints = [.. s.Endpoints.Select(e => e with { ForZones = ["zone-2"] })] }
            : o);

        var result = Trace("pod:shop/client", "10.96.0.42:80", analysis);

        Assert.Equal(2, result.Endpoints.Length);
        Assert.Contains("no ready endpoint is hinted for zone zone-1", result.Steps.Single(s => s.Kind == TraceStepKind.ServiceChain).Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void KubeProxyRules_ZoneHints_TheNodesServiceChainHasOnlyItsZonesEndpoints()
    {
        var onA = KubeProxyFromAnalysis.Generate(Cluster, new ObjectKey("shop", "web-near"), "node-a", out _)!.ToIptablesSave();
        var onB = KubeProxyFromAnalysis.Generate(Cluster, new ObjectKey("shop", "web-near"), "node-b", out _)!.ToIptablesSave();

        Assert.Contains("--to-destination 10.244.1.5:8080", onA, StringComparison.Ordinal);
        Assert.DoesNotContain("10.244.2.7", onA, StringComparison.Ordinal);
        Assert.Contains("--to-destination 10.244.2.7:8080", onB, StringComparison.Ordinal);
        Assert.DoesNotContain("10.244.1.5", onB, StringComparison.Ordinal);
    }

    [Fact]
    public void Predicted_PreferClose_HintsAsTheEndpointSliceControllerWritesThem()
    {
        var near = Cluster.Snapshot.Services[new ObjectKey("shop", "web-near")];
        var analysis = ClusterAnalyzer.Analyze(ClusterSnapshot.From(Cluster.Snapshot.Pods.Values.Cast<IKubeObject>().Concat(Cluster.Snapshot.Nodes.Values).Append(near)));

        var endpoints = EndpointsOf(analysis, "clusterip:shop/web-near:80/TCP");

        Assert.Equal([["zone-1"], ["zone-2"]], endpoints.Select(e => e.ForZones.ToArray()));
        Assert.DoesNotContain(analysis.Diagnostics, d => d.Code == Codes.TopologyHintsUnused);
    }

    [Fact]
    public void Predicted_PreferSameNode_HintsTheEndpointsOwnNodeAndZone()
    {
        var near = Cluster.Snapshot.Services[new ObjectKey("shop", "web-near")] with { TrafficDistribution = TrafficDistributions.PreferSameNode };
        var analysis = ClusterAnalyzer.Analyze(ClusterSnapshot.From(Cluster.Snapshot.Pods.Values.Cast<IKubeObject>().Concat(Cluster.Snapshot.Nodes.Values).Append(near)));

        var result = Trace("pod:shop/client", "10.96.0.42:80", analysis);

        Assert.Equal("web-1", Assert.Single(result.Endpoints).Pod!.Name);
        Assert.Contains("only endpoints hinted for node node-a (trafficDistribution PreferSameNode)", result.Steps.Single(s => s.Kind == TraceStepKind.ServiceChain).Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Diagnostics_PreferCloseOnNodesWithoutZones_PM014SaysTheFieldHasNoEffect()
    {
        var analysis = Load(o => o is Node n ? n with { Metadata = n.Metadata with { Labels = n.Metadata.Labels.Remove("topology.kubernetes.io/zone") } } : o);

        var d = Assert.Single(analysis.Diagnostics, d => d.Code == Codes.TopologyHintsUnused);
        Assert.Equal("web-near", d.Object.Name);
        Assert.Contains("none of the 2 nodes carries the label topology.kubernetes.io/zone", d.Message, StringComparison.Ordinal);
    }
}
