using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Core.KubeProxy;
using PortMapper.Core.Model;
using PortMapper.Core.Trace;

namespace PortMapper.Core.Tests.KubeProxy;

/// <summary>In nftables mode the trace names the chains and maps the nftables proxier writes, not iptables' KUBE-*.</summary>
public class NftablesTraceNamesTests
{
    private static readonly ClusterAnalysis Demo = ClusterAnalyzer.Analyze(DemoCluster.CreateDefault().Snapshot);

    private static TraceResult Trace(string from, string to, ProxyMode mode)
    {
        Assert.True(TraceSource.TryParse(from, Demo.Snapshot, out var source, out var sourceError), sourceError);
        Assert.True(TraceTarget.TryParse(to, out var target, out var targetError), targetError);
        return Tracer.Trace(Demo, source, target, mode: mode);
    }

    [Fact]
    public void Trace_NodePortInNftablesMode_NamesTheChainsTheRuleSetHas()
    {
        var node = Demo.Snapshot.Nodes["node-b"];
        var rules = KubeProxyFromAnalysis.GenerateNftables(Demo, new ObjectKey("default", "nginx-service"), "node-b", out var error);
        Assert.NotNull(rules);
        Assert.Null(error);

        var result = Trace("external", $"{node.PrimaryAddress}:30001", ProxyMode.Nftables);

        Assert.True(result.Reachable, result.Reason);
        var chains = result.Steps.Select(s => s.Chain).OfType<string>().ToList();
        Assert.Equal(NftablesNames.ServiceNodePorts, result.Steps.Single(s => s.Kind == TraceStepKind.NodePort).Chain);
        var perService = chains.Where(c => c.StartsWith("external-", StringComparison.Ordinal) || c.StartsWith("service-", StringComparison.Ordinal) && c != NftablesNames.ServiceNodePorts || c.StartsWith("endpoint-", StringComparison.Ordinal)).ToList();
        Assert.Contains(perService, c => c.StartsWith("external-", StringComparison.Ordinal));
        Assert.Contains(perService, c => c.StartsWith("endpoint-", StringComparison.Ordinal));
        // Every per-Service chain the trace names is one the nftables rule set for that node declares.
        Assert.All(perService, c => Assert.Contains(c, rules.ServiceChains));
        Assert.DoesNotContain(chains, c => c.StartsWith("KUBE-", StringComparison.Ordinal));
        Assert.Contains(result.Steps, s => s.Translation.Contains("from services to service-nodeports", StringComparison.Ordinal));
    }

    [Fact]
    public void Trace_ClusterIpInIptablesMode_StillNamesKubeServices()
    {
        var result = Trace("pod:default/nginx", "nginx-service.default:30080", ProxyMode.Iptables);

        Assert.Equal(KubeProxyChains.Services, result.Steps.Single(s => s.Kind == TraceStepKind.ClusterIp).Chain);
        Assert.Contains(result.Steps, s => s.Chain?.StartsWith(KubeProxyChains.ServicePrefix, StringComparison.Ordinal) == true);
    }

    [Fact]
    public void Trace_ClusterIpInNftablesMode_NamesTheServicesChainAndTheServiceChain()
    {
        var result = Trace("pod:default/nginx", "nginx-service.default:30080", ProxyMode.Nftables);
        var rules = KubeProxyFromAnalysis.GenerateNftables(Demo, new ObjectKey("default", "nginx-service"), null, out _)!;

        Assert.Equal(NftablesNames.Services, result.Steps.Single(s => s.Kind == TraceStepKind.ClusterIp).Chain);
        var serviceChain = result.Steps.Single(s => s.Kind == TraceStepKind.ServiceChain).Chain;
        Assert.StartsWith("service-", serviceChain, StringComparison.Ordinal);
        Assert.Contains(serviceChain!, rules.ServiceChains);
        Assert.EndsWith("-default/nginx-service/tcp/", serviceChain, StringComparison.Ordinal);
    }
}
