using System.Collections.Immutable;
using System.Globalization;
using PortMapper.Core.Analysis;

namespace PortMapper.Web.Graph;

/// <summary>Trace targets to offer: examples from the cluster at hand, and the address a graph element stands for.</summary>
public static class TraceSuggestions
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Up to four targets that exist in this cluster: a nodePort, a Service name, a load balancer, an Ingress URL.</summary>
    public static ImmutableArray<string> Examples(ClusterAnalysis analysis)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        var ok = analysis.Paths.Where(p => p.Status != PathStatus.Broken).ToList();
        var examples = new List<string?>
        {
            ok.Where(p => p.Exposure == Exposure.NodePort).Select(p => p.Hops.First(h => h.Kind == HopKind.NodePort)).Where(h => h.Port is not null && !h.Addresses.IsDefaultOrEmpty)
                .Select(h => $"{h.Addresses[0]}:{h.Port!.Value.ToString(Inv)}").FirstOrDefault(),
            ok.Where(p => p.Exposure == Exposure.ClusterIP && p.Service is not null).Select(p => (p.Service!, p.Hops.First(h => h.Kind == HopKind.ClusterIp).Port))
                .Where(x => x.Port is not null).Select(x => $"{x.Item1.Name}.{x.Item1.Namespace}:{x.Port!.Value.ToString(Inv)}").FirstOrDefault(),
            ok.Where(p => p.Exposure == Exposure.LoadBalancer).Select(p => p.Hops.First(h => h.Kind == HopKind.LoadBalancer)).Where(h => h.Port is not null && !h.Addresses.IsDefaultOrEmpty)
                .Select(h => $"{h.Addresses[0]}:{h.Port!.Value.ToString(Inv)}").FirstOrDefault(),
            ok.Where(p => p.Exposure == Exposure.Ingress).Select(p => p.Hops.First(h => h.Kind == HopKind.Ingress)).Where(h => h.Name is not null && !h.Name.StartsWith('*'))
                .Select(h => $"{(h.Tls ? "https" : "http")}://{h.Name}").FirstOrDefault(),
        };
        return [.. examples.OfType<string>()];
    }

    /// <summary>What to send a request to in order to reach <paramref name="node"/>; null for elements that are not addresses.</summary>
    public static string? TargetFor(ClusterAnalysis analysis, GraphNode node)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(node);
        var path = node.Paths.Select(analysis.FindPath).OfType<TrafficPath>()
            .OrderBy(p => p.Exposure == Exposure.Ingress ? 1 : 0)
            .FirstOrDefault();
        if (path is null)
        {
            return null;
        }

        Hop? Hop(HopKind kind) => path.Hops.FirstOrDefault(h => h.Kind == kind);
        string? At(Hop? h, int index = 0) => h?.Port is { } port && h.Addresses.Length > index && !h.Addresses[index].StartsWith('(')
            ? $"{h.Addresses[index]}:{port.ToString(Inv)}"
            : null;

        switch (node.Kind)
        {
            case GraphKinds.Service:
            case GraphKinds.Pods:
                return At(Hop(HopKind.ClusterIp)) ?? (path.Service is { } s && Hop(HopKind.ClusterIp)?.Port is { } p ? $"{s.Name}.{s.Namespace}:{p.ToString(Inv)}" : null);
            case GraphKinds.Dns:
                var endpoints = Hop(HopKind.Endpoints);
                return path.Service is { } svc ? $"{svc.Name}.{svc.Namespace}:{(endpoints?.Port ?? 80).ToString(Inv)}" : null;
            case GraphKinds.NodePort:
                return At(Hop(HopKind.NodePort));
            case GraphKinds.Node:
                var hop = Hop(HopKind.NodePort);
                var name = node.Id[(node.Id.IndexOf('@', StringComparison.Ordinal) + 1)..];
                return At(hop, hop?.Nodes.IndexOf(name) ?? -1);
            case GraphKinds.LoadBalancer:
                return At(Hop(HopKind.LoadBalancer));
            case GraphKinds.ExternalIp:
                return At(Hop(HopKind.ExternalIp));
            case GraphKinds.HostPort:
                return At(Hop(HopKind.HostPort));
            case GraphKinds.HostNetwork:
                return At(Hop(HopKind.HostNetwork));
            case GraphKinds.Ingress:
                var ingress = Hop(HopKind.Ingress);
                return ingress?.Name is { } rule && !rule.StartsWith('*') && !rule.Contains(' ', StringComparison.Ordinal) ? $"{(ingress.Tls ? "https" : "http")}://{rule}" : null;
            case GraphKinds.Pod:
                var colon = node.Id.LastIndexOf(':');
                var target = path.Hops.SelectMany(h => h.Endpoints).FirstOrDefault(e => node.Object is not null && e.Pod == node.Object);
                return target?.Ip is { } ip && colon > 0 ? $"{ip}:{node.Id[(colon + 1)..].Split('/')[0]}" : null;
            default:
                return null;
        }
    }
}
