using System.Collections.Immutable;
using System.Security.Claims;
using PortMapper.Core.Cluster;

namespace PortMapper.Web.Security;

/// <summary>Whether a user may apply (or dry-run) objects to the cluster, and why not.</summary>
public sealed record ApplyDecision(bool Allowed, string? Reason)
{
    public static ApplyDecision Allow { get; } = new(true, null);
}

/// <summary>
/// The one place that decides who may write to the cluster and records every attempt. Every apply and dry run —
/// from the designer, the API or anywhere else — asks it first and reports the outcome to it afterwards.
/// </summary>
public interface IApplyGuard
{
    ApplyDecision Check(ClaimsPrincipal user, bool dryRun);

    void Audit(ClaimsPrincipal user, IReadOnlyList<ApplyObjectResult> results, bool dryRun);
}

/// <summary>The default rule: the demo and manifest sandboxes accept applies; a real cluster only when the source allows it.</summary>
internal sealed class SourceApplyGuard(LiveAnalysis live, ILogger<SourceApplyGuard> logger) : IApplyGuard
{
    public ApplyDecision Check(ClaimsPrincipal user, bool dryRun) =>
        live.Source.CanApply
            ? ApplyDecision.Allow
            : new ApplyDecision(false, "PortMapper is read-only against this cluster. Start it with --allow-apply to enable apply and dry run.");

    public void Audit(ClaimsPrincipal user, IReadOnlyList<ApplyObjectResult> results, bool dryRun)
    {
        var who = user.Identity?.IsAuthenticated == true ? user.Identity.Name ?? "(authenticated)" : "(anonymous)";
        foreach (var r in results)
        {
            logger.LogInformation("apply audit: user={User} object={Object} dryRun={DryRun} outcome={Outcome} status={Status}",
                who, r.Object.ToString(), dryRun, r.Outcome, r.HttpStatus);
        }
    }
}
