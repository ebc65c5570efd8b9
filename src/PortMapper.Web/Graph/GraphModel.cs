using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Serialization;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Web.Graph;

/// <summary>Writes enums in camelCase ("broken", "services"), as the rest of the JSON API does.</summary>
public sealed class CamelCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.CamelCase)
    where TEnum : struct, Enum;

/// <summary>The columns of the graph, left to right: where a request starts, how it enters, which Service, which pod.</summary>
public enum GraphColumn
{
    /// <summary>External and in-cluster clients.</summary>
    Clients = 0,

    /// <summary>Entry points in front of the nodes: LoadBalancer addresses, Ingress host+path rules, Gateway listeners and route rules.</summary>
    Front = 1,

    /// <summary>Entry points on the nodes: nodePorts, hostPorts, hostNetwork pods, externalIPs.</summary>
    Nodes = 2,

    /// <summary>Services: clusterIP:port, or the DNS name of a headless or ExternalName Service.</summary>
    Services = 3,

    /// <summary>Where traffic lands: pods (podIP:targetPort), CNAME targets, Ingress resource backends.</summary>
    Backends = 4,
}

/// <summary>The element kinds, as the browser and /api/graph name them.</summary>
public static class GraphKinds
{
    public const string Client = "client";
    public const string LoadBalancer = "loadBalancer";
    public const string Ingress = "ingress";

    /// <summary>A Gateway listener and the route rule that takes the request (one per path, like an Ingress rule).</summary>
    public const string Gateway = "gateway";
    public const string NodePort = "nodePort";
    public const string Node = "node";
    public const string ExternalIp = "externalIP";
    public const string HostPort = "hostPort";
    public const string HostNetwork = "hostNetwork";
    public const string Service = "service";
    public const string Dns = "dns";
    public const string Pods = "pods";
    public const string Pod = "pod";
    public const string ExternalName = "externalName";
    public const string Backend = "backend";
    public const string Namespace = "namespace";

    /// <summary>A NetworkPolicy: not drawn, but shown in the side panel (id <c>policy:ns/name</c>).</summary>
    public const string Policy = "policy";
}

/// <summary>A finding shown on an element: on hover and in the side panel.</summary>
public sealed record GraphProblem(string Code, string Severity, string Message, string Fix);

/// <summary>One box on the graph. Positions are computed on the server (columns and rows), never by a layout in the browser.</summary>
public sealed record GraphNode
{
    public required string Id { get; init; }

    public required string Kind { get; init; }

    /// <summary>What the box shows: short lines separated by '\n', truncated; prefixed with ✕ or ⚠ when broken or degraded.</summary>
    public required string Label { get; init; }

    /// <summary>The same, untruncated, for the tooltip.</summary>
    public required string Title { get; init; }

    [JsonConverter(typeof(CamelCaseEnumConverter<GraphColumn>))]
    public GraphColumn Column { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Namespace { get; init; }

    /// <summary>The centre of the element.</summary>
    public double X { get; init; }

    public double Y { get; init; }

    /// <summary>For a namespace band (an expanded namespace): its size; the band is drawn behind its elements.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Width { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Height { get; init; }

    [JsonConverter(typeof(CamelCaseEnumConverter<PathStatus>))]
    public PathStatus Status { get; init; }

    public ImmutableArray<GraphProblem> Problems { get; init; } = [];

    /// <summary>Ids of the /api/paths paths that pass through this element.</summary>
    public ImmutableArray<string> Paths { get; init; } = [];

    /// <summary>The Kubernetes object behind the element (Service, Pod, Ingress), for its YAML.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ObjectRef? Object { get; init; }

    /// <summary>For a group: how many members it stands for (pods, nodes, Services).</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Count { get; init; }

    /// <summary>A click expands it (a pods group, a nodePort's nodes, a collapsed namespace).</summary>
    public bool Expandable { get; init; }

    /// <summary>For a member of an expanded group: the id of the group it was expanded from.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Group { get; init; }

    /// <summary>"added", "removed" or "changed" while a designer preview is shown.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Preview { get; init; }

    /// <summary>The element matches the search text.</summary>
    public bool Match { get; init; }

    /// <summary>Value equality over every field, lists included (records compare ImmutableArray by reference).</summary>
    public bool SameAs(GraphNode other) =>
        this with { Problems = [], Paths = [] } == other with { Problems = [], Paths = [] }
        && Problems.SequenceEqual(other.Problems)
        && Paths.SequenceEqual(other.Paths, StringComparer.Ordinal);
}

/// <summary>One arrow: traffic from one element to the next, labelled with the port it is sent to.</summary>
public sealed record GraphEdge
{
    public required string Id { get; init; }

    public required string Source { get; init; }

    public required string Target { get; init; }

    /// <summary>The destination port of the traffic on this arrow, e.g. ":30080".</summary>
    public required string Label { get; init; }

    [JsonConverter(typeof(CamelCaseEnumConverter<PathStatus>))]
    public PathStatus Status { get; init; }

