using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.Gateway;

/// <summary>Why a route's parentRef attached to a listener, or why not (the spec's RouteConditionReason names).</summary>
public enum AttachmentReason
{
    Accepted,

    /// <summary>No such Gateway, or no listener with that sectionName / port.</summary>
    NoMatchingParent,

    /// <summary>The listener's allowedRoutes refuse the route's namespace or kind, or its protocol does not carry the kind.</summary>
    NotAllowedByListeners,

    /// <summary>The route's hostnames and the listener's hostname do not intersect.</summary>
    NoMatchingListenerHostname,
}

/// <summary>One parentRef of a route against one listener of its Gateway (or against nothing when the parent is missing).</summary>
/// <param name="Hostnames">For an accepted attachment: the hostnames the route serves on this listener (the intersection);
/// empty means every hostname the listener accepts.</param>
public sealed record RouteAttachment(int ParentIndex, ObjectKey Gateway, GatewayListener? Listener, AttachmentReason Reason, string Message, ImmutableArray<string> Hostnames)
{
    public bool Accepted => Reason == AttachmentReason.Accepted;
}

/// <summary>An HTTP request as the Gateway sees it.</summary>
public sealed record GatewayRequest(string Host, string Path)
{
    public string Method { get; init; } = "GET";

    public ImmutableDictionary<string, string> Headers { get; init; } = ImmutableDictionary.Create<string, string>(StringComparer.OrdinalIgnoreCase);

    public ImmutableDictionary<string, string> Query { get; init; } = ImmutableDictionary.Create<string, string>(StringComparer.Ordinal);
}

/// <summary>The rule that wins a request: the route, the rule's index, the match's index.</summary>
public sealed record RuleChoice(HttpRoute Route, int RuleIndex, int MatchIndex)
{
    public HttpRouteRule Rule => Route.Rules[RuleIndex];
}

/// <summary>
/// The Gateway API's routing rules (gateway.networking.k8s.io v1.3.0 spec text: Gateway listeners, HTTPRoute
/// parentRefs, hostnames and rules), exactly as written there: attachment of routes to listeners, the hostname
/// intersection, and the precedence that picks one rule across every route on a listener.
/// </summary>
public static class GatewayRouting
{
    /// <summary>
    /// Every attachment of <paramref name="route"/>: per parentRef, one entry per listener it selects (or one refusal).
    /// <paramref name="namespaceLabels"/> gives a namespace's labels for allowedRoutes Selector (null: unknown namespace).
    /// </summary>
    public static ImmutableArray<RouteAttachment> Attach(HttpRoute route, Func<ObjectKey, Model.Gateway?> gateways, Func<string, IReadOnlyDictionary<string, string>?> namespaceLabels)
    {
        ArgumentNullException.ThrowIfNull(route);
        var result = ImmutableArray.CreateBuilder<RouteAttachment>();
        for (var i = 0; i < route.ParentRefs.Length; i++)
        {
            var parent = route.ParentRefs[i];
            var key = new ObjectKey(parent.Namespace ?? route.Metadata.Namespace, parent.Name);
            if (parent.Group != GatewayApi.Group || parent.Kind != "Gateway")
            {
                result.Add(new RouteAttachment(i, key, null, AttachmentReason.NoMatchingParent, $"parentRefs[{i}] is a {parent.Kind} of group \"{parent.Group}\", not a Gateway: PortMapper models Gateway parents only.", []));
                continue;
            }

            if (gateways(key) is not { } gateway)
            {
                result.Add(new RouteAttachment(i, key, null, AttachmentReason.NoMatchingParent, $"parentRefs[{i}] names Gateway {key}, which does not exist: the route is attached to nothing.", []));
                continue;
            }

            // sectionName and port narrow the listeners; both must match when both are set (ParentReference).
            var selected = gateway.Listeners.Where(l => (parent.SectionName is null || l.Name == parent.SectionName) && (parent.Port is null || l.Port == parent.Port)).ToList();
            if (selected.Count == 0)
            {
                var which = string.Join(" and ", new[] { parent.SectionName is null ? null : $"sectionName {parent.SectionName}", parent.Port is null ? null : $"port {parent.Port}" }.OfType<string>());
                result.Add(new RouteAttachment(i, key, null, AttachmentReason.NoMatchingParent, $"Gateway {key} has no listener with {which} (listeners: {string.Join(", ", gateway.Listeners.Select(l => $"{l.Name}:{l.Port}/{l.Protocol}"))}): parentRefs[{i}] attaches to nothing.", []));
                continue;
            }

            var accepted = new List<RouteAttachment>();
            var refusals = new List<RouteAttachment>();
            foreach (var listener in selected)
            {
                var attachment = AttachTo(route, i, key, gateway, listener, namespaceLabels);
                (attachment.Accepted ? accepted : refusals).Add(attachment);
            }

            // A parentRef is accepted when at least one selected listener accepts it; report the refusals only when none does.
            result.AddRange(accepted.Count > 0 ? accepted : refusals);
        }

        return result.ToImmutable();
    }

