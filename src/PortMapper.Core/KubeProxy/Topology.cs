using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.KubeProxy;

/// <summary>
/// Topology-aware routing as kube-proxy applies it (pkg/proxy/topology.go): kube-proxy never reads
/// <c>spec.trafficDistribution</c> itself; it reads the hints the EndpointSlice controller writes from it.
/// </summary>
public static class Topology
{
    /// <summary>
    /// topologyModeFromHints: PreferSameNode when every ready endpoint has node hints and one names this node;
    /// else PreferSameZone when every ready endpoint has zone hints and one names this node's zone; else null
    /// (every endpoint is used, as without hints).
    /// </summary>
    public static string? ModeFromHints<T>(IEnumerable<T> endpoints, Func<T, bool> ready, Func<T, ImmutableArray<string>> zoneHints,
        Func<T, ImmutableArray<string>> nodeHints, string? nodeName, string? zone)
    {
        var allNode = true;
        var forNode = false;
        var allZone = true;
        var forZone = false;
        foreach (var e in endpoints)
        {
            if (!ready(e))
            {
                continue;
            }

            var nodes = nodeHints(e);
            if (nodes.IsDefaultOrEmpty)
            {
                allNode = false;
            }
            else if (nodeName is not null && nodes.Contains(nodeName))
            {
                forNode = true;
            }

            var zones = zoneHints(e);
            if (zones.IsDefaultOrEmpty)
            {
                allZone = false;
            }
            else if (zone is not null && zones.Contains(zone))
            {
                forZone = true;
            }
        }

        if (allNode && forNode)
        {
            return TrafficDistributions.PreferSameNode;
        }

        return allZone && forZone ? TrafficDistributions.PreferSameZone : null;
    }

    /// <summary>availableForTopology: whether an endpoint serves a node under <paramref name="mode"/>.</summary>
    public static bool Available(string? mode, ImmutableArray<string> zoneHints, ImmutableArray<string> nodeHints, string? nodeName, string? zone) => mode switch
    {
        null => true,
        TrafficDistributions.PreferSameNode => nodeName is not null && !nodeHints.IsDefaultOrEmpty && nodeHints.Contains(nodeName),
        TrafficDistributions.PreferSameZone => zone is not null && !zoneHints.IsDefaultOrEmpty && zoneHints.Contains(zone),
        _ => false,
    };

    /// <summary>
    /// The hints the EndpointSlice controller writes for <paramref name="trafficDistribution"/> (pkg/controller/endpointslice
    /// trafficdist): the endpoint's own zone for PreferClose/PreferSameZone, and also its own node for PreferSameNode;
    /// no zone hint for an endpoint whose zone is unknown.
    /// </summary>
    public static (ImmutableArray<string> Zones, ImmutableArray<string> Nodes) HintsFor(string? trafficDistribution, string? zone, string? nodeName)
    {
        ImmutableArray<string> zones = zone is { Length: > 0 } ? [zone] : [];
        return trafficDistribution switch
        {
            TrafficDistributions.PreferClose or TrafficDistributions.PreferSameZone => (zones, []),
            TrafficDistributions.PreferSameNode => (zones, nodeName is { Length: > 0 } ? [nodeName] : []),
            _ => ([], []),
        };
    }

    /// <summary>A sentence for a path or trace: what the hints do for a client on <paramref name="nodeName"/>.</summary>
    public static string Describe(string? mode, string? nodeName, string? zone) => mode switch
    {
        TrafficDistributions.PreferSameNode => $"topology hints: only endpoints hinted for node {nodeName} (trafficDistribution PreferSameNode)",
        TrafficDistributions.PreferSameZone => $"topology hints: only endpoints hinted for zone {zone} (trafficDistribution PreferSameZone/PreferClose)",
        _ => "",
    };
}
