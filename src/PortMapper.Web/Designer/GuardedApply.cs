using System.Collections.Immutable;
using System.Security.Claims;
using System.Text.Json.Nodes;
using PortMapper.Core.Cluster;
using PortMapper.Core.Validation;
using PortMapper.Web.Security;

namespace PortMapper.Web.Designer;

/// <summary>The guard's answer and, when it allowed the call, the cluster's answer per object.</summary>
public sealed record GuardedApplyResult(ApplyDecision Decision, ImmutableArray<ApplyObjectResult> Results)
{
    public bool Refused => !Decision.Allowed;
}

/// <summary>
/// Every apply and dry run goes through here, from the designer and from the API alike: the apply guard is asked
/// first, the cluster is called, and the guard is told what happened. A cluster that cannot be reached answers for
/// each object instead of throwing, so the person sees which objects were not applied and why.
/// </summary>
public static class GuardedApply
{
    public static async Task<GuardedApplyResult> RunAsync(
        IApplyGuard guard, IClusterSource source, ClaimsPrincipal user, IReadOnlyList<JsonObject> objects, ApplyOptions options, CancellationToken cancellationToken)
    {
        var decision = guard.Check(user, options.DryRun);
        if (!decision.Allowed)
        {
            return new GuardedApplyResult(decision, []);
        }

        ImmutableArray<ApplyObjectResult> results;
        try
        {
            results = await source.ApplyAsync(objects, options, cancellationToken);
        }
        catch (Exception e) when (e is HttpRequestException or IOException or TimeoutException || (e is TaskCanceledException && !cancellationToken.IsCancellationRequested))
        {
            var message = $"the cluster could not be reached, so nothing was {(options.DryRun ? "checked" : "applied")}: {e.Message}. Check the connection (see the status in the header) and try again.";
            results = [.. objects.Select(o => new ApplyObjectResult(ManifestValidator.Describe(o), ApplyOutcome.Error, null, message))];
        }

        guard.Audit(user, results, options.DryRun);
        return new GuardedApplyResult(decision, results);
    }
}
