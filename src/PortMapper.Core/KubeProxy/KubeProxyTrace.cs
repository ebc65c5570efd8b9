using System.Collections.Immutable;
using System.Net;
using PortMapper.Core.Model;

namespace PortMapper.Core.KubeProxy;

/// <summary>Where a traced connection comes from.</summary>
public enum RequestSource
{
    /// <summary>A pod on this node (inside the cluster CIDR).</summary>
    Pod,

    /// <summary>A client outside the cluster, arriving over the network.</summary>
    External,

    /// <summary>A process on the node itself (or a hostNetwork pod): the source is one of the node's addresses.</summary>
    Node,
}

/// <summary>A new connection to trace through a <see cref="KubeProxyRuleSet"/>.</summary>
public sealed record KubeProxyRequest(string DestinationIp, int DestinationPort, string Protocol = Protocols.Tcp)
{
    public RequestSource Source { get; init; } = RequestSource.Pod;

    /// <summary>
    /// The client's address. Null means any client of <see cref="Source"/>: some pod in the cluster CIDR
    /// other than this Service's own endpoints, some address outside it, or the node's own address.
    /// </summary>
    public string? SourceIp { get; init; }
}

public enum KubeProxyOutcome
{
    /// <summary>The destination was rewritten to an endpoint.</summary>
    Dnat,

    /// <summary>Refused at once (the Service has no endpoints).</summary>
    Rejected,

    /// <summary>Silently dropped (no local endpoint, or a source outside loadBalancerSourceRanges).</summary>
    Dropped,

    /// <summary>Explicitly accepted (the health-check node port).</summary>
    Accepted,

    /// <summary>No rule of this Service touched the connection; it goes wherever the node routes it.</summary>
    Untouched,
}

/// <summary>One way a connection can go: the rules it matches in order, and where it ends.</summary>
/// <param name="Destination">The endpoint ("IP:port") for <see cref="KubeProxyOutcome.Dnat"/>.</param>
/// <param name="Masqueraded">Whether the source is rewritten to the node's address on the way out.</param>
public sealed record KubeProxyPath(ImmutableArray<KubeProxyRule> Rules, KubeProxyOutcome Outcome, string? Destination, bool Masqueraded);

/// <summary>Every path a traced connection can take; more than one when kube-proxy picks an endpoint at random.</summary>
public sealed record KubeProxyTrace(KubeProxyRequest Request, ImmutableArray<KubeProxyPath> Paths)
{
    /// <summary>The rules on any path, each once, in the order first reached: what a trace view highlights.</summary>
    public ImmutableArray<KubeProxyRule> Rules => [.. Paths.SelectMany(p => p.Rules).Distinct()];

    /// <summary>Every endpoint the connection may be sent to.</summary>
    public ImmutableArray<string> Destinations => [.. Paths.Where(p => p.Destination is not null).Select(p => p.Destination!).Distinct()];
}

/// <summary>
/// Walks a connection through the rule set like netfilter would for its first packet: nat PREROUTING
/// (or OUTPUT for the node's own traffic), then, if nothing DNATed it, the filter hook it reaches.
/// Matches that depend on a random draw, on a client's affinity history or on an unknown source address
/// are followed both ways, so the paths cover every possibility.
/// </summary>
internal sealed class TraceWalker
{
    // Paths grow linearly with endpoints (each probabilistic rule either ends in a DNAT or falls through);
    // the cap only guards against a pathological rule set.
    private const int MaxPaths = 4096;

    private readonly KubeProxyRuleSet _set;
    private readonly KubeProxyRequest _request;
    private readonly TraceContext _context;
    private readonly IPAddress? _destination;
    private readonly IPAddress? _source;
    private readonly string _protocol;
    private readonly Dictionary<(string Table, string Chain), List<KubeProxyRule>> _chains;
    private readonly List<State> _finished = [];

    private sealed record State(ImmutableList<KubeProxyRule> Rules, bool Marked)
    {
        public KubeProxyOutcome Outcome { get; init; } = KubeProxyOutcome.Untouched;

        public string? Destination { get; init; }

        public State With(KubeProxyRule rule) => this with { Rules = Rules.Add(rule) };
    }

    private readonly PacketFacts _facts;

    public TraceWalker(KubeProxyRuleSet set, KubeProxyRequest request)
    {
        _set = set;
        _request = request;
        _context = set.Context;
        _protocol = request.Protocol.ToLowerInvariant();
        _destination = IpText.TryNormalize(request.DestinationIp, out var destination) ? destination : null;
        _source = IpText.TryNormalize(request.SourceIp, out var source) ? source
            : request.Source == RequestSource.Node ? _context.NodeIp
            : null;
        _facts = new PacketFacts(_context, request);
        _chains = set.Rules
            .GroupBy(r => (r.Table, r.Chain))
            .ToDictionary(g => g.Key, g => g.ToList());
    }