    /// <summary><see cref="Attach(HttpRoute, Func{ObjectKey, Model.Gateway?}, Func{string, IReadOnlyDictionary{string, string}?})"/> against a snapshot's Gateways and namespace labels.</summary>
    public static ImmutableArray<RouteAttachment> Attach(HttpRoute route, ClusterSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return Attach(route, k => snapshot.Gateways.GetValueOrDefault(k), ns => snapshot.Namespaces.TryGetValue(ns, out var n) ? n.Metadata.Labels : null);
    }

    private static RouteAttachment AttachTo(HttpRoute route, int i, ObjectKey key, Model.Gateway gateway, GatewayListener listener, Func<string, IReadOnlyDictionary<string, string>?> namespaceLabels)
    {
        var ns = route.Metadata.Namespace;
        if (!listener.SupportedKinds.Contains(route.Kind))
        {
            return new RouteAttachment(i, key, listener, AttachmentReason.NotAllowedByListeners,
                $"Listener {listener.Name} of Gateway {key} ({listener.Protocol}) does not admit {route.Kind}s (it admits {(listener.SupportedKinds.IsEmpty ? "no route kind" : string.Join(", ", listener.SupportedKinds))}).", []);
        }

        var allowed = listener.AllowedRoutes;
        var admitted = allowed.From switch
        {
            "All" => true,
            "Selector" => allowed.Selector is { } selector && namespaceLabels(ns) is { } labels && selector.Matches(labels),
            _ => ns == gateway.Metadata.Namespace,
        };
        if (!admitted)
        {
            var why = allowed.From switch
            {
                "Selector" => $"its allowedRoutes.namespaces.selector does not select namespace {ns}",
                _ => $"it admits routes from its own namespace {gateway.Metadata.Namespace} only (allowedRoutes.namespaces.from: Same, the default)",
            };
            return new RouteAttachment(i, key, listener, AttachmentReason.NotAllowedByListeners, $"Listener {listener.Name} of Gateway {key} refuses {route.Kind} {ns}/{route.Metadata.Name}: {why}.", []);
        }

        if (route.Hostnames.IsDefaultOrEmpty)
        {
            return new RouteAttachment(i, key, listener, AttachmentReason.Accepted, $"Attached to listener {listener.Name} of Gateway {key}.", listener.Hostname is null ? [] : [listener.Hostname]);
        }

        var served = route.Hostnames.Select(h => Intersect(listener.Hostname, h)).OfType<string>().Distinct(StringComparer.OrdinalIgnoreCase).ToImmutableArray();
        return served.IsEmpty
            ? new RouteAttachment(i, key, listener, AttachmentReason.NoMatchingListenerHostname,
                $"None of the route's hostnames ({string.Join(", ", route.Hostnames)}) intersects hostname {listener.Hostname} of listener {listener.Name} of Gateway {key}.", [])
            : new RouteAttachment(i, key, listener, AttachmentReason.Accepted, $"Attached to listener {listener.Name} of Gateway {key} for {string.Join(", ", served)}.", served);
    }

    /// <summary>
    /// The intersection of a listener hostname (null: any) and a route hostname, as the HTTPRoute spec defines it:
    /// equal names; a wildcard "*.example.com" covers every name below example.com (one label or more) but not
    /// example.com itself; of a wildcard and a name it covers, the name; of two wildcards, the narrower. Null: none.
    /// </summary>
    public static string? Intersect(string? listener, string route)
    {
        if (listener is null)
        {
            return route;
        }

        if (string.Equals(listener, route, StringComparison.OrdinalIgnoreCase))
        {
            return route;
        }

        if (Covers(listener, route))
        {
            return route;
        }

        return Covers(route, listener) ? listener : null;
    }

