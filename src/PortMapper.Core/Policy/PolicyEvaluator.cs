using System.Collections.Immutable;
using System.Net;
using PortMapper.Core.Model;

namespace PortMapper.Core.Policy;

/// <summary>
/// Evaluates NetworkPolicy (networking.k8s.io/v1) and ClusterNetworkPolicy on one packet after DNAT. Each direction
/// (the source pod's egress, the destination pod's ingress) walks the tiers: Admin ClusterNetworkPolicies by priority
/// (first matching rule: Accept and Deny decide, Pass skips to the next tier), then NetworkPolicy (a pod selected for
/// the direction is isolated: a packet passes when any rule of any selecting policy admits it), then Baseline, then
/// the default: allowed. The packet passes when both directions allow it.
/// </summary>
public sealed class PolicyEvaluator
{
    private readonly PolicyIndex _index;

    public PolicyEvaluator(PolicyIndex index) => _index = index;

    public static PolicyVerdict Evaluate(ClusterSnapshot snapshot, PolicyPacket packet) => new PolicyEvaluator(new PolicyIndex(snapshot)).Evaluate(packet);

    public PolicyVerdict Evaluate(PolicyPacket packet)
    {
        var dst = packet.Destination;
        var src = packet.Source;
        if (dst.HostNetwork || src.Pod is { HostNetwork: true })
        {
            var which = dst.HostNetwork ? $"the destination pod {Name(dst)}" : $"the source pod {Name(src.Pod!)}";
            var reason = $"{which} uses hostNetwork: how NetworkPolicy applies to host-network pods is undefined by the API, so the answer depends on the network plugin";
            var step = ImmutableArray.Create(new PolicyStep("hostNetwork", "undefined by the API", null, null));
            return new PolicyVerdict(
                PolicyVerdictKind.Depends,
                reason,
                src.Kind == PolicySourceKind.Pod ? new PolicyDecision(PolicyTypes.Egress, PolicyVerdictKind.Depends, reason, null, null, step) : null,
                new PolicyDecision(PolicyTypes.Ingress, PolicyVerdictKind.Depends, reason, null, null, step));
        }

        var egress = src.Pod is { } srcPod ? Decide(PolicyTypes.Egress, srcPod, Party.OfPod(dst), packet) : null;
        var ingress = DecideIngress(packet);
        return Combine(egress, ingress);
    }

    /// <summary>
    /// The NetworkPolicies that close <paramref name="port"/> of <paramref name="destination"/> to every peer: they
    /// isolate it for Ingress, none of their rules lists that port (or all ports), and no Admin ClusterNetworkPolicy
    /// accepts it first. Empty when some peer, whoever it is, may be admitted, and for hostNetwork pods (undefined).
    /// </summary>
    public IReadOnlyList<NetworkPolicy> ClosingPolicies(Pod destination, int port, string protocol)
    {
        if (destination.HostNetwork)
        {
            return [];
        }

        var isolating = _index.IsolatingPolicies(destination, PolicyTypes.Ingress);
        if (isolating.Count == 0)
        {
            return [];
        }

        var packet = new PolicyPacket(PolicySource.FromExternal(null), destination, port, protocol);
        if (isolating.Any(p => p.Ingress.Any(r => r.Ports.IsDefaultOrEmpty || r.Ports.Any(x => MatchPort(x, packet)))))
        {
            return [];
        }

        var accepted = _index.AdminPolicies.Any(a => _index.Selects(a, destination)
            && a.Ingress.Any(r => r.Action == PolicyActions.Accept && (r.Ports.IsDefaultOrEmpty || r.Ports.Any(x => MatchClusterPort(x, packet)))));
        return accepted ? [] : isolating;
    }

