using System.Collections.Immutable;
using System.Globalization;
using PortMapper.Core.Analysis;

namespace PortMapper.Web.Graph;

/// <summary>Trace targets to offer: examples from the cluster at hand, and the address a graph element stands for.</summary>
public static class TraceSuggestions
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Targets that exist in this cluster: a nodePort, a Service name, a load balancer, an Ingress URL, a Gateway URL, an IPv6 cluster IP.</summary>
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
            ok.Where(p => p.Exposure == Exposure.Gateway).Select(p => GatewayUrl(p.Hops.First(h => h.Kind == HopKind.Gateway))).FirstOrDefault(u => u is not null),
            // On a dual-stack cluster, an IPv6 cluster IP: each family has its own rules and endpoints.
            ok.Where(p => p.Exposure == Exposure.ClusterIP).Select(p => p.Hops.First(h => h.Kind == HopKind.ClusterIp))
                .Where(h => h.Port is not null && h.Addresses.Any(a => a.Contains(':', StringComparison.Ordinal)))
                .Select(h => HostPort(h.Addresses.First(a => a.Contains(':', StringComparison.Ordinal)), h.Port!.Value)).FirstOrDefault(),
        };
        return [.. examples.OfType<string>()];
    }

    /// <summary>What to send a request to in order to reach <paramref name="node"/>; null for elements that are not addresses.</summary>
    public static string? TargetFor(ClusterAnalysis analysis, GraphNode node) => TargetsFor(analysis, node).FirstOrDefault();

    /// <summary>
    /// The addresses that reach <paramref name="node"/>: one per address family for a dual-stack Service, node or pod
    /// (IPv4 first, as the objects list them), else one; empty for elements that are not addresses.
    /// </summary>
    public static ImmutableArray<string> TargetsFor(ClusterAnalysis analysis, GraphNode node)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(node);
        var first = Target(analysis, node, 0);
        if (first is null)
        {
            return [];
        }

        return Target(analysis, node, 1) is { } second && second != first ? [first, second] : [first];
    }

    private static string HostPort(string address, int port) =>
        address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{port.ToString(Inv)}" : $"{address}:{port.ToString(Inv)}";

    /// <param name="family">0 for the first address, 1 for the other family's (a dual-stack element's second address).</param>
    private static string? Target(ClusterAnalysis analysis, GraphNode node, int family)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        ArgumentNullException.ThrowIfNull(node);
        var path = node.Paths.Select(analysis.FindPath).OfType<TrafficPath>()
            .OrderBy(p => p.Exposure is Exposure.Ingress or Exposure.Gateway ? 1 : 0)
            .FirstOrDefault();
        if (path is null)
        {
            return null;
        }

        if (family == 1 && !(path.Service is { } owner && analysis.Snapshot.Services.TryGetValue(new Core.Model.ObjectKey(owner.Namespace, owner.Name), out var owning) && owning.IsDualStack))
        {
            // Only a dual-stack Service answers on its other family's addresses.
            return null;
        }

        Hop? Hop(HopKind kind) => path.Hops.FirstOrDefault(h => h.Kind == kind);
        string? At(Hop? h, int index = 0)
        {
            if (h?.Port is not { } port || index < 0)
            {
                return null;
            }

            // A hop lists one address per node (node ports) or per family (cluster IPs, load balancers).
            var perNode = h.Kind == HopKind.NodePort;
            if (family == 1 && perNode)
            {
                return NodeAddress6(analysis, h.Nodes.Length > index ? h.Nodes[index] : null) is { } v6 ? HostPort(v6, port) : null;
            }

            var i = perNode ? index : index + family;
            return h.Addresses.Length > i && !h.Addresses[i].StartsWith('(') ? HostPort(h.Addresses[i], port) : null;
        }

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
            case GraphKinds.Gateway:
                return Hop(HopKind.Gateway) is { } gw ? GatewayUrl(gw) : null;
            case GraphKinds.Pod:
                var colon = node.Id.LastIndexOf(':');
                var target = path.Hops.SelectMany(h => h.Endpoints).FirstOrDefault(e => node.Object is not null && e.Pod == node.Object);
                var podIp = family == 0 ? target?.Ip : target is { Ips.Length: > 1 } t ? t.Ips[1] : null;
                return podIp is { } ip && colon > 0 && int.TryParse(node.Id[(colon + 1)..].Split('/')[0], NumberStyles.None, Inv, out var podPort) ? HostPort(ip, podPort) : null;
            default:
                return null;
        }
    }

    /// <summary>The URL of a Gateway hop ("https://shop.example.com/api"), with the listener's port when it is not the scheme's; null for a wildcard or any host.</summary>
    private static string? GatewayUrl(Hop h)
    {
        if (h.Name is not { } name || name.StartsWith('*') || name.Contains('~', StringComparison.Ordinal) || name.Contains("://", StringComparison.Ordinal))
        {
            return null;
        }

        var slash = name.IndexOf('/', StringComparison.Ordinal);
        var (host, path) = slash < 0 ? (name, "/") : (name[..slash], name[slash..]);
        var port = h.Port is { } p && p != (h.Tls ? 443 : 80) ? ":" + p.ToString(Inv) : "";
        return $"{(h.Tls ? "https" : "http")}://{host}{port}{path}";
    }

    private static string? NodeAddress6(ClusterAnalysis analysis, string? node) =>
        node is not null && analysis.Snapshot.Nodes.TryGetValue(node, out var n)
            ? n.Addresses.FirstOrDefault(a => a.Type == "InternalIP" && a.Address.Contains(':', StringComparison.Ordinal))?.Address
            : null;
}