    /// <summary>Whether wildcard <paramref name="wildcard"/> ("*.x") covers <paramref name="name"/> (a name or a narrower wildcard).</summary>
    private static bool Covers(string wildcard, string name)
    {
        if (!wildcard.StartsWith("*.", StringComparison.Ordinal))
        {
            return false;
        }

        var suffix = wildcard[1..];
        var subject = name.StartsWith("*.", StringComparison.Ordinal) ? name[1..] : name;
        return subject.Length > suffix.Length && subject.EndsWith(suffix, StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether a request for <paramref name="host"/> falls under hostname <paramref name="hostname"/> (exact, or below a wildcard).</summary>
    public static bool HostMatches(string hostname, string host) =>
        string.Equals(hostname, host, StringComparison.OrdinalIgnoreCase)
        || (hostname.StartsWith("*.", StringComparison.Ordinal) && host.Length > hostname.Length - 1 && host.EndsWith(hostname[1..], StringComparison.OrdinalIgnoreCase));

    /// <summary>
    /// The listener of <paramref name="listeners"/> (one port of a Gateway) that takes a request for <paramref name="host"/>:
    /// an exact hostname before a wildcard, a longer wildcard before a shorter one, a listener without hostname last.
    /// </summary>
    public static GatewayListener? ListenerFor(IEnumerable<GatewayListener> listeners, string host) =>
        listeners
            .Where(l => l.Hostname is null || HostMatches(l.Hostname, host))
            .OrderBy(l => l.Hostname is null ? 2 : l.Hostname.StartsWith("*.", StringComparison.Ordinal) ? 1 : 0)
            .ThenByDescending(l => l.Hostname?.Length ?? 0)
            .FirstOrDefault();

    /// <summary>
    /// The rule that handles <paramref name="request"/> among <paramref name="routes"/> (each with the hostnames it serves
    /// on the listener; empty: all), by the HTTPRoute spec's precedence: first the routes whose matching hostname has the
    /// most non-wildcard characters, then the most characters; then across their rules an Exact path, then the longest
    /// PathPrefix, then a method match, the most header matches, the most query-parameter matches; then the oldest route,
    /// then "{namespace}/{name}" in alphabetical order; within a route the first matching rule. Null: 404.
    /// </summary>
    public static RuleChoice? Choose(IEnumerable<(HttpRoute Route, ImmutableArray<string> Hostnames)> routes, GatewayRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var candidates = new List<(RuleChoice Choice, (int Exact, int Any) Host, HttpRouteMatch Match)>();
        foreach (var (route, hostnames) in routes)
        {
            (int, int)? host = hostnames.IsDefaultOrEmpty ? (0, 0) : null;
            foreach (var h in hostnames.IsDefaultOrEmpty ? [] : hostnames)
            {
                if (HostMatches(h, request.Host))
                {
                    var score = h.StartsWith("*.", StringComparison.Ordinal) ? (0, h.Length) : (h.Length, h.Length);
                    host = host is { } best && best.CompareTo(score) >= 0 ? best : score;
                }
            }

            if (host is null)
            {
                continue;
            }

            for (var r = 0; r < route.Rules.Length; r++)
            {
                var matches = route.Rules[r].EffectiveMatches;
                for (var m = 0; m < matches.Length; m++)
                {
                    if (Matches(matches[m], request))
                    {
                        candidates.Add((new RuleChoice(route, r, m), host.Value, matches[m]));
                    }
                }
            }
        }

        return candidates
            .OrderByDescending(c => c.Host.Exact)
            .ThenByDescending(c => c.Host.Any)
            .ThenByDescending(c => c.Match.Path.Type == "Exact" ? 1 : 0)
            .ThenByDescending(c => c.Match.Path.Type == "PathPrefix" ? TrimmedPrefix(c.Match.Path.Value).Length : 0)
            .ThenByDescending(c => c.Match.Method is null ? 0 : 1)
            .ThenByDescending(c => c.Match.Headers.IsDefaultOrEmpty ? 0 : c.Match.Headers.Length)
            .ThenByDescending(c => c.Match.QueryParams.IsDefaultOrEmpty ? 0 : c.Match.QueryParams.Length)
            .ThenBy(c => c.Choice.Route.Metadata.CreationTimestamp ?? "9999", StringComparer.Ordinal)
            .ThenBy(c => $"{c.Choice.Route.Metadata.Namespace}/{c.Choice.Route.Metadata.Name}", StringComparer.Ordinal)
            .ThenBy(c => c.Choice.RuleIndex)
            .ThenBy(c => c.Choice.MatchIndex)
            .Select(c => c.Choice)
            .FirstOrDefault();
    }

    /// <summary>Whether one match accepts the request (all of its conditions: path, method, headers, query parameters).</summary>
    public static bool Matches(HttpRouteMatch match, GatewayRequest request)
    {
        var path = request.Path.Split('?', 2)[0];
        var pathOk = match.Path.Type switch
        {
            "Exact" => path == match.Path.Value,
            "PathPrefix" => PrefixMatches(match.Path.Value, path),
            "RegularExpression" => RegexMatches("^(?:" + match.Path.Value + ")$", path),
            _ => false,
        };
        if (!pathOk || (match.Method is { } method && !string.Equals(method, request.Method, StringComparison.Ordinal)))
        {
            return false;
        }

        foreach (var h in match.Headers.IsDefaultOrEmpty ? [] : match.Headers)
        {
            if (!request.Headers.TryGetValue(h.Name, out var value) || !ValueMatches(h, value))
            {
                return false;
            }
        }

        foreach (var q in match.QueryParams.IsDefaultOrEmpty ? [] : match.QueryParams)
        {
            if (!request.Query.TryGetValue(q.Name, out var value) || !ValueMatches(q, value))
            {
                return false;
            }
        }

        return true;
    }

    private static bool ValueMatches(HttpValueMatch m, string value) => m.Type == "RegularExpression" ? RegexMatches(m.Value, value) : value == m.Value;

    /// <summary>
    /// A RegularExpression match (its dialect is implementation-specific; .NET's is close to RE2 for what routes use).
    /// Route patterns are cluster data: an invalid one or one that runs too long matches nothing instead of failing.
    /// </summary>
    private static bool RegexMatches(string pattern, string input)
    {
        try
        {
            return System.Text.RegularExpressions.Regex.IsMatch(input, pattern, System.Text.RegularExpressions.RegexOptions.None, TimeSpan.FromMilliseconds(50));
        }
        catch (Exception e) when (e is ArgumentException or System.Text.RegularExpressions.RegexMatchTimeoutException)
        {
            return false;
        }
    }

    /// <summary>A match in a line: "PathPrefix /api, method GET, header x-canary=1" (a GRPCRoute's as "gRPC /service/method").</summary>
    public static string Describe(HttpRoute route, HttpRouteMatch m)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(m);
        if (GatewayApi.IsConnectionRoute(route.Kind))
        {
            return route.Kind == "TLSRoute" ? "every TLS connection for its hostnames (by SNI)" : "every TCP connection";
        }

        var parts = new List<string> { route.Kind == "GRPCRoute" && m.Path != HttpPathMatch.Default ? $"gRPC {m.Path.Value}" : $"{m.Path.Type} {m.Path.Value}" };
        if (m.Method is { } method)
        {
            parts.Add($"method {method}");
        }

        parts.AddRange((m.Headers.IsDefaultOrEmpty ? [] : m.Headers).Select(h => $"header {h.Name}{(h.Type == "Exact" ? "=" : "~")}{h.Value}"));
        parts.AddRange((m.QueryParams.IsDefaultOrEmpty ? [] : m.QueryParams).Select(q => $"query {q.Name}{(q.Type == "Exact" ? "=" : "~")}{q.Value}"));
        return string.Join(", ", parts);
    }

    /// <summary>PathPrefix matches by path element: "/foo" matches "/foo", "/foo/" and "/foo/bar", not "/foobar"; a trailing "/" is ignored.</summary>
    public static bool PrefixMatches(string prefix, string path)
    {
        var p = TrimmedPrefix(prefix);
        if (p.Length == 0)
        {
            return true;
        }

        return path.StartsWith(p, StringComparison.Ordinal) && (path.Length == p.Length || path[p.Length] == '/');
    }

    private static string TrimmedPrefix(string prefix) => prefix.TrimEnd('/');
}
