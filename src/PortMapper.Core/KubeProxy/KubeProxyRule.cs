using System.Net;

namespace PortMapper.Core.KubeProxy;

/// <summary>What a rule does on the way from a Service address to an endpoint.</summary>
public enum RuleRole
{
    /// <summary>Shared by every Service: the hooks into the built-in chains, KUBE-MARK-MASQ, KUBE-POSTROUTING and the KUBE-NODEPORTS tail rule.</summary>
    Boilerplate,

    /// <summary>Matches this Service's cluster IP, external IP, load-balancer IP or node port and sends it on.</summary>
    Capture,

    /// <summary>Marks packets so that KUBE-POSTROUTING rewrites their source address (SNAT).</summary>
    Masquerade,

    /// <summary>Chooses between the Cluster and Local endpoint sets, or applies loadBalancerSourceRanges.</summary>
    Policy,

    /// <summary>Sends a client back to the endpoint it reached before (sessionAffinity: ClientIP).</summary>
    SessionAffinity,

    /// <summary>Picks one endpoint at random.</summary>
    LoadBalance,

    /// <summary>Rewrites the destination to the chosen endpoint.</summary>
    Dnat,

    /// <summary>Rejects, drops or accepts traffic in the filter table.</summary>
    Filter,
}

/// <summary>
/// One rule kube-proxy writes, in its iptables-save form, with a plain-English account of what it does.
/// </summary>
/// <param name="Table">"nat" or "filter".</param>
/// <param name="Text">The rule line as kube-proxy writes it, e.g. <c>-A KUBE-SERVICES -m comment --comment "ns/svc:http cluster IP" ...</c>.</param>
public sealed record KubeProxyRule(string Table, string Chain, string Text, string Explanation, RuleRole Role)
{
    /// <summary>The chain or verdict after <c>-j</c> (KUBE-SVC-…, DNAT, REJECT, …); null for a rule without a target.</summary>
    public string? Jump { get; init; }

    /// <summary>The Service port the rule belongs to; null for boilerplate.</summary>
    public ServicePortName? ServicePort { get; init; }

    /// <summary>The endpoint ("IP:port") the rule leads to, for endpoint-selection and DNAT rules.</summary>
    public string? Endpoint { get; init; }

    public bool IsBoilerplate => Role == RuleRole.Boilerplate;

    /// <summary>The rule's matches in a form the trace can evaluate without parsing <see cref="Text"/>.</summary>
    internal RuleMatch Match { get; init; } = RuleMatch.Any;
}

/// <summary>Whether a rule matches a packet: yes, no, or it depends on something the trace cannot know (a random draw, a client's history, an unknown source address).</summary>
internal enum Tri
{
    No,
    Maybe,
    Yes,
}

/// <summary>The conditions of one rule. Unset members match anything.</summary>
internal sealed record RuleMatch
{
    public static RuleMatch Any { get; } = new();

    public string? Protocol { get; init; }

    public IPAddress? Destination { get; init; }

    public int? DestinationPort { get; init; }

    /// <summary><c>-s</c> (or <c>! -s</c> when <see cref="SourceNegated"/>).</summary>
    public IpText.Cidr? Source { get; init; }

    public bool SourceNegated { get; init; }

    /// <summary><c>-m addrtype --dst-type LOCAL</c>: the destination is one of the node's own addresses.</summary>
    public bool DestinationLocal { get; init; }

    /// <summary><c>! -d</c>: destinations excluded from the rule (loopback for NodePorts).</summary>
    public IpText.Cidr? ExcludedDestination { get; init; }

    /// <summary><c>-m addrtype --src-type LOCAL</c>: sent by the node itself.</summary>
    public bool SourceLocal { get; init; }

    /// <summary><c>-m statistic --mode random</c> or <c>-m recent --rcheck</c>: decided per connection.</summary>
    public bool PerConnection { get; init; }

    /// <summary><c>-m mark --mark</c> (true) or <c>-m mark ! --mark</c> (false) on the SNAT mark.</summary>
    public bool? Marked { get; init; }

    /// <summary>The DNAT target, "IP:port".</summary>
    public string? DnatTo { get; init; }
}
