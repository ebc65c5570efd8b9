using System.Collections.Immutable;
using Microsoft.AspNetCore.Http.HttpResults;
using PortMapper.Core.Cluster;
using PortMapper.Web.Graph;

namespace PortMapper.Web.Api;

/// <summary>The graph's elements as JSON (docs/api.md, "GET /api/graph"): what the dashboard draws, for scripts and tests.</summary>
public static class GraphEndpoints
{
    public sealed record ApiGraph(int Paths, ImmutableArray<GraphNode> Nodes, ImmutableArray<GraphEdge> Edges);

    internal static Results<Ok<ApiGraph>, ProblemHttpResult> GetGraph(LiveAnalysis live, string? @namespace)
    {
        var analysis = live.Current.Analysis;
        if (ApiEndpoints.CheckNamespace(analysis, @namespace) is { } problem)
        {
            return problem;
        }

        var view = @namespace is null ? GraphView.Default : GraphView.Default with { Namespaces = [@namespace] };
        var model = GraphBuilder.Build(analysis, view);
        return TypedResults.Ok(new ApiGraph(model.PathCount, model.Nodes, model.Edges));
    }
}