    private PolicyDecision DecideIngress(PolicyPacket packet)
    {
        var src = packet.Source;
        if (src.Kind == PolicySourceKind.Pod)
        {
            return Decide(PolicyTypes.Ingress, packet.Destination, Party.OfPod(src.Pod!), packet);
        }

        var asSent = Decide(PolicyTypes.Ingress, packet.Destination, Party.OfAddress(src.Ip, src.Kind, src.NodeName), packet);
        if (src.SnatNodeIp is not { } nodeIp)
        {
            return asSent;
        }

        var masqueraded = Decide(PolicyTypes.Ingress, packet.Destination, Party.OfAddress(nodeIp, PolicySourceKind.Node, null), packet);
        if (masqueraded.Verdict == asSent.Verdict)
        {
            return asSent with
            {
                Reason = $"{asSent.Reason} (the same for the node IP {nodeIp} that kube-proxy's SNAT may put in its place)",
            };
        }

        var reason =
            $"depends on the network plugin: with externalTrafficPolicy Cluster kube-proxy may SNAT the client to the node IP {nodeIp}; " +
            $"from the client address {src.Ip} it is {Word(asSent.Verdict)} ({asSent.Reason}), " +
            $"from the node IP it is {Word(masqueraded.Verdict)} ({masqueraded.Reason})";
        var walk = asSent.Walk.Add(new PolicyStep("SNAT", $"node IP {nodeIp}: {Word(masqueraded.Verdict)}", masqueraded.Policy, masqueraded.RuleIndex));
        return new PolicyDecision(PolicyTypes.Ingress, PolicyVerdictKind.Depends, reason, asSent.Policy ?? masqueraded.Policy, asSent.RuleIndex ?? masqueraded.RuleIndex, walk);
    }

    private static PolicyVerdict Combine(PolicyDecision? egress, PolicyDecision ingress)
    {
        foreach (var kind in new[] { PolicyVerdictKind.Blocked, PolicyVerdictKind.Depends })
        {
            var d = egress?.Verdict == kind ? egress : ingress.Verdict == kind ? ingress : null;
            if (d is not null)
            {
                return new PolicyVerdict(kind, d.Reason, egress, ingress);
            }
        }

        var both = new[] { egress, ingress }.OfType<PolicyDecision>().ToList();
        var decided = both.Where(d => d.Policy is not null).ToList();
        var reason = string.Join("; ", (decided.Count > 0 ? decided : both).Select(d => d.Reason));
        return new PolicyVerdict(PolicyVerdictKind.Allowed, reason, egress, ingress);
    }

    /// <summary>One direction for <paramref name="subject"/> (the pod whose policies apply) against the other side.</summary>
    private PolicyDecision Decide(string direction, Pod subject, Party peer, PolicyPacket packet)
    {
        var walk = ImmutableArray.CreateBuilder<PolicyStep>();
        var admin = DecideTier(PolicyTierNames.Admin, _index.AdminPolicies, direction, subject, peer, packet, walk);
        if (admin is not null)
        {
            return admin;
        }

        var isolating = _index.IsolatingPolicies(subject, direction);
        if (isolating.Count > 0)
        {
            return DecideNetworkPolicies(direction, isolating, subject, peer, packet, walk);
        }

        walk.Add(new PolicyStep(PolicyTierNames.NetworkPolicy, $"no policy selects the pod for {direction}", null, null));
        var baseline = DecideTier(PolicyTierNames.Baseline, _index.BaselinePolicies, direction, subject, peer, packet, walk);
        if (baseline is not null)
        {
            return baseline;
        }

        walk.Add(new PolicyStep(PolicyTierNames.Default, "allowed", null, null));
        var reason = walk.Any(s => s.Tier is PolicyTierNames.Admin or PolicyTierNames.Baseline)
            ? $"no policy decides {Name(subject)}'s {direction.ToLowerInvariant()}: allowed by default"
            : $"no NetworkPolicy selects {Name(subject)} for {direction}";
        return new PolicyDecision(direction, PolicyVerdictKind.Allowed, reason, null, null, walk.ToImmutable());
    }

