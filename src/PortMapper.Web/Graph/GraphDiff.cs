using System.Collections.Immutable;

namespace PortMapper.Web.Graph;

/// <summary>
/// What changed between two models, element by element (by id): the browser applies it in one batch instead of
/// redrawing, so what is on screen keeps its place and only the difference moves.
/// </summary>
public sealed record GraphDiff
{
    public ImmutableArray<GraphNode> AddNodes { get; init; } = [];

    public ImmutableArray<GraphNode> ChangeNodes { get; init; } = [];

    public ImmutableArray<string> RemoveNodes { get; init; } = [];

    public ImmutableArray<GraphEdge> AddEdges { get; init; } = [];

    public ImmutableArray<GraphEdge> ChangeEdges { get; init; } = [];

    public ImmutableArray<string> RemoveEdges { get; init; } = [];

    public bool IsEmpty => AddNodes.IsEmpty && ChangeNodes.IsEmpty && RemoveNodes.IsEmpty && AddEdges.IsEmpty && ChangeEdges.IsEmpty && RemoveEdges.IsEmpty;

    /// <summary>Elements come or go (not only labels, states or positions change).</summary>
    public bool Structural => !AddNodes.IsEmpty || !RemoveNodes.IsEmpty || !AddEdges.IsEmpty || !RemoveEdges.IsEmpty;

    public static GraphDiff Between(GraphModel? before, GraphModel after)
    {
        ArgumentNullException.ThrowIfNull(after);
        before ??= GraphModel.Empty;
        var oldEdges = before.Edges.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var newNodeIds = after.Nodes.Select(n => n.Id).ToHashSet(StringComparer.Ordinal);
        var newEdgeIds = after.Edges.Select(e => e.Id).ToHashSet(StringComparer.Ordinal);

        var addNodes = ImmutableArray.CreateBuilder<GraphNode>();
        var changeNodes = ImmutableArray.CreateBuilder<GraphNode>();
        foreach (var n in after.Nodes)
        {
            if (before.FindNode(n.Id) is not { } old)
            {
                addNodes.Add(n);
            }
            else if (!old.SameAs(n))
            {
                changeNodes.Add(n);
            }
        }

        var addEdges = ImmutableArray.CreateBuilder<GraphEdge>();
        var changeEdges = ImmutableArray.CreateBuilder<GraphEdge>();
        foreach (var e in after.Edges)
        {
            if (!oldEdges.TryGetValue(e.Id, out var old))
            {
                addEdges.Add(e);
            }
            else if (!old.SameAs(e))
            {
                changeEdges.Add(e);
            }
        }

        return new GraphDiff
        {
            AddNodes = addNodes.ToImmutable(),
            ChangeNodes = changeNodes.ToImmutable(),
            RemoveNodes = [.. before.Nodes.Where(n => !newNodeIds.Contains(n.Id)).Select(n => n.Id)],
            AddEdges = addEdges.ToImmutable(),
            ChangeEdges = changeEdges.ToImmutable(),
            RemoveEdges = [.. before.Edges.Where(e => !newEdgeIds.Contains(e.Id)).Select(e => e.Id)],
        };
    }
}
