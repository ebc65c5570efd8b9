using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.Analysis;

/// <summary>How a path enters: the kind of exposure that carries traffic to the workload.</summary>
public enum Exposure
{
    ClusterIP,
    NodePort,
    LoadBalancer,
    ExternalIP,
    ExternalName,
    Headless,
    HostPort,
    HostNetwork,
    Ingress,

    /// <summary>A Gateway API Gateway listener and an HTTPRoute or GRPCRoute rule.</summary>
    Gateway,
}

public enum PathStatus
{
    Ok,
    Degraded,
    Broken,
}

public enum ClientKind
{
    InCluster,
    External,
}

public enum HopKind
{
    /// <summary>Where the request starts.</summary>
    Client,

    /// <summary>A cloud load balancer address from status.loadBalancer.</summary>
    LoadBalancer,

    /// <summary>An Ingress controller's address, host and path.</summary>
    Ingress,

    /// <summary>A Gateway's address and listener, and the route rule that takes the request (host and match).</summary>
    Gateway,

    /// <summary>Any of a set of nodes on a nodePort.</summary>
    NodePort,

    /// <summary>An address listed in spec.externalIPs.</summary>
    ExternalIp,

    /// <summary>The Service's virtual clusterIP and port.</summary>
    ClusterIp,

    /// <summary>A cluster DNS name.</summary>
    Dns,

    /// <summary>The CNAME target of an ExternalName Service.</summary>
    ExternalName,

    /// <summary>One node's address and a hostPort.</summary>
    HostPort,

    /// <summary>One node's address: the pod shares the node's network namespace.</summary>
    HostNetwork,

    /// <summary>The pods that receive the traffic, each with its podIP and targetPort.</summary>
    Endpoints,
}

/// <summary>One pod (or template, or manual endpoint) a path delivers to.</summary>
public sealed record EndpointTarget
{
    /// <summary>The address of the Service's primary family (the first of <see cref="Ips"/>).</summary>
    public string? Ip { get; init; }

    /// <summary>
    /// One address per family the endpoint serves, in the Service's family order, when it serves two (dual-stack); may be
    /// empty for a single-family endpoint, whose address is <see cref="Ip"/> (<see cref="IpOf"/> reads either).
    /// </summary>
    public ImmutableArray<string> Ips { get; init; } = [];

    /// <summary>The endpoint's zone (its node's topology.kubernetes.io/zone).</summary>
    public string? Zone { get; init; }

    /// <summary>Topology hints: the zones (hints.forZones) and nodes (hints.forNodes) whose kube-proxy uses this endpoint.</summary>
    public ImmutableArray<string> ForZones { get; init; } = [];

    public ImmutableArray<string> ForNodes { get; init; } = [];

    /// <summary>The endpoint's address of <paramref name="family"/>, or null when it serves no such address.</summary>
    public string? IpOf(string family)
    {
        foreach (var ip in Ips.IsDefaultOrEmpty ? (Ip is null ? [] : [Ip]) : Ips)
        {
            if (Service.IpFamilyOf(ip) == family)
            {
                return ip;
            }
        }

        return null;
    }

    /// <summary>This endpoint as the proxier of <paramref name="family"/> sees it, or null when it has no address there.</summary>
    public EndpointTarget? InFamily(string family) =>
        IpOf(family) is { } ip ? (ip == Ip ? this : this with { Ip = ip }) : Ip is null && Ips.IsDefaultOrEmpty ? this : null;

    public int? Port { get; init; }

    public ObjectRef? Pod { get; init; }

    public string? NodeName { get; init; }

    public bool Ready { get; init; }

    public bool Serving { get; init; }

    public bool Terminating { get; init; }

    /// <summary>Derived from selectors as the EndpointSlice controller would, not read from an EndpointSlice.</summary>
    public bool Predicted { get; init; }

    /// <summary>"ip:port", an IPv6 address in brackets.</summary>
    public override string ToString() =>
        (Ip is { } ip && ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]" : Ip ?? "(no IP)") + ":" + (Port?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "?");
}

public sealed record Hop(HopKind Kind)
{
    public ImmutableArray<string> Addresses { get; init; } = [];

    public int? Port { get; init; }

    /// <summary>A host name, DNS name, node set description or Ingress host+path.</summary>
    public string? Name { get; init; }

    public string? Note { get; init; }

    /// <summary>For NodePort, HostPort and HostNetwork hops: the node names. Shared between paths, never copied per path.</summary>
    public ImmutableArray<string> Nodes { get; init; } = [];

    /// <summary>For a NodePort hop with externalTrafficPolicy Local: the nodes that deliver; the others drop.</summary>
    public ImmutableArray<string>? DeliveringNodes { get; init; }

    /// <summary>For an Endpoints hop: every target; shared between the paths of one Service port.</summary>
    public ImmutableArray<EndpointTarget> Endpoints { get; init; } = [];

    public bool Tls { get; init; }

    public bool Broken { get; init; }
}

/// <summary>One way traffic reaches a workload, hop by hop.</summary>
public sealed record TrafficPath
{
    public required string Id { get; init; }

    public required string Namespace { get; init; }

    public ObjectRef? Service { get; init; }

    public ObjectRef? Pod { get; init; }

    public ObjectRef? Ingress { get; init; }

    /// <summary>For a Gateway path: the HTTPRoute or GRPCRoute, and the Gateway and listener it is attached to.</summary>
    public ObjectRef? Route { get; init; }

    public ObjectRef? Gateway { get; init; }

    public string? Listener { get; init; }

    /// <summary>For a Gateway path: the rule's index in the route, and the backendRef's share of the rule's traffic (0..1).</summary>
    public int? RuleIndex { get; init; }

    public double? Weight { get; init; }

    public required Exposure Exposure { get; init; }

    public string Protocol { get; init; } = Protocols.Tcp;

    public ClientKind From { get; init; }

    /// <summary>The Service port name, when the path belongs to a named Service port.</summary>
    public string? PortName { get; init; }

    public ImmutableArray<Hop> Hops { get; init; } = [];

    public PathStatus Status { get; init; }

    public ImmutableArray<string> Diagnostics { get; init; } = [];
}
