using System.Collections.Immutable;
using System.Net;

namespace PortMapper.Core.KubeProxy;

/// <summary>One endpoint of one Service port, normalised the way kube-proxy's endpoint cache holds it.</summary>
/// <param name="HostPort">"IP:port" ("[IPv6]:port"), as Go's net.JoinHostPort writes it.</param>
/// <param name="Local">Whether the endpoint runs on the node the rules are rendered for.</param>
internal sealed record ProxyEndpoint(string HostPort, IPAddress Ip, int Port, bool Local, bool Ready, bool Serving, bool Terminating)
{
    public ImmutableArray<string> ForZones { get; init; } = [];

    public ImmutableArray<string> ForNodes { get; init; } = [];

    /// <summary>Ready, or (kube-proxy's fallback) serving while terminating.</summary>
    public bool Usable => Ready || (Serving && Terminating);
}

/// <summary>
/// Endpoint selection shared by every kube-proxy mode: normalisation from pkg/proxy/endpointslicecache.go
/// and CategorizeEndpoints from pkg/proxy/topology.go.
/// </summary>
internal static class EndpointSelection
{
    /// <summary>
    /// The endpoints of <paramref name="port"/> of the given family: one per "IP:port" (a non-terminating one wins),
    /// sorted by that text. Invalid addresses are reported through <paramref name="note"/> and skipped.
    /// </summary>
    public static List<ProxyEndpoint> Normalize(KubeProxyInput input, Model.ServicePort port, bool v6, string servicePortName, Action<string> note)
    {
        var byHostPort = new Dictionary<string, ProxyEndpoint>(StringComparer.Ordinal);
        foreach (var e in input.EndpointsFor(port))
        {
            if (!IpText.TryNormalize(e.Ip, out var ip) || e.Port <= 0)
            {
                note($"{servicePortName}: endpoint \"{e.Ip}:{e.Port}\" is not a valid address and port; kube-proxy ignores it.");
                continue;
            }

            if (IpText.IsV6(ip) != v6)
            {
                continue;
            }

            var hostPort = IpText.JoinHostPort(ip, e.Port);
            var local = e.NodeName is { Length: > 0 } nodeName && nodeName == input.Node.Name;
            var ep = new ProxyEndpoint(hostPort, ip, e.Port, local, e.Ready, e.Serving, e.Terminating) { ForZones = e.ForZones, ForNodes = e.ForNodes };
            // A terminating pod whose IP was reused by a new pod must not win over the new one.
            if (!byHostPort.ContainsKey(hostPort) || !e.Terminating)
            {
                byHostPort[hostPort] = ep;
            }
        }

        return byHostPort.Values.OrderBy(e => e.HostPort, StringComparer.Ordinal).ToList();
    }

    /// <summary>
    /// CategorizeEndpoints: Ready endpoints (for Cluster policy only those the topology hints give this node), or
    /// serving-and-terminating ones when none is ready, separately for Cluster and Local policy. Reachable is every
    /// endpoint a chain is written for.
    /// </summary>
    public static (List<ProxyEndpoint> Cluster, List<ProxyEndpoint> Local, List<ProxyEndpoint> Reachable, bool HasAny) Categorize(
        List<ProxyEndpoint> all, bool usesCluster, bool usesLocal, KubeProxyNode? node = null)
    {
        List<ProxyEndpoint> cluster = [];
        var hasAny = false;
        if (usesCluster)
        {
            var mode = Topology.ModeFromHints(all, e => e.Ready, e => e.ForZones, e => e.ForNodes, node?.Name, node?.Zone);
            cluster = all.Where(e => e.Ready && Topology.Available(mode, e.ForZones, e.ForNodes, node?.Name, node?.Zone)).ToList();
            if (cluster.Count == 0)
            {
                cluster = all.Where(e => e.Serving && e.Terminating).ToList();
            }

            hasAny = cluster.Count > 0;
        }

        if (!usesLocal)
        {
            return (cluster, [], cluster, hasAny);
        }

        hasAny |= all.Any(e => e.Usable);
        var useServingTerminating = false;
        List<ProxyEndpoint> local;
        if (all.Any(e => e.Local && e.Ready))
        {
            local = all.Where(e => e.Local && e.Ready).ToList();
        }
        else
        {
            local = all.Where(e => e.Local && e.Serving && e.Terminating).ToList();
            useServingTerminating = local.Count > 0;
        }

        if (!usesCluster)
        {
            return (cluster, local, local, hasAny);
        }

        var reachable = useServingTerminating
            ? cluster.Concat(local).DistinctBy(e => e.HostPort).OrderBy(e => e.HostPort, StringComparer.Ordinal).ToList()
            : cluster;
        return (cluster, local, reachable, hasAny);
    }
}
