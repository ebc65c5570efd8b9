using Microsoft.AspNetCore.Http.HttpResults;
using PortMapper.Core.Cluster;

namespace PortMapper.Web.Hosting;

/// <summary>Why the app is (not) ready, as /readyz answers it.</summary>
public sealed record Readiness(bool Ready, string Source, string Connection, string? Reason);

/// <summary>/healthz (the process answers) and /readyz (it has a cluster picture worth showing) for probes.</summary>
public static class HealthEndpoints
{
    public static IEndpointRouteBuilder MapPortMapperHealth(this IEndpointRouteBuilder app)
    {
        app.MapGet("/healthz", () => TypedResults.Text("ok", "text/plain; charset=utf-8"));
        app.MapGet("/readyz", GetReadiness);
        return app;
    }

    /// <summary>The demo and manifest sources are always ready; a live cluster once its connection is live.</summary>
    public static Readiness Of(ClusterSourceInfo source, ConnectionState state)
    {
        if (source.Kind is ClusterSourceKind.Demo or ClusterSourceKind.Manifests)
        {
            return new Readiness(true, source.KindName, state.StatusName, null);
        }

        var server = source.Server is null ? "the API server" : $"the API server at {source.Server}";
        var reason = state.Status switch
        {
            ConnectionStatus.Live => null,
            ConnectionStatus.Connecting => $"Connecting to {server}; ready once every resource has been listed.",
            ConnectionStatus.Reconnecting => $"Lost the connection to {server} and reconnecting: {state.LastError ?? "no error given"}.",
            _ => $"Cannot reach the cluster through {server}: {state.LastError ?? "no error given"}. Check the kubeconfig or the pod's service account and its RBAC (deploy/).",
        };
        return new Readiness(reason is null, source.KindName, state.StatusName, reason);
    }

    private static Results<Ok<Readiness>, JsonHttpResult<Readiness>> GetReadiness(LiveAnalysis live)
    {
        var readiness = Of(live.Source.Info, live.Source.State);
        return readiness.Ready
            ? TypedResults.Ok(readiness)
            : TypedResults.Json(readiness, statusCode: StatusCodes.Status503ServiceUnavailable);
    }
}
