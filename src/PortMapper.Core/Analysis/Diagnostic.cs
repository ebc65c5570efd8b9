using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.Analysis;

public enum Severity
{
    Error,
    Warning,
    Info,
}

/// <summary>A finding about broken or risky wiring, with the place it breaks and the fix.</summary>
public sealed record Diagnostic
{
    public required string Code { get; init; }

    public required Severity Severity { get; init; }

    public required ObjectRef Object { get; init; }

    public string? Field { get; init; }

    /// <summary>The hop the finding breaks or degrades, when it concerns one.</summary>
    public HopKind? Hop { get; init; }

    public required string Message { get; init; }

    public required string Fix { get; init; }

    /// <summary>Ids of the paths this finding touches.</summary>
    public ImmutableArray<string> Paths { get; init; } = [];

    public override string ToString() => $"{Code} {Severity.ToString().ToLowerInvariant()} {Object}: {Message}";
}

/// <summary>The stable diagnostic codes. docs/diagnostics.md documents each with its cause and fix.</summary>
public static class Codes
{
    public const string SelectorMatchesNothing = "PM001";
    public const string NumericTargetPortUndeclared = "PM002";
    public const string NamedTargetPortMissing = "PM003";
    public const string NoReadyEndpoints = "PM004";
    public const string NodePortOutOfRange = "PM005";
    public const string NodePortDuplicate = "PM006";
    public const string HostPortConflict = "PM007";
    public const string IngressServiceMissing = "PM008";
    public const string IngressPortMissing = "PM009";
    public const string LocalPolicyNodesDrop = "PM010";
    public const string LoadBalancerPending = "PM011";
    public const string ExternalNameIgnoresFields = "PM012";
    public const string FamilyWithoutEndpoints = "PM013";
    public const string TopologyHintsUnused = "PM014";
    public const string HostNetworkOnNodePort = "PM100";
    public const string NoSelectorNoEndpoints = "PM101";
    public const string IngressClassMissing = "PM102";
    public const string AffinityBehindSnat = "PM103";
    public const string IngressRouteDuplicate = "PM104";
    public const string UnreadableField = "PM105";
    public const string RejectedByApiServer = "PM106";
    public const string SomeEndpointsNotReady = "PM107";
    public const string PodUnschedulable = "PM108";
    public const string GatewayRouteNotAttached = "PM600";
    public const string GatewayHostnameMismatch = "PM601";
    public const string GatewayReferenceNotPermitted = "PM602";
    public const string GatewayBackendPortMissing = "PM603";
    public const string GatewayBackendMissing = "PM604";
    public const string GatewayRuleShadowed = "PM605";
    public const string GatewayListenerConflict = "PM606";
    public const string GatewayStatusDisagrees = "PM607";
    public const string GatewayClassMissing = "PM608";
    public const string PolicySelectsNoPod = "PM500";
    public const string PolicyPortNameUndeclared = "PM501";
    public const string EgressBlocksDns = "PM502";
    public const string IpBlockContainsPods = "PM503";
    public const string PolicyClosesService = "PM504";
    public const string PolicyBlocksIngressController = "PM505";
}
