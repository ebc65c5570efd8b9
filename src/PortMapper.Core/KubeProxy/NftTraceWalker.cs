using System.Collections.Immutable;
using System.Net;

namespace PortMapper.Core.KubeProxy;

/// <summary>
/// Follows the first packet of a new connection through an nftables rule set the way the kernel does: the
/// filter pre-DNAT hook (priority -110, the load-balancer firewall), the nat hook (prerouting, or output for
/// the node's own traffic) with its verdict-map lookups, then, when nothing DNATed it, the filter hook it
/// reaches (no-endpoint and cluster-IP checks), and for DNATed paths the masquerading chain on the way out.
/// A match that cannot be decided (a random pick, a client's affinity history, an unknown source against a
/// source range) is followed both ways.
/// </summary>
internal sealed class NftTraceWalker
{
    private readonly NftablesRuleSet _set;
    private readonly KubeProxyRequest _request;
    private readonly PacketFacts _facts;
    private readonly ILookup<string, NftStatement> _rules;
    private readonly ILookup<string, NftStatement> _elements;
    private readonly Dictionary<string, NftStatement> _base;
    private readonly string _protocol;

    private sealed record State(ImmutableArray<KubeProxyRule> Rules, bool Masqueraded)
    {
        public bool Done { get; init; }

        public KubeProxyOutcome Outcome { get; init; } = KubeProxyOutcome.Untouched;

        public string? Destination { get; init; }

        public State With(NftStatement? statement) => statement is null ? this : this with { Rules = Rules.Add(statement.Rule) };

        public State End(KubeProxyOutcome outcome, string? destination = null) => this with { Done = true, Outcome = outcome, Destination = destination };
    }

    public NftTraceWalker(NftablesRuleSet set, KubeProxyRequest request)
    {
        _set = set;
        _request = request;
        _facts = new PacketFacts(set.Context, request);
        _protocol = _facts.Protocol;
        _rules = set.Statements.Where(s => s.Kind == NftKind.Rule).ToLookup(s => s.Object);
        _elements = set.Statements.Where(s => s.Kind == NftKind.Element).ToLookup(s => s.Object);
        _base = set.Statements.Where(s => s.BaseRole is not null).ToDictionary(s => s.BaseRole!);
    }

    private NftStatement Base(string role) => _base[role];

    private bool Output => _request.Source == RequestSource.Node;

    private string AddressKey => $"{_facts.Destination} . {_protocol} . {_request.DestinationPort}";

    private string PortKey => $"{_protocol} . {_request.DestinationPort}";

    private NftStatement? ElementOf(string set, string key) => _elements[set].FirstOrDefault(e => e.Key == key);

    private bool ToNodePortAddress => _elements[NftablesNames.NodePortIps].Any(e => e.Key == _facts.Destination?.ToString());

    public KubeProxyTrace Run()
    {
        if (_facts.Destination is null || _set.NoRulesReason is not null)
        {
            return new KubeProxyTrace(_request, [new KubeProxyPath([], KubeProxyOutcome.Untouched, null, false)]);
        }

        var start = new State([], false);
        var finished = new List<State>();
        foreach (var afterFirewall in Firewall(start))
        {
            if (afterFirewall.Done)
            {
                finished.Add(afterFirewall);
                continue;
            }

            foreach (var afterNat in Nat(afterFirewall))
            {
                finished.Add(afterNat.Outcome == KubeProxyOutcome.Dnat ? Postrouting(afterNat) : afterNat.Done ? afterNat : Filter(afterNat));
            }
        }

        var paths = finished
            .Select(s => new KubeProxyPath(s.Rules, s.Outcome, s.Destination, s.Outcome == KubeProxyOutcome.Dnat && s.Masqueraded))
            .DistinctBy(p => (p.Outcome, p.Destination, p.Masqueraded, string.Join('\n', p.Rules.Select(r => r.Text))))
            .ToImmutableArray();
        return new KubeProxyTrace(_request, paths);
    }

    private IEnumerable<State> Firewall(State state)
    {
        if (ElementOf(NftablesNames.FirewallIps, AddressKey) is not { } element)
        {
            return [state];
        }

        var entered = state
            .With(Base(Output ? "hook-output-firewall" : "hook-prerouting-firewall"))
            .With(Base("firewall-lookup"))
            .With(element);
        return Exec(element.Targets[0], 0, entered);
    }

    private IEnumerable<State> Nat(State state)
    {
        var hook = Base(Output ? "hook-nat-output" : "hook-nat-prerouting");
        if (ElementOf(NftablesNames.ServiceIps, AddressKey) is { } address)
        {
            return Exec(address.Targets[0], 0, state.With(hook).With(Base("service-ips-lookup")).With(address));
        }

        if (ToNodePortAddress && ElementOf(NftablesNames.ServiceNodePorts, PortKey) is { } nodePort)
        {
            return Exec(nodePort.Targets[0], 0, state.With(hook).With(Base("service-ips-lookup")).With(Base("service-nodeports-lookup")).With(nodePort));
        }

        return [state];
    }

