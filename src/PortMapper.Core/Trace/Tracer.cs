using System.Runtime.CompilerServices;
using PortMapper.Core.Analysis;
using PortMapper.Core.KubeProxy;

namespace PortMapper.Core.Trace;

/// <summary>
/// Names one of kube-proxy's per-Service-port chains: <paramref name="prefix"/> is "KUBE-SVC-", "KUBE-SVL-", "KUBE-EXT-",
/// "KUBE-FW-" or "KUBE-SEP-"; <paramref name="protocol"/> is as Kubernetes spells it ("TCP"); <paramref name="endpoint"/>
/// is "IP:port" for KUBE-SEP- and null otherwise.
/// </summary>
public delegate string ChainNamer(string prefix, string servicePortName, string protocol, string? endpoint);

/// <summary>Follows one request from a source to a target through the paths of an analysis.</summary>
public static class Tracer
{
    private static readonly ConditionalWeakTable<ClusterAnalysis, TraceIndex> Indexes = [];

    /// <param name="analysis">The analysed cluster; its look-up index is built on the first trace and reused.</param>
    /// <param name="from">Where the request starts.</param>
    /// <param name="to">What it is sent to.</param>
    /// <param name="chainNames">Names kube-proxy chains; kube-proxy's own hashing (of <paramref name="mode"/>) when null.</param>
    /// <param name="mode">The kube-proxy mode whose chains the steps name: iptables (KUBE-SVC-…) or nftables (service-…).</param>
    public static TraceResult Trace(ClusterAnalysis analysis, TraceSource from, TraceTarget to, ChainNamer? chainNames = null, ProxyMode mode = ProxyMode.Iptables)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(from);
        ArgumentNullException.ThrowIfNull(to);
        var index = Indexes.GetValue(analysis, a => new TraceIndex(a));
        return mode == ProxyMode.Nftables
            ? new TraceRun(index, from, chainNames ?? TraceChainNames.NftName, TraceChainNames.Nftables).Run(to)
            : new TraceRun(index, from, chainNames ?? ChainNames.Name).Run(to);
    }
}
