using System.Collections.Immutable;

namespace PortMapper.Core.Model;

/// <summary>The two directions a policy can isolate, as written in <c>policyTypes</c>.</summary>
public static class PolicyTypes
{
    public const string Ingress = "Ingress";
    public const string Egress = "Egress";

    public static ImmutableArray<string> Supported { get; } = [Egress, Ingress];
}

/// <summary>
/// One entry of a NetworkPolicy rule's <c>ports</c>. <see cref="Port"/> null matches every port of the protocol;
/// a name is resolved against the destination pod's container ports; <see cref="EndPort"/> makes a range
/// (only with a numeric port).
/// </summary>
public sealed record NetworkPolicyPort(string Protocol, IntOrName? Port, int? EndPort)
{
    public override string ToString()
    {
        var port = Port is null ? "any port" : EndPort is { } end ? $"{Port}-{end}" : Port.Value.ToString();
        return $"{port}/{Protocol}";
    }
}

/// <summary>An <c>ipBlock</c> peer: a CIDR minus the CIDRs in <see cref="Except"/>.</summary>
public sealed record IpBlock(string Cidr, ImmutableArray<string> Except);

/// <summary>
/// One entry of <c>from</c> / <c>to</c>. podSelector and namespaceSelector in one peer select pods matching both
/// (pods selected by podSelector in namespaces selected by namespaceSelector); podSelector alone means the policy's
/// own namespace; namespaceSelector alone means every pod of the selected namespaces; ipBlock is exclusive.
/// </summary>
public sealed record NetworkPolicyPeer(LabelSelector? PodSelector, LabelSelector? NamespaceSelector, IpBlock? IpBlock);

/// <summary>
/// One ingress or egress rule. An empty <see cref="Peers"/> list (from/to unset or empty) admits every peer; an empty
/// <see cref="Ports"/> list admits every port. Rules only ever allow: a packet is admitted when any rule matches.
/// </summary>
public sealed record NetworkPolicyRule(ImmutableArray<NetworkPolicyPeer> Peers, ImmutableArray<NetworkPolicyPort> Ports);

/// <summary>networking.k8s.io/v1 NetworkPolicy.</summary>
public sealed record NetworkPolicy(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "NetworkPolicy";

    /// <summary>Selects the pods of the policy's namespace the policy applies to; empty selects all of them.</summary>
    public LabelSelector PodSelector { get; init; } = LabelSelector.Empty;

    /// <summary><c>policyTypes</c> as written; empty when unset (see <see cref="EffectivePolicyTypes"/>).</summary>
    public ImmutableArray<string> PolicyTypes { get; init; } = [];

    public ImmutableArray<NetworkPolicyRule> Ingress { get; init; } = [];

    public ImmutableArray<NetworkPolicyRule> Egress { get; init; } = [];

    /// <summary>
    /// policyTypes after the API server's defaulting (SetDefaults_NetworkPolicySpec): when unset, Ingress always,
    /// and Egress too when the policy has egress rules.
    /// </summary>
    public ImmutableArray<string> EffectivePolicyTypes =>
        !PolicyTypes.IsDefaultOrEmpty ? PolicyTypes
        : Egress.IsDefaultOrEmpty ? [Model.PolicyTypes.Ingress]
        : [Model.PolicyTypes.Ingress, Model.PolicyTypes.Egress];

    public bool IsolatesIngress => EffectivePolicyTypes.Contains(Model.PolicyTypes.Ingress);

    public bool IsolatesEgress => EffectivePolicyTypes.Contains(Model.PolicyTypes.Egress);
}

/// <summary>The tiers a ClusterNetworkPolicy can sit in: Admin before NetworkPolicy, Baseline after it.</summary>
public static class PolicyTiers
{
    public const string Admin = "Admin";
    public const string Baseline = "Baseline";

    public static ImmutableArray<string> Supported { get; } = [Admin, Baseline];
}

/// <summary>What a ClusterNetworkPolicy rule does with the traffic it matches.</summary>
public static class PolicyActions
{
    public const string Accept = "Accept";
    public const string Deny = "Deny";
    public const string Pass = "Pass";

    public static ImmutableArray<string> Supported { get; } = [Accept, Deny, Pass];
}

/// <summary>
/// Pods selected by namespace and pod selector (the <c>pods</c> form), or every pod of the selected namespaces
/// (the <c>namespaces</c> form: <see cref="PodSelector"/> null). Used for subjects and pod peers alike.
/// </summary>
public sealed record ClusterPodSelector(LabelSelector NamespaceSelector, LabelSelector? PodSelector);

/// <summary>
/// A ClusterNetworkPolicy peer. Exactly one of the forms is set in a valid object; when none is (a field of a newer
/// API version PortMapper does not know) the peer is <see cref="IsUnknown"/> and, as the API asks implementations,
/// fails closed: an Accept rule then matches nothing, a Deny or Pass rule matches everything.
/// </summary>
public sealed record ClusterPolicyPeer(ClusterPodSelector? Pods, ImmutableArray<string> Networks, LabelSelector? Nodes)
{
    public bool IsUnknown => Pods is null && Networks.IsDefaultOrEmpty && Nodes is null;
}

/// <summary>
/// One entry of a rule's <c>protocols</c> (v1beta1) or <c>ports</c> (v1alpha2). <see cref="Protocol"/> null with a
/// <see cref="NamedPort"/> matches the named container port of any protocol; <see cref="Port"/> null matches every
/// port of the protocol.
/// </summary>
public sealed record ClusterPolicyPort(string? Protocol, int? Port, int? EndPort, string? NamedPort)
{
    public override string ToString() =>
        NamedPort is { } name ? $"named port {name}"
        : Port is null ? $"any port/{Protocol}"
        : EndPort is { } end ? $"{Port}-{end}/{Protocol}" : $"{Port}/{Protocol}";
}

/// <summary>One ClusterNetworkPolicy rule: its action, peers (from/to) and ports (empty: every port).</summary>
public sealed record ClusterNetworkPolicyRule(string? Name, string Action, ImmutableArray<ClusterPolicyPeer> Peers, ImmutableArray<ClusterPolicyPort> Ports);

/// <summary>
/// policy.networking.k8s.io ClusterNetworkPolicy, the successor of AdminNetworkPolicy and
/// BaselineAdminNetworkPolicy. Mirrors v1beta1 of kubernetes-sigs/network-policy-api (spec.tier Admin|Baseline,
/// spec.priority 0..1000 lower first, spec.subject namespaces|pods, rules with action Accept|Deny|Pass, from/to peers
/// namespaces|pods|networks|nodes, protocols tcp|udp|sctp destinationPort number|range or destinationNamedPort);
/// the v1alpha2 spelling of ports (portNumber, portRange, namedPort) is read too. Cluster-scoped.
/// </summary>
public sealed record ClusterNetworkPolicy(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "ClusterNetworkPolicy";

    public string Tier { get; init; } = PolicyTiers.Admin;

    public int Priority { get; init; }

    /// <summary>The pods the policy applies to; null when the subject could not be read (then it selects none).</summary>
    public ClusterPodSelector? Subject { get; init; }

    public ImmutableArray<ClusterNetworkPolicyRule> Ingress { get; init; } = [];

    public ImmutableArray<ClusterNetworkPolicyRule> Egress { get; init; } = [];
}