    /// <summary>Ids of the /api/paths paths this arrow belongs to.</summary>
    public ImmutableArray<string> Paths { get; init; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Preview { get; init; }

    public bool SameAs(GraphEdge other) =>
        this with { Paths = [] } == other with { Paths = [] } && Paths.SequenceEqual(other.Paths, StringComparer.Ordinal);

    public static string IdFor(string source, string target) => $"{source}->{target}";
}

/// <summary>One step of a path on the graph: the hop and the element(s) that show it.</summary>
public sealed record GraphPathStep(HopKind? Hop, ImmutableArray<string> Elements);

/// <summary>
/// The order in which Service groups were first seen, so that a group added later goes to the end of its namespace
/// and what is already on screen does not move. Kept per view and handed back to the next build.
/// </summary>
public sealed record GraphOrder
{
    public static GraphOrder Empty { get; } = new();

    /// <summary>Never changed once built: the builder makes a new one when a group comes or goes.</summary>
    public IReadOnlyDictionary<string, long> Seen { get; init; } = new Dictionary<string, long>(StringComparer.Ordinal);

    public long Next { get; init; }
}

/// <summary>What the graph shows of a cluster: filters and the groups the user expanded or collapsed.</summary>
public sealed record GraphView
{
    public static GraphView Default { get; } = new();

    /// <summary>Only these namespaces; empty means all.</summary>
    public ImmutableHashSet<string> Namespaces { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Only paths with one of these exposures; empty means all.</summary>
    public ImmutableHashSet<Exposure> Exposures { get; init; } = [];

    /// <summary>Names, IPs or ports to look for; blank means no search.</summary>
    public string Search { get; init; } = "";

    /// <summary>Ids of pods groups ("pods:...") and nodePort elements ("nodeport:...") shown member by member.</summary>
    public ImmutableHashSet<string> Expanded { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Namespaces shown in full although the view collapses namespaces by default.</summary>
    public ImmutableHashSet<string> ExpandedNamespaces { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Namespaces shown as one box although the view shows namespaces in full by default.</summary>
    public ImmutableHashSet<string> CollapsedNamespaces { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Above this many Service ports in view (and more than one namespace), namespaces start collapsed.</summary>
    public int CollapseNamespacesAbove { get; init; } = 150;

    /// <summary>A designer what-if to overlay, or null.</summary>
    public GraphPreview? Preview { get; init; }

    public bool IsFiltered => !Namespaces.IsEmpty || !Exposures.IsEmpty || !string.IsNullOrWhiteSpace(Search);
}

/// <summary>
/// A designer preview: the graph is built from the what-if analysis; the paths it removes come from the live one
/// and are drawn faded.
/// </summary>
public sealed record GraphPreview(
    ImmutableArray<TrafficPath> RemovedPaths,
    ImmutableHashSet<string> Added,
    ImmutableHashSet<string> Removed,
    ImmutableHashSet<string> Changed);

/// <summary>The elements of one view, positioned, plus what the UI needs to find its way around them.</summary>
public sealed record GraphModel
{
    public static GraphModel Empty { get; } = new();

    public ImmutableArray<GraphNode> Nodes { get; init; } = [];

    public ImmutableArray<GraphEdge> Edges { get; init; } = [];

    /// <summary>Namespaces shown as one box.</summary>
    public ImmutableHashSet<string> CollapsedNamespaces { get; init; } = ImmutableHashSet.Create<string>(StringComparer.Ordinal);

    /// <summary>Paths in view (after filters).</summary>
    public int PathCount { get; init; }

    /// <summary>Paths the filters hide.</summary>
    public int HiddenPathCount { get; init; }

    /// <summary>For each path in view: its steps left to right (a path of a collapsed namespace has one step, the namespace).</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, ImmutableArray<GraphPathStep>> PathSteps { get; init; } = new Dictionary<string, ImmutableArray<GraphPathStep>>(StringComparer.Ordinal);

    [JsonIgnore]
    public GraphOrder Order { get; init; } = GraphOrder.Empty;

    /// <summary>The nodes by id; the builder fills it with <see cref="Nodes"/>.</summary>
    [JsonIgnore]
    public IReadOnlyDictionary<string, GraphNode> NodesById { get; init; } = new Dictionary<string, GraphNode>(StringComparer.Ordinal);

    public GraphNode? FindNode(string id) => NodesById.GetValueOrDefault(id);

    /// <summary>The element that shows <paramref name="hop"/> of path <paramref name="pathId"/> (or the nearest one), if the path is in view.</summary>
    public string? ElementFor(string pathId, HopKind? hop)
    {
        if (!PathSteps.TryGetValue(pathId, out var steps) || steps.IsEmpty)
        {
            return null;
        }

        var step = (hop is null ? null : steps.FirstOrDefault(s => s.Hop == hop))
            ?? steps.LastOrDefault(s => s.Hop is HopKind.ClusterIp or HopKind.Dns)
            ?? steps[^1];
        return step.Elements.IsDefaultOrEmpty ? null : step.Elements[0];
    }
}
