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

    /// <summary>
    /// The same decision as <see cref="Check"/> without recording an attempt, for showing whether apply is possible
    /// (a disabled button and its reason). Guards that record refusals in <see cref="Check"/> override it.
    /// </summary>
    ApplyDecision Preview(ClaimsPrincipal user) => Check(user, dryRun: false);

    void Audit(ClaimsPrincipal user, IReadOnlyList<ApplyObjectResult> results, bool dryRun);
}

/// <summary>
/// The rule (docs/security.md): the demo and manifest sandboxes accept every apply. A real cluster is read-only unless
/// PortMapper was started with --allow-apply; then, unless only this machine can reach the app, the person must be
/// signed in (token or OpenID Connect). Refusals and outcomes go to the "PortMapper.Audit" log, one line per attempt.
/// </summary>
internal sealed class SourceApplyGuard(LiveAnalysis live, ApplyAccessPolicy policy, ILoggerFactory loggers) : IApplyGuard
{
    // Read on every call: a context switch replaces the source under the same LiveAnalysis.
    private IClusterSource Source => live.Source;

    /// <summary>The log category of the audit lines, so that they can be routed or kept apart.</summary>
    public const string AuditCategory = "PortMapper.Audit";

    private readonly ILogger _audit = loggers.CreateLogger(AuditCategory);

    public ApplyDecision Check(ClaimsPrincipal user, bool dryRun)
    {
        var decision = Decide(user);
        if (!decision.Allowed)
        {
            AuditLog.Refused(_audit, Who(user), Via(user), dryRun, Source.Info.KindName, decision.Reason!);
        }

        return decision;
    }

    public ApplyDecision Preview(ClaimsPrincipal user) => Decide(user);

    public void Audit(ClaimsPrincipal user, IReadOnlyList<ApplyObjectResult> results, bool dryRun)
    {
        var objects = results.Count == 0 ? "(none)" : string.Join(", ", results.Select(r => r.Object.ToString()));
        var outcome = results.Count == 0 ? "nothing applied"
            : string.Join(", ", results.GroupBy(r => r.Outcome).OrderBy(g => g.Key).Select(g => $"{g.Count()} {g.Key.ToString().ToLowerInvariant()}"));
        if (results.All(r => r.Succeeded))
        {
            AuditLog.Applied(_audit, Who(user), Via(user), dryRun, Source.Info.KindName, objects, outcome);
        }
        else
        {
            AuditLog.AppliedWithFailures(_audit, Who(user), Via(user), dryRun, Source.Info.KindName, objects, outcome);
        }
    }

    private ApplyDecision Decide(ClaimsPrincipal user)
    {
        if (Source.Info.Kind is ClusterSourceKind.Demo or ClusterSourceKind.Manifests)
        {
            // In-memory sandboxes: nothing leaves the process.
            return ApplyDecision.Allow;
        }

        if (!policy.AllowApply || !Source.CanApply)
        {
            var signIn = policy.LocalOnly ? "" : $", and give it a way to sign people in ({SignInOptions}) because it listens on {policy.Listen}";
            return new ApplyDecision(false, $"PortMapper is read-only against this cluster. To enable apply and dry run, restart it with --allow-apply{signIn}.");
        }

        if (policy.LocalOnly)
        {
            return ApplyDecision.Allow;
        }

        if (!policy.SignInAvailable)
        {
            return new ApplyDecision(false,
                $"Apply needs a signed-in person because PortMapper listens on {policy.Listen}{(policy.PathBase.Length > 0 ? $" behind a proxy at {policy.PathBase}" : "")}, " +
                $"but no sign-in is set up. Restart it with {SignInOptions}, or listen on 127.0.0.1 only.");
        }

        if (user.Identity?.IsAuthenticated != true)
        {
            var bearer = policy.TokenSignIn ? "; API clients send the header 'Authorization: Bearer <token>' with the token from --apply-token-file" : "";
            return new ApplyDecision(false, $"Sign in to apply: open {policy.PathBase}/signin{bearer}.");
        }

        return ApplyDecision.Allow;
    }

    private const string SignInOptions =
        "--apply-token-file <path>, or --oidc-authority <issuer-url> --oidc-client-id <id> with the client secret in $" + Hosting.PortMapperCommandLine.OidcClientSecretVariable;

    private string Who(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.Identity.Name ?? "(signed in, no name)"
        : policy.LocalOnly ? "(local user)"
        : "(anonymous)";

    private static string Via(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated == true ? user.Identity.AuthenticationType ?? "unknown" : "none";
}

/// <summary>The audit lines: structured, one per apply or dry run attempt, never with object contents or credentials.</summary>
internal static partial class AuditLog
{
    [LoggerMessage(EventId = 4100, EventName = "ApplyAudit", Level = LogLevel.Information,
        Message = "Apply audit: user={User} via={AuthMethod} dryRun={DryRun} cluster={Cluster} objects={Objects} result={Result}")]
    public static partial void Applied(ILogger logger, string user, string authMethod, bool dryRun, string cluster, string objects, string result);

    [LoggerMessage(EventId = 4101, EventName = "ApplyAuditFailed", Level = LogLevel.Warning,
        Message = "Apply audit: user={User} via={AuthMethod} dryRun={DryRun} cluster={Cluster} objects={Objects} result={Result}")]
    public static partial void AppliedWithFailures(ILogger logger, string user, string authMethod, bool dryRun, string cluster, string objects, string result);

    [LoggerMessage(EventId = 4102, EventName = "ApplyRefused", Level = LogLevel.Warning,
        Message = "Apply refused: user={User} via={AuthMethod} dryRun={DryRun} cluster={Cluster} reason={Reason}")]
    public static partial void Refused(ILogger logger, string user, string authMethod, bool dryRun, string cluster, string reason);
}
