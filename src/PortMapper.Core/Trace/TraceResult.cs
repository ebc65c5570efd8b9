using System.Collections.Immutable;
using PortMapper.Core.Analysis;

namespace PortMapper.Core.Trace;

public enum TraceStepKind
{
    /// <summary>The request leaves its source.</summary>
    Client,

    /// <summary>A DNS lookup (cluster DNS, or public DNS for an Ingress host).</summary>
    Dns,

    /// <summary>The packet reaches a Service's clusterIP.</summary>
    ClusterIp,

    /// <summary>The packet reaches a node address on a nodePort.</summary>
    NodePort,

    /// <summary>The packet reaches a load balancer address from status.loadBalancer.</summary>
    LoadBalancer,

    /// <summary>The packet reaches an address listed in a Service's spec.externalIPs.</summary>
    ExternalIp,

    /// <summary>kube-proxy applies externalTrafficPolicy (the KUBE-EXT chain).</summary>
    ExternalPolicy,

    /// <summary>kube-proxy picks an endpoint (the KUBE-SVC or KUBE-SVL chain).</summary>
    ServiceChain,

    /// <summary>The packet is rewritten to (or arrives at) a pod: the final step of a delivered request.</summary>
    Endpoints,

    /// <summary>The client dials the CNAME target of an ExternalName Service itself.</summary>
    ExternalName,

    /// <summary>The packet reaches a node address on a hostPort.</summary>
    HostPort,

    /// <summary>The packet reaches a node address where a hostNetwork pod listens.</summary>
    HostNetwork,

    /// <summary>An Ingress controller matches host and path.</summary>
    Ingress,

    /// <summary>A Gateway listener takes the request and a route rule wins it.</summary>
    Gateway,

    /// <summary>NetworkPolicy (and ClusterNetworkPolicy) on the packet after DNAT, per candidate endpoint: a prediction.</summary>
    NetworkPolicy,

    /// <summary>The packet is dropped or rejected here.</summary>
    Dropped,
}

/// <summary>One place a traced packet passes and what happens to it there.</summary>
public sealed record TraceStep(TraceStepKind Kind, string Translation)
{
    /// <summary>Where the packet is: "ip:port", "[ipv6]:port" or "name:port"; null when it is one of several.</summary>
    public string? Address { get; init; }

    /// <summary>The node the step happens on, when it is known.</summary>
    public string? Node { get; init; }

    /// <summary>The kube-proxy (iptables mode) chain that handles the packet here; null where kube-proxy plays no part.</summary>
    public string? Chain { get; init; }

    /// <summary>On the step that picks an endpoint: the KUBE-SEP chain of each candidate, in <see cref="TraceResult.Endpoints"/> order (null for an endpoint without an IP yet).</summary>
    public ImmutableArray<string?> EndpointChains { get; init; } = [];

    /// <summary>True on the step that evaluates NetworkPolicy: <see cref="TraceResult.Policies"/> holds its verdicts, one per endpoint.</summary>
    public bool EvaluatesPolicy { get; init; }

    /// <summary>On the NetworkPolicy step: the line above the per-endpoint verdicts (the source, and that it is a prediction).</summary>
    public string? Heading { get; init; }
}

/// <summary>Where one request goes, step by step, and whether any pod receives it.</summary>
public sealed record TraceResult
{
    /// <summary>True when at least one ready endpoint (for hostPort and hostNetwork: a scheduled pod) is a candidate.</summary>
    public required bool Reachable { get; init; }

    public ImmutableArray<TraceStep> Steps { get; init; } = [];

    /// <summary>The endpoints that can receive the request.</summary>
    public ImmutableArray<EndpointTarget> Endpoints { get; init; } = [];

    /// <summary>Why the request does not arrive, and what to do; null when it does.</summary>
    public string? Reason { get; init; }

    /// <summary>The id of the <see cref="TrafficPath"/> the request follows, when it follows one.</summary>
    public string? PathId { get; init; }

    /// <summary>
    /// The policy verdict for each candidate endpoint that is a pod, in <see cref="Endpoints"/> order; empty when the
    /// cluster has no NetworkPolicy or ClusterNetworkPolicy (then everything is allowed). A prediction from the API
    /// objects: the network plugin enforces.
    /// </summary>
    public ImmutableArray<EndpointPolicyVerdict> Policies { get; init; } = [];

    /// <summary>The hop of the path where the request stops, when one is known (NetworkPolicy at the pods: <see cref="HopKind.Endpoints"/>).</summary>
    public HopKind? DroppedAt { get; init; }
}

/// <summary>Whether policy admits the traced packet at one endpoint pod.</summary>
public sealed record EndpointPolicyVerdict(EndpointTarget Endpoint, PortMapper.Core.Policy.PolicyVerdict Verdict);