    /// <summary>Runs <paramref name="chain"/> from rule <paramref name="index"/>; a state that falls off its end is not done.</summary>
    private IEnumerable<State> Exec(string chain, int index, State state)
    {
        var rules = _rules[chain].ToList();
        for (var i = index; i < rules.Count; i++)
        {
            var rule = rules[i];
            var match = rule.Sources.IsEmpty ? _facts.Evaluate(rule.Rule.Match) : PacketFacts.Not(AnySource(rule.Sources));
            if (match == Tri.No)
            {
                continue;
            }

            if (match == Tri.Maybe)
            {
                return Apply(chain, i, rule, state).Concat(Exec(chain, i + 1, state));
            }

            return Apply(chain, i, rule, state);
        }

        return [state];
    }

    private IEnumerable<State> Apply(string chain, int index, NftStatement rule, State state)
    {
        var matched = state.With(rule);
        switch (rule.Verdict)
        {
            case NftVerdict.Jump when rule.Targets[0] == NftablesNames.MarkForMasquerade:
                return Exec(chain, index + 1, matched.With(Base("mark")) with { Masqueraded = true });
            case NftVerdict.Jump:
                return Exec(rule.Targets[0], 0, matched).SelectMany(s => s.Done ? [s] : Exec(chain, index + 1, s));
            case NftVerdict.Goto:
                return Exec(rule.Targets[0], 0, matched);
            case NftVerdict.RandomGoto:
                return rule.Targets.SelectMany(t => Exec(t, 0, matched));
            case NftVerdict.Dnat:
                return [matched.End(KubeProxyOutcome.Dnat, rule.Rule.Endpoint)];
            case NftVerdict.Drop:
                return [matched.End(KubeProxyOutcome.Dropped)];
            case NftVerdict.Reject:
                return [matched.End(KubeProxyOutcome.Rejected)];
            default:
                return Exec(chain, index + 1, matched);
        }
    }

    private Tri AnySource(ImmutableArray<string> sources)
    {
        var result = Tri.No;
        foreach (var source in sources)
        {
            var cidr = source.Contains('/', StringComparison.Ordinal) ? source : source + (source.Contains(':', StringComparison.Ordinal) ? "/128" : "/32");
            if (IpText.TryParseCidr(cidr, out var range))
            {
                var inside = _facts.SourceIn(range);
                result = inside > result ? inside : result;
            }
        }

        return result;
    }

    /// <summary>The filter hook a connection nothing DNATed reaches, and the checks there.</summary>
    private State Filter(State state)
    {
        var toNode = _facts.DestinationLocal() == Tri.Yes;
        if (!Output && toNode && ToNodePortAddress && ElementOf(NftablesNames.NoEndpointNodePorts, PortKey) is { } nodePort)
        {
            return Verdict(state.With(Base("hook-input-nodeports")).With(Base("nodeport-noendpoints-lookup")).With(nodePort), nodePort);
        }

        if (ElementOf(NftablesNames.NoEndpointServices, AddressKey) is { } service)
        {
            var hook = Output ? "hook-output-endpoints" : toNode ? "hook-input-endpoints" : "hook-forward-endpoints";
            return Verdict(state.With(Base(hook)).With(Base("service-noendpoints-lookup")).With(service), service);
        }

        if (toNode)
        {
            return state;
        }

        var clusterIpsHook = Base(Output ? "hook-output-clusterips" : "hook-forward-clusterips");
        if (_elements[NftablesNames.ClusterIps].FirstOrDefault(e => e.Key == _facts.Destination!.ToString()) is { } clusterIp)
        {
            return state.With(clusterIpsHook).With(clusterIp).With(Base("cluster-ips-reject")).End(KubeProxyOutcome.Rejected);
        }

        if (_set.ServiceCidrs.Any(c => c.Contains(_facts.Destination!)))
        {
            return state.With(clusterIpsHook).With(Base("cluster-ips-drop")).End(KubeProxyOutcome.Dropped);
        }

        return state;
    }

    private State Verdict(State state, NftStatement element) =>
        element.Value == "drop"
            ? state.End(KubeProxyOutcome.Dropped)
            : state.With(Base("reject")).End(KubeProxyOutcome.Rejected);

    private State Postrouting(State state)
    {
        var passed = state.With(Base("hook-nat-postrouting"));
        return state.Masqueraded
            ? passed.With(Base("masq-clear")).With(Base("masq"))
            : passed.With(Base("masq-return"));
    }
}
