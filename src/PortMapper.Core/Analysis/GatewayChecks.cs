using System.Collections.Immutable;
using System.Globalization;
using PortMapper.Core.Gateway;
using PortMapper.Core.Model;

namespace PortMapper.Core.Analysis;

/// <summary>
/// The Gateway API findings that compare objects: listeners in conflict on one port (PM606), a Gateway whose class
/// does not exist (PM608), and route matches that never receive a request because another takes precedence for every
/// request they match (PM605).
/// </summary>
internal static class GatewayChecks
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private sealed record Entry(HttpRoute Route, int Parent, ImmutableArray<string> Hostnames);

    public static UnitResult Check(ClusterIndex index)
    {
        var s = index.Snapshot;
        if (s.Gateways.IsEmpty)
        {
            return UnitResult.Empty;
        }

        var diags = new List<Diagnostic>();
        var attached = new Dictionary<(ObjectKey Gateway, string Listener), List<Entry>>();
        foreach (var route in s.Routes.Values.OrderBy(r => r.Metadata.Namespace, StringComparer.Ordinal).ThenBy(r => r.Metadata.Name, StringComparer.Ordinal).ThenBy(r => r.Kind, StringComparer.Ordinal))
        {
            foreach (var a in GatewayRouting.Attach(route, s))
            {
                if (a.Accepted)
                {
                    var key = (a.Gateway, a.Listener!.Name);
                    if (!attached.TryGetValue(key, out var list))
                    {
                        attached[key] = list = [];
                    }

                    list.Add(new Entry(route, a.ParentIndex, a.Hostnames));
                }
            }
        }

        var classesKnown = !s.GatewayClasses.IsEmpty || s.EndpointSlicesAuthoritative;
        foreach (var gateway in s.Gateways.Values.OrderBy(g => g.Key()))
        {
            var gref = new ObjectRef("Gateway", gateway.Metadata.Namespace, gateway.Metadata.Name);
            IEnumerable<string> PathsOf(string listener) => attached.TryGetValue((gateway.Key(), listener), out var es) ? es.SelectMany(e => PathIds(e, listener)) : [];

            if (classesKnown && gateway.GatewayClassName is { Length: > 0 } cls && !s.GatewayClasses.ContainsKey(cls))
            {
                diags.Add(new Diagnostic
                {
                    Code = Codes.GatewayClassMissing,
                    Severity = Severity.Warning,
                    Object = gref,
                    Field = "spec.gatewayClassName",
                    Hop = HopKind.Gateway,
                    Message = $"Gateway {gateway.Metadata.Namespace}/{gateway.Metadata.Name} asks for GatewayClass \"{cls}\", which does not exist: no controller programs it.",
                    Fix = s.GatewayClasses.IsEmpty
                        ? "Install a Gateway API implementation (it creates a GatewayClass), then set spec.gatewayClassName to it."
                        : $"Set spec.gatewayClassName to one of: {string.Join(", ", s.GatewayClasses.Keys.Order(StringComparer.Ordinal))}.",
                    Paths = [.. gateway.Listeners.SelectMany(l => PathsOf(l.Name))],
                });
            }

            diags.AddRange(ListenerConflicts(gateway, gref, PathsOf));
            foreach (var listener in gateway.Listeners)
            {
                if (attached.TryGetValue((gateway.Key(), listener.Name), out var entries))
                {
                    diags.AddRange(Shadowed(gateway, listener, entries));
                }
            }
        }

        return new UnitResult([], [.. diags]);
    }

    private static IEnumerable<string> PathIds(Entry e, string listener) =>
        Enumerable.Range(0, e.Route.Rules.Length).SelectMany(r => RulePathIds(e, listener, r));

    /// <summary>The ids <see cref="UnitAnalysis.AnalyzeRoute"/> gives the paths of rule <paramref name="r"/>.</summary>
    private static IEnumerable<string> RulePathIds(Entry e, string listener, int r) =>
        UnitAnalysis.PathBackends(e.Route.Rules[r]).Select(k => UnitAnalysis.RoutePathId(e.Route, e.Parent, listener, r, k));

    /// <summary>
    /// Listeners that share a port must be compatible (the Gateway spec's Conflicted condition): one protocol family per
    /// port (HTTP; HTTPS and TLS; TCP; UDP), and within it distinct hostnames.
    /// </summary>
    private static IEnumerable<Diagnostic> ListenerConflicts(Model.Gateway gateway, ObjectRef gref, Func<string, IEnumerable<string>> pathsOf)
    {
        static string Family(string protocol) => protocol switch
        {
            "HTTPS" or "TLS" => "TLS",
            _ => protocol,
        };

        for (var i = 0; i < gateway.Listeners.Length; i++)
        {
            var l = gateway.Listeners[i];
            var earlier = gateway.Listeners.Take(i).Where(o => o.Port == l.Port).ToList();
            // UDP is a transport of its own: a UDP and a TCP-based listener on one port number do not collide.
            var protocol = earlier.FirstOrDefault(o => Family(o.Protocol) != Family(l.Protocol) && (o.Protocol == "UDP") == (l.Protocol == "UDP"));
            var hostname = earlier.FirstOrDefault(o => Family(o.Protocol) == Family(l.Protocol) && string.Equals(o.Hostname, l.Hostname, StringComparison.OrdinalIgnoreCase));
            var other = protocol ?? hostname;
            if (other is null)
            {
                continue;
            }

            var reason = protocol is not null ? "ProtocolConflict" : "HostnameConflict";
            yield return new Diagnostic
            {
                Code = Codes.GatewayListenerConflict,
                Severity = Severity.Error,
                Object = gref,
                Field = $"spec.listeners[{i.ToString(Inv)}]",
                Hop = HopKind.Gateway,
                Message = protocol is not null
                    ? $"Listener {l.Name} ({l.Protocol}) of Gateway {gateway.Metadata.Namespace}/{gateway.Metadata.Name} shares port {l.Port.ToString(Inv)} with listener {other.Name} ({other.Protocol}): one port cannot carry both protocols (Conflicted: {reason}); the implementation refuses one of them."
                    : $"Listener {l.Name} of Gateway {gateway.Metadata.Namespace}/{gateway.Metadata.Name} has the same port {l.Port.ToString(Inv)}, protocol family and hostname ({l.Hostname ?? "none"}) as listener {other.Name} (Conflicted: {reason}): requests cannot be told apart, and the implementation refuses one of them.",
                Fix = protocol is not null
                    ? $"Move listener {l.Name} to a port of its own."
                    : $"Give listener {l.Name} a different hostname or port, or merge the two listeners.",
                // Which listener of a conflicting set loses is the implementation's choice; the later one is named and marked.
                Paths = [.. pathsOf(l.Name)],
            };
        }
    }

    /// <summary>
    /// PM605: a match of a route whose every request another match takes, by the HTTPRoute precedence (hostname first,
    /// then path, method, headers, query parameters, age, name). Found by asking <see cref="GatewayRouting.Choose"/> for
    /// the match's own most typical request, then checking that the winner matches every request the loser matches.
    /// Regular expressions are not compared (no false alarm where PortMapper cannot prove it).
    /// </summary>
    private static IEnumerable<Diagnostic> Shadowed(Model.Gateway gateway, GatewayListener listener, List<Entry> entries)
    {
        // Candidates by the host they serve, so one probe reads the routes of its host, not every route on the listener.
        var exact = new Dictionary<string, List<Entry>>(StringComparer.OrdinalIgnoreCase);
        var general = new List<Entry>();
        foreach (var e in entries)
        {
            if (e.Hostnames.IsDefaultOrEmpty || e.Hostnames.Any(h => h.StartsWith("*.", StringComparison.Ordinal)))
            {
                general.Add(e);
            }

            foreach (var h in e.Hostnames.IsDefaultOrEmpty ? [] : e.Hostnames.Where(h => !h.StartsWith("*.", StringComparison.Ordinal)))
            {
                if (!exact.TryGetValue(h, out var list))
                {
                    exact[h] = list = [];
                }

                list.Add(e);
            }
        }

        foreach (var e in entries)
        {
            var hosts = e.Hostnames.IsDefaultOrEmpty ? [listener.Hostname ?? "*"] : e.Hostnames;
            for (var r = 0; r < e.Route.Rules.Length; r++)
            {
                var matches = e.Route.Rules[r].EffectiveMatches;
                for (var m = 0; m < matches.Length; m++)
                {
                    var match = matches[m];
                    if (HasRegex(match))
                    {
                        continue;
                    }

                    RuleChoice? winner = null;
                    Entry? winnerEntry = null;
                    var everywhere = true;
                    foreach (var host in hosts)
                    {
                        var probe = Probe(match, host);
                        var candidates = (exact.TryGetValue(probe.Host, out var list) ? list : []).Concat(general)
                            .Where(c => c.Route.Kind == e.Route.Kind).Distinct().ToList();
                        var choice = GatewayRouting.Choose(candidates.Select(c => (c.Route, c.Hostnames)), probe);
                        var owner = choice is null ? null : candidates.First(c => ReferenceEquals(c.Route, choice.Route));
                        if (choice is null || owner is null || (ReferenceEquals(choice.Route, e.Route) && choice.RuleIndex == r)
                            || !Covers(choice.Route.Rules[choice.RuleIndex].EffectiveMatches[choice.MatchIndex], match) || !HostCovers(owner.Hostnames, host))
                        {
                            everywhere = false;
                            break;
                        }

                        winner ??= choice;
                        winnerEntry ??= owner;
                    }

                    if (!everywhere || winner is null || winnerEntry is null)
                    {
                        continue;
                    }

                    var w = winner.Route;
                    var wm = w.Rules[winner.RuleIndex].EffectiveMatches[winner.MatchIndex];
                    var same = ReferenceEquals(w, e.Route);
                    yield return new Diagnostic
                    {
                        Code = Codes.GatewayRuleShadowed,
                        Severity = Severity.Warning,
                        Object = e.Route.Ref(),
                        Field = e.Route.Rules[r].Matches.IsDefaultOrEmpty ? $"spec.rules[{r.ToString(Inv)}]" : $"spec.rules[{r.ToString(Inv)}].matches[{m.ToString(Inv)}]",
                        Hop = HopKind.Gateway,
                        Message = $"{e.Route.Kind} {e.Route.Metadata.Namespace}/{e.Route.Metadata.Name} rule {r.ToString(Inv)} ({GatewayRouting.Describe(e.Route, match)}) never receives a request on listener {listener.Name} of Gateway {gateway.Metadata.Namespace}/{gateway.Metadata.Name}: "
                            + $"{(same ? "its own" : $"{w.Kind} {w.Metadata.Namespace}/{w.Metadata.Name}")} rule {winner.RuleIndex.ToString(Inv)} ({GatewayRouting.Describe(w, wm)}) matches every request it matches and comes first ({Why(winnerEntry, wm, e, match, hosts[0], same)}).",
                        Fix = same
                            ? $"Remove the rule, or make it more specific than rule {winner.RuleIndex.ToString(Inv)} (a longer path, a header or method match)."
                            : $"Make the rule more specific than {w.Metadata.Namespace}/{w.Metadata.Name}'s (a longer path, an exact hostname, a header or method match), or narrow that one.",
                        Paths = [.. RulePathIds(e, listener.Name, r)],
                    };
                }
            }
        }
    }

    private static bool HasRegex(HttpRouteMatch m) =>
        m.Path.Type == "RegularExpression"
        || (!m.Headers.IsDefaultOrEmpty && m.Headers.Any(h => h.Type != "Exact"))
        || (!m.QueryParams.IsDefaultOrEmpty && m.QueryParams.Any(q => q.Type != "Exact"));

    /// <summary>The request a match is written for: its path, method, headers and query, on one of its hosts.</summary>
    private static GatewayRequest Probe(HttpRouteMatch m, string host)
    {
        var h = host == "*" ? "portmapper-probe.invalid" : host.StartsWith("*.", StringComparison.Ordinal) ? "portmapper-probe" + host[1..] : host;
        var path = m.Path.Value.Length == 0 ? "/" : m.Path.Value;
        return new GatewayRequest(h, path)
        {
            Method = m.Method ?? "GET",
            Headers = (m.Headers.IsDefaultOrEmpty ? [] : m.Headers).ToImmutableDictionary(x => x.Name, x => x.Value, StringComparer.OrdinalIgnoreCase),
            Query = (m.QueryParams.IsDefaultOrEmpty ? [] : m.QueryParams).ToImmutableDictionary(x => x.Name, x => x.Value, StringComparer.Ordinal),
        };
    }

    /// <summary>Whether <paramref name="winner"/> matches every request <paramref name="loser"/> matches.</summary>
    private static bool Covers(HttpRouteMatch winner, HttpRouteMatch loser)
    {
        if (HasRegex(winner))
        {
            return false;
        }

        var pathOk = winner.Path.Type switch
        {
            "Exact" => loser.Path.Type == "Exact" && loser.Path.Value == winner.Path.Value,
            "PathPrefix" => loser.Path.Type is "Exact" or "PathPrefix" && GatewayRouting.PrefixMatches(winner.Path.Value, loser.Path.Type == "PathPrefix" ? loser.Path.Value.TrimEnd('/') is { Length: > 0 } p ? p : "/" : loser.Path.Value),
            _ => false,
        };
        return pathOk
            && (winner.Method is null || winner.Method == loser.Method)
            && (winner.Headers.IsDefaultOrEmpty || winner.Headers.All(h => !loser.Headers.IsDefaultOrEmpty && loser.Headers.Any(l => string.Equals(l.Name, h.Name, StringComparison.OrdinalIgnoreCase) && l.Value == h.Value && l.Type == "Exact")))
            && (winner.QueryParams.IsDefaultOrEmpty || winner.QueryParams.All(q => !loser.QueryParams.IsDefaultOrEmpty && loser.QueryParams.Any(l => l.Name == q.Name && l.Value == q.Value && l.Type == "Exact")));
    }

    /// <summary>Whether a route serving <paramref name="hostnames"/> (empty: all the listener's) takes every request for <paramref name="host"/>.</summary>
    private static bool HostCovers(ImmutableArray<string> hostnames, string host) =>
        hostnames.IsDefaultOrEmpty || hostnames.Any(h => string.Equals(GatewayRouting.Intersect(h, host), host, StringComparison.OrdinalIgnoreCase));

    private static string Why(Entry winner, HttpRouteMatch wm, Entry loser, HttpRouteMatch lm, string host, bool same)
    {
        if (same)
        {
            return "rules are tried in order when their matches rank equal";
        }

        static int Specific(ImmutableArray<string> hs, string host) =>
            hs.IsDefaultOrEmpty ? 0 : hs.Where(h => GatewayRouting.HostMatches(h, host.StartsWith("*.", StringComparison.Ordinal) ? "portmapper-probe" + host[1..] : host)).Select(h => h.StartsWith("*.", StringComparison.Ordinal) ? h.Length - 2 : h.Length * 2).DefaultIfEmpty(0).Max();

        if (Specific(winner.Hostnames, host) != Specific(loser.Hostnames, host))
        {
            return "a more specific hostname wins before any path is compared";
        }

        if ((wm.Path.Type == "Exact") != (lm.Path.Type == "Exact"))
        {
            return "an Exact path comes before a prefix";
        }

        if (wm.Path.Value.TrimEnd('/').Length != lm.Path.Value.TrimEnd('/').Length)
        {
            return "the longer path prefix comes first";
        }

        if ((wm.Method is null) != (lm.Method is null) || wm.Headers.Length != lm.Headers.Length || wm.QueryParams.Length != lm.QueryParams.Length)
        {
            return "more method, header and query conditions come first";
        }

        var wc = winner.Route.Metadata.CreationTimestamp;
        var lc = loser.Route.Metadata.CreationTimestamp;
        return wc != lc && wc is not null
            ? $"the two match alike and the older route wins: it was created {wc}"
            : $"the two match alike and are as old, so {winner.Route.Metadata.Namespace}/{winner.Route.Metadata.Name} wins alphabetically";
    }
}
