using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.Policy;

public enum PolicyVerdictKind
{
    Allowed,
    Blocked,

    /// <summary>The API objects do not decide: the answer depends on the network plugin (the reason says why).</summary>
    Depends,
}

/// <summary>The tiers a packet walks through, in order.</summary>
public static class PolicyTierNames
{
    public const string Admin = "Admin";
    public const string NetworkPolicy = "NetworkPolicy";
    public const string Baseline = "Baseline";
    public const string Default = "Default";
}

/// <summary>
/// One step of the walk across tiers: which policy (and rule) acted, and how: Accept, Deny, Pass (ClusterNetworkPolicy),
/// allowed or blocked (NetworkPolicy), "not selected", or undefined.
/// </summary>
public sealed record PolicyStep(string Tier, string Outcome, ObjectRef? Policy, int? RuleIndex)
{
    public override string ToString()
    {
        var who = Policy is null ? "" : Policy.Namespace.Length == 0 ? $" ({Policy.Name})" : $" ({Policy.Namespace}/{Policy.Name})";
        return $"[{Tier}] {Outcome}{who}";
    }
}

/// <summary>The decision for one direction: the source pod's egress or the destination pod's ingress.</summary>
public sealed record PolicyDecision(
    string Direction,
    PolicyVerdictKind Verdict,
    string Reason,
    ObjectRef? Policy,
    int? RuleIndex,
    ImmutableArray<PolicyStep> Walk)
{
    /// <summary>The walk as one line: <c>[Admin] Pass (tenant-pass) → [NetworkPolicy] blocked (shop/default-deny)</c>.</summary>
    public string WalkText => string.Join(" → ", Walk);

    /// <summary>The field path of the deciding rule (<c>spec.ingress[1]</c>), or null when no single rule decided.</summary>
    public string? RulePath => RuleIndex is { } i ? $"spec.{Direction.ToLowerInvariant()}[{i}]" : null;
}

/// <summary>
/// Would this packet be admitted? Both the source's egress and the destination's ingress must allow it. A prediction
/// from the API objects, never an observation: the network plugin enforces.
/// </summary>
public sealed record PolicyVerdict(PolicyVerdictKind Verdict, string Reason, PolicyDecision? Egress, PolicyDecision? Ingress)
{
    public const string PredictionNote =
        "Prediction from the NetworkPolicy and ClusterNetworkPolicy objects; the network plugin enforces them, and a plugin that does not implement them allows everything.";

    /// <summary>Always true: see <see cref="PredictionNote"/>.</summary>
    public bool IsPrediction => true;

    /// <summary>The direction that decided: the blocked or undecided one, else the one a policy allowed.</summary>
    public PolicyDecision? Deciding =>
        new[] { Egress, Ingress }.FirstOrDefault(d => d is not null && d.Verdict == PolicyVerdictKind.Blocked)
        ?? new[] { Egress, Ingress }.FirstOrDefault(d => d is not null && d.Verdict == PolicyVerdictKind.Depends)
        ?? new[] { Ingress, Egress }.FirstOrDefault(d => d?.Policy is not null)
        ?? Ingress ?? Egress;

    public ObjectRef? Policy => Deciding?.Policy;

    public int? RuleIndex => Deciding?.RuleIndex;

    /// <summary>Both walks: <c>Egress: … ; Ingress: …</c> (one of them alone when the other was not evaluated).</summary>
    public string Walk => string.Join("; ", new[] { Egress, Ingress }.OfType<PolicyDecision>().Select(d => $"{d.Direction}: {d.WalkText}"));

    /// <summary>"blocked: shop/default-deny selects the pod for Ingress and no rule admits port 8080/TCP from namespace web (pod client)".</summary>
    public string Summary => $"{Verdict.ToString().ToLowerInvariant()}: {Reason}";

    public override string ToString() => Summary;
}