    private PolicyDecision DecideNetworkPolicies(
        string direction, IReadOnlyList<NetworkPolicy> isolating, Pod subject, Party peer, PolicyPacket packet, ImmutableArray<PolicyStep>.Builder walk)
    {
        (NetworkPolicy Policy, int Rule, string Why)? maybe = null;
        foreach (var policy in isolating)
        {
            var rules = direction == PolicyTypes.Ingress ? policy.Ingress : policy.Egress;
            for (var i = 0; i < rules.Length; i++)
            {
                var match = MatchRule(policy, rules[i], peer, packet, out var why);
                if (match == Match.Yes)
                {
                    walk.Add(new PolicyStep(PolicyTierNames.NetworkPolicy, "allowed", policy.Ref(), i));
                    var reason = $"{Name(policy)} spec.{direction.ToLowerInvariant()}[{i}] admits {PortText(packet)} {FromTo(direction)} {peer}";
                    return new PolicyDecision(direction, PolicyVerdictKind.Allowed, reason, policy.Ref(), i, walk.ToImmutable());
                }

                if (match == Match.Maybe)
                {
                    maybe ??= (policy, i, why!);
                }
            }
        }

        var names = string.Join(", ", isolating.Select(Name));
        var selects = isolating.Count == 1 ? "selects" : "select";
        if (maybe is { } m)
        {
            walk.Add(new PolicyStep(PolicyTierNames.NetworkPolicy, "depends", m.Policy.Ref(), m.Rule));
            var reason = $"{names} {selects} the pod for {direction}; only {Name(m.Policy)} spec.{direction.ToLowerInvariant()}[{m.Rule}] may admit {PortText(packet)} {FromTo(direction)} {peer}: {m.Why}";
            return new PolicyDecision(direction, PolicyVerdictKind.Depends, reason, m.Policy.Ref(), m.Rule, walk.ToImmutable());
        }

        walk.Add(new PolicyStep(PolicyTierNames.NetworkPolicy, "blocked", isolating[0].Ref(), null));
        var blocked = $"{names} {selects} the pod for {direction} and no rule admits {PortText(packet)} {FromTo(direction)} {peer}";
        return new PolicyDecision(direction, PolicyVerdictKind.Blocked, blocked, isolating[0].Ref(), null, walk.ToImmutable());
    }

    /// <summary>The first matching rule of the tier decides; null when the tier passes or has no matching rule.</summary>
    private PolicyDecision? DecideTier(
        string tier, ImmutableArray<ClusterNetworkPolicy> policies, string direction, Pod subject, Party peer, PolicyPacket packet, ImmutableArray<PolicyStep>.Builder walk)
    {
        for (var p = 0; p < policies.Length; p++)
        {
            var policy = policies[p];
            if (!_index.Selects(policy, subject) || FirstMatch(policy, direction, peer, packet) is not { } rule)
            {
                continue;
            }

            var action = (direction == PolicyTypes.Ingress ? policy.Ingress : policy.Egress)[rule].Action;
            var rival = policies.Skip(p + 1).TakeWhile(o => o.Priority == policy.Priority)
                .Select(o => (Policy: o, Rule: _index.Selects(o, subject) ? FirstMatch(o, direction, peer, packet) : null))
                .FirstOrDefault(o => o.Rule is { } r && (direction == PolicyTypes.Ingress ? o.Policy.Ingress : o.Policy.Egress)[r].Action != action);
            walk.Add(new PolicyStep(tier, action, policy.Ref(), rule));
            var ruleText = $"{policy.Metadata.Name} spec.{direction.ToLowerInvariant()}[{rule}]";
            if (rival.Policy is not null)
            {
                var otherAction = (direction == PolicyTypes.Ingress ? rival.Policy.Ingress : rival.Policy.Egress)[rival.Rule!.Value].Action;
                var reason = $"{tier} ClusterNetworkPolicies {policy.Metadata.Name} ({action}) and {rival.Policy.Metadata.Name} ({otherAction}) share priority {policy.Priority} " +
                    $"and both match {PortText(packet)} {FromTo(direction)} {peer}: the API lets the implementation apply either";
                return new PolicyDecision(direction, PolicyVerdictKind.Depends, reason, policy.Ref(), rule, walk.ToImmutable());
            }

            switch (action)
            {
                case PolicyActions.Accept:
                    return new PolicyDecision(direction, PolicyVerdictKind.Allowed, $"{tier} ClusterNetworkPolicy {ruleText} accepts {PortText(packet)} {FromTo(direction)} {peer}", policy.Ref(), rule, walk.ToImmutable());
                case PolicyActions.Deny:
                    return new PolicyDecision(direction, PolicyVerdictKind.Blocked, $"{tier} ClusterNetworkPolicy {ruleText} denies {PortText(packet)} {FromTo(direction)} {peer}", policy.Ref(), rule, walk.ToImmutable());
                default:
                    return null;
            }
        }

        return null;
    }