    public KubeProxyTrace Run()
    {
        if (_destination is null || _set.NoRulesReason is not null)
        {
            return new KubeProxyTrace(_request, [new KubeProxyPath([], KubeProxyOutcome.Untouched, null, false)]);
        }

        var start = new State([], false);
        var natHook = _request.Source == RequestSource.Node ? "OUTPUT" : "PREROUTING";
        foreach (var untouched in Walk("nat", natHook, start))
        {
            foreach (var hook in FilterHooks())
            {
                foreach (var passed in Walk("filter", hook, untouched))
                {
                    _finished.Add(passed);
                }
            }
        }

        var paths = _finished.Select(s => s.Outcome == KubeProxyOutcome.Dnat ? Postrouting(s) : s)
            .Select(s => new KubeProxyPath([.. s.Rules], s.Outcome, s.Destination, s.Outcome == KubeProxyOutcome.Dnat && s.Marked))
            .Distinct(PathComparer.Instance)
            .ToImmutableArray();
        return new KubeProxyTrace(_request, paths);
    }

    /// <summary>The filter hook an un-DNATed packet reaches: OUTPUT for the node's own traffic, INPUT for the node's addresses, FORWARD otherwise.</summary>
    private IEnumerable<string> FilterHooks()
    {
        if (_request.Source == RequestSource.Node)
        {
            return ["OUTPUT"];
        }

        return DestinationLocal() switch
        {
            Tri.Yes => ["INPUT"],
            Tri.No => ["FORWARD"],
            _ => ["INPUT", "FORWARD"],
        };
    }

    /// <summary>Adds the KUBE-POSTROUTING rules a DNATed packet meets on its way out.</summary>
    private State Postrouting(State state)
    {
        foreach (var rule in Rules("nat", "POSTROUTING").Concat(Rules("nat", KubeProxyChains.Postrouting)))
        {
            if (rule.Match.Marked is { } marked && marked != state.Marked)
            {
                continue;
            }

            state = state.With(rule);
            if (rule.Jump == "RETURN")
            {
                break;
            }
        }

        return state;
    }

    private List<KubeProxyRule> Rules(string table, string chain) =>
        _chains.TryGetValue((table, chain), out var rules) ? rules : [];

    /// <summary>Runs the packet through a chain; returns the states that reach its end (and so return to the caller).</summary>
    private List<State> Walk(string table, string chain, State state)
    {
        var current = new List<State> { state };
        foreach (var rule in Rules(table, chain))
        {
            var next = new List<State>();
            foreach (var s in current)
            {
                var match = Evaluate(rule.Match);
                if (match != Tri.Yes)
                {
                    next.Add(s);
                }

                if (match != Tri.No)
                {
                    next.AddRange(Apply(table, rule, s.With(rule)));
                }
            }

            if (next.Count + _finished.Count > MaxPaths)
            {
                throw new InvalidOperationException($"Tracing {_request.DestinationIp}:{_request.DestinationPort} through {_set.Service} produced more than {MaxPaths} paths.");
            }

            current = next;
        }

        return current;
    }

    /// <summary>What a matched rule does; returns the states that carry on in the same chain.</summary>
    private IEnumerable<State> Apply(string table, KubeProxyRule rule, State state)
    {
        switch (rule.Jump)
        {
            case null:
                return [state];
            case "MARK":
                return [state with { Marked = true }];
            case "DNAT":
                _finished.Add(state with { Outcome = KubeProxyOutcome.Dnat, Destination = rule.Match.DnatTo });
                return [];
            case "REJECT":
                _finished.Add(state with { Outcome = KubeProxyOutcome.Rejected });
                return [];
            case "DROP":
                _finished.Add(state with { Outcome = KubeProxyOutcome.Dropped });
                return [];
            case "ACCEPT":
                _finished.Add(state with { Outcome = KubeProxyOutcome.Accepted });
                return [];
            default:
                return Walk(table, rule.Jump, state);
        }
    }

    private Tri Evaluate(RuleMatch m) => _facts.Evaluate(m);

    private Tri DestinationLocal() => _facts.DestinationLocal();

    /// <summary>Paths equal in rules and ending; two branches of an unknown match often converge.</summary>
    private sealed class PathComparer : IEqualityComparer<KubeProxyPath>
    {
        public static PathComparer Instance { get; } = new();

        public bool Equals(KubeProxyPath? x, KubeProxyPath? y) =>
            x is not null && y is not null && x.Outcome == y.Outcome && x.Destination == y.Destination
            && x.Masqueraded == y.Masqueraded && x.Rules.SequenceEqual(y.Rules);

        public int GetHashCode(KubeProxyPath obj) => HashCode.Combine(obj.Outcome, obj.Destination, obj.Rules.Length);
    }
}