    private int? FirstMatch(ClusterNetworkPolicy policy, string direction, Party peer, PolicyPacket packet)
    {
        var rules = direction == PolicyTypes.Ingress ? policy.Ingress : policy.Egress;
        for (var i = 0; i < rules.Length; i++)
        {
            var rule = rules[i];
            if (!PolicyActions.Supported.Contains(rule.Action))
            {
                continue;
            }

            var peerMatches = rule.Peers.Any(p => p.IsUnknown ? rule.Action != PolicyActions.Accept : MatchClusterPeer(p, peer));
            if (peerMatches && (rule.Ports.IsDefaultOrEmpty || rule.Ports.Any(p => MatchClusterPort(p, packet))))
            {
                return i;
            }
        }

        return null;
    }

    private bool MatchClusterPeer(ClusterPolicyPeer peer, Party other)
    {
        if (peer.Pods is { } pods)
        {
            return other.Pod is { HostNetwork: false } pod && _index.Selects(pods, pod);
        }

        if (!peer.Networks.IsDefaultOrEmpty)
        {
            // Networks match cluster-internal addresses too (pod IPs included), as the API says.
            return other.Addresses.Any(a => peer.Networks.Any(n => InCidr(a, n)));
        }

        if (peer.Nodes is { } nodes)
        {
            return other.Kind == PolicySourceKind.Node && other.NodeName is { } name && _index.Snapshot.Nodes.TryGetValue(name, out var node)
                ? nodes.Matches(node.Metadata.Labels)
                : other.Kind == PolicySourceKind.Node && _index.Snapshot.Nodes.Values.Any(n => nodes.Matches(n.Metadata.Labels) && n.Addresses.Any(a => other.Addresses.Contains(a.Address)));
        }

        return false;
    }

    private static bool MatchClusterPort(ClusterPolicyPort port, PolicyPacket packet)
    {
        if (port.NamedPort is { } name)
        {
            return NamedPortNumber(packet.Destination, name, packet.Protocol) == packet.Port;
        }

        return port.Protocol == packet.Protocol
            && (port.Port is not { } first || (port.EndPort is { } last ? packet.Port >= first && packet.Port <= last : packet.Port == first));
    }

    private Match MatchRule(NetworkPolicy policy, NetworkPolicyRule rule, Party peer, PolicyPacket packet, out string? why)
    {
        why = null;
        if (!rule.Ports.IsDefaultOrEmpty && !rule.Ports.Any(p => MatchPort(p, packet)))
        {
            return Match.No;
        }

        if (rule.Peers.IsDefaultOrEmpty)
        {
            return Match.Yes;
        }

        var result = Match.No;
        foreach (var p in rule.Peers)
        {
            var m = MatchPeer(policy, p, peer, out var reason);
            if (m == Match.Yes)
            {
                return Match.Yes;
            }

            if (m == Match.Maybe && result == Match.No)
            {
                result = Match.Maybe;
                why = reason;
            }
        }

        return result;
    }

    private Match MatchPeer(NetworkPolicy policy, NetworkPolicyPeer peer, Party other, out string? why)
    {
        why = null;
        if (peer.IpBlock is { } block)
        {
            if (other.Pod is null && other.Addresses.IsEmpty && other.Kind == PolicySourceKind.External)
            {
                why = $"ipBlock {block.Cidr}{(block.Except.IsDefaultOrEmpty ? "" : $" except {string.Join(", ", block.Except)}")} admits some external clients: it depends on the client's address";
                return Match.Maybe;
            }

            var inside = other.Addresses.Any(a => InCidr(a, block.Cidr) && !block.Except.Any(e => InCidr(a, e)));
            if (!inside)
            {
                return Match.No;
            }

            if (other.Pod is null)
            {
                return Match.Yes;
            }

            why = $"ipBlock {block.Cidr} contains the pod IP {other.Addresses.First(a => InCidr(a, block.Cidr))}, and whether ipBlock matches pod IPs differs between network plugins";
            return Match.Maybe;
        }

        if (other.Pod is not { } pod || (peer.PodSelector is null && peer.NamespaceSelector is null))
        {
            return Match.No;
        }

        var nsMatches = peer.NamespaceSelector is { } nsSel
            ? nsSel.Matches(_index.NamespaceLabels(pod.Metadata.Namespace))
            : KubeNames.Comparer.Equals(pod.Metadata.Namespace, policy.Metadata.Namespace);
        return nsMatches && (peer.PodSelector is null || peer.PodSelector.Matches(pod.Metadata.Labels)) ? Match.Yes : Match.No;
    }

    private static bool MatchPort(NetworkPolicyPort port, PolicyPacket packet)
    {
        if (port.Protocol != packet.Protocol)
        {
            return false;
        }

        return port.Port switch
        {
            null => true,
            { IsName: true, Name: { } name } => NamedPortNumber(packet.Destination, name, port.Protocol) == packet.Port,
            { Number: { } first } => port.EndPort is { } last ? packet.Port >= first && packet.Port <= last : packet.Port == first,
            _ => false,
        };
    }

    /// <summary>A port name resolves against the destination pod's container ports, of the rule's protocol.</summary>
    private static int? NamedPortNumber(Pod pod, string name, string protocol) =>
        pod.Spec.AllPorts.Where(x => x.Port.Name == name && x.Port.Protocol == protocol).Select(x => (int?)x.Port.Number).FirstOrDefault();

    private static bool InCidr(string address, string cidr) =>
        IPAddress.TryParse(address, out var ip) && IPNetwork.TryParse(cidr, out var network) && network.Contains(ip);

    private static string PortText(PolicyPacket packet) => $"port {packet.Port}/{packet.Protocol}";

    private static string FromTo(string direction) => direction == PolicyTypes.Ingress ? "from" : "to";

    private static string Word(PolicyVerdictKind kind) => kind.ToString().ToLowerInvariant();

    private static string Name(IKubeObject o) => $"{o.Metadata.Namespace}/{o.Metadata.Name}";

    private enum Match
    {
        No,
        Maybe,
        Yes,
    }

    /// <summary>The other side of a direction: a pod (selectors and, per plugin, ipBlocks match it) or a bare address.</summary>
    private sealed record Party(Pod? Pod, ImmutableArray<string> Addresses, PolicySourceKind Kind, string? NodeName)
    {
        public static Party OfPod(Pod pod) => new(pod, pod.PodIps.IsDefault ? [] : pod.PodIps, PolicySourceKind.Pod, pod.NodeName);

        public static Party OfAddress(string? ip, PolicySourceKind kind, string? nodeName) => new(null, ip is null ? [] : [ip], kind, nodeName);

        public override string ToString() => Pod is { } p
            ? $"namespace {p.Metadata.Namespace} (pod {p.Metadata.Name})"
            : Kind == PolicySourceKind.Node
                ? NodeName is null ? $"node IP {string.Join(", ", Addresses)}" : $"node {NodeName} ({string.Join(", ", Addresses)})"
                : $"{string.Join(", ", Addresses)}";
    }
}
