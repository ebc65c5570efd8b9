using System.Collections.Immutable;
using PortMapper.Core.Gateway;
using PortMapper.Core.Model;
using GatewayObject = PortMapper.Core.Model.Gateway;

namespace PortMapper.Core.Tests.Gateway;

/// <summary>
/// Golden cases of the Gateway API rules (gateway.networking.k8s.io v1.3.0). Each cites the spec text it checks:
/// "Listener" and "AllowedRoutes" (gateway_types.go), "ParentReference" (shared_types.go), "HTTPRouteSpec.Hostnames"
/// and "HTTPRouteRule" / "HTTPPathMatch" (httproute_types.go).
/// </summary>
public class GatewayRoutingTests
{
    private static ObjectMeta Meta(string ns, string name, string? created = null) => new() { Namespace = ns, Name = name, CreationTimestamp = created };

    private static GatewayObject Gw(params GatewayListener[] listeners) => new(Meta("infra", "shared")) { Listeners = [.. listeners] };

    private static GatewayListener Http(string name = "http", int port = 80, string? hostname = null, AllowedRoutes? allowed = null) =>
        new(name, port, "HTTP") { Hostname = hostname, AllowedRoutes = allowed ?? AllowedRoutes.Default };

    private static HttpRoute Route(string ns, string name, ParentRef[]? parents = null, string[]? hostnames = null, string? created = null, params HttpRouteRule[] rules) =>
        new(Meta(ns, name, created))
        {
            ParentRefs = [.. parents ?? [new ParentRef("shared") { Namespace = "infra" }]],
            Hostnames = [.. hostnames ?? []],
            Rules = [.. rules.Length == 0 ? [new HttpRouteRule { BackendRefs = [new BackendRef("web") { Port = 80 }] }] : rules],
        };

    private static HttpRouteRule Rule(params HttpRouteMatch[] matches) => new() { Matches = [.. matches], BackendRefs = [new BackendRef("web") { Port = 80 }] };

    private static HttpRouteMatch Prefix(string path) => new() { Path = new HttpPathMatch("PathPrefix", path) };

    private static HttpRouteMatch Exact(string path) => new() { Path = new HttpPathMatch("Exact", path) };

    private static ImmutableArray<RouteAttachment> Attach(HttpRoute route, GatewayObject gateway, IReadOnlyDictionary<string, string>? nsLabels = null) =>
        GatewayRouting.Attach(route, k => k == gateway.Key() ? gateway : null, _ => nsLabels);

    // ---------------------------------------------------------------- attachment

    [Fact] // AllowedRoutes.Namespaces.From: "Same" is the default: only routes in the Gateway's namespace.
    public void Attach_DefaultAllowedRoutes_RefusesARouteFromAnotherNamespace()
    {
        var a = Assert.Single(Attach(Route("shop", "web"), Gw(Http())));

        Assert.Equal(AttachmentReason.NotAllowedByListeners, a.Reason);
        Assert.Contains("own namespace infra only", a.Message, StringComparison.Ordinal);
    }

    [Fact] // From: All — routes in all namespaces may attach.
    public void Attach_FromAll_AcceptsAnyNamespace()
    {
        Assert.True(Assert.Single(Attach(Route("shop", "web"), Gw(Http(allowed: new AllowedRoutes("All", null, []))))).Accepted);
    }

    [Fact] // From: Selector — routes in namespaces selected by the selector (matchLabels and matchExpressions).
    public void Attach_FromSelector_UsesTheNamespacesLabelsWithMatchExpressions()
    {
        var selector = new LabelSelector(ImmutableDictionary<string, string>.Empty, [new LabelSelectorRequirement("team", "In", ["shop", "bank"])]);
        var gateway = Gw(Http(allowed: new AllowedRoutes("Selector", selector, [])));

        Assert.True(Assert.Single(Attach(Route("shop", "web"), gateway, new Dictionary<string, string> { ["team"] = "shop" })).Accepted);
        var refused = Assert.Single(Attach(Route("shop", "web"), gateway, new Dictionary<string, string> { ["team"] = "ops" }));
        Assert.Equal(AttachmentReason.NotAllowedByListeners, refused.Reason);
        Assert.Contains("selector does not select namespace shop", refused.Message, StringComparison.Ordinal);
    }

    [Fact] // ParentReference: a missing parent leaves the route attached to nothing.
    public void Attach_MissingGateway_NoMatchingParent()
    {
        var a = Assert.Single(Attach(Route("infra", "web", [new ParentRef("nope")]), Gw(Http())));

        Assert.Equal(AttachmentReason.NoMatchingParent, a.Reason);
        Assert.Contains("Gateway infra/nope, which does not exist", a.Message, StringComparison.Ordinal);
    }

    [Fact] // ParentReference.SectionName: the listener of that name only.
    public void Attach_SectionName_SelectsThatListenerOnly()
    {
        var gateway = Gw(Http("http", 80), Http("admin", 8080));

        var a = Assert.Single(Attach(Route("infra", "web", [new ParentRef("shared") { SectionName = "admin" }]), gateway));

        Assert.Equal("admin", a.Listener!.Name);
    }

    [Fact] // ParentReference.Port: listeners on that port; with sectionName, both must match.
    public void Attach_PortAndSectionNameThatDisagree_NoMatchingParent()
    {
        var gateway = Gw(Http("http", 80), Http("admin", 8080));

        var a = Assert.Single(Attach(Route("infra", "web", [new ParentRef("shared") { SectionName = "admin", Port = 80 }]), gateway));

        Assert.Equal(AttachmentReason.NoMatchingParent, a.Reason);
        Assert.Contains("sectionName admin and port 80", a.Message, StringComparison.Ordinal);
    }

    [Fact] // A parentRef without sectionName or port attaches to every listener that admits it.
    public void Attach_NoSectionName_AttachesToEveryAdmittingListener()
    {
        var gateway = Gw(Http("http", 80), new GatewayListener("https", 443, "HTTPS"), new GatewayListener("tls", 8443, "TLS"));

        var attached = Attach(Route("infra", "web"), gateway);

        Assert.Equal(["http", "https"], attached.Select(a => a.Listener!.Name));
    }

    [Fact] // Listener.AllowedRoutes.Kinds defaults to the kinds the protocol supports: a TLS listener takes TLSRoutes, not HTTPRoutes.
    public void Attach_TlsListenerOnly_NotAllowedByListeners()
    {
        var a = Assert.Single(Attach(Route("infra", "web"), Gw(new GatewayListener("tls", 8443, "TLS"))));

        Assert.Equal(AttachmentReason.NotAllowedByListeners, a.Reason);
        Assert.Contains("admits TLSRoute", a.Message, StringComparison.Ordinal);
    }

    [Fact] // AllowedRoutes.Kinds written: only those kinds.
    public void Attach_KindsLimitedToGrpcRoute_RefusesHttpRoute()
    {
        var a = Assert.Single(Attach(Route("infra", "web"), Gw(Http(allowed: new AllowedRoutes("Same", null, ["GRPCRoute"])))));

        Assert.Equal(AttachmentReason.NotAllowedByListeners, a.Reason);
    }

    // ---------------------------------------------------------------- hostnames

    [Theory] // HTTPRouteSpec.Hostnames / Listener.Hostname: the intersection decides what the route serves on the listener.
    [InlineData(null, "shop.example.com", "shop.example.com")]           // a listener without hostname accepts any
    [InlineData("shop.example.com", "shop.example.com", "shop.example.com")]
    [InlineData("*.example.com", "shop.example.com", "shop.example.com")] // a wildcard covers a name below it
    [InlineData("*.example.com", "a.b.example.com", "a.b.example.com")]   // ... any number of labels deep
    [InlineData("shop.example.com", "*.example.com", "shop.example.com")] // route wildcard, listener name: the name
    [InlineData("*.example.com", "*.shop.example.com", "*.shop.example.com")] // two wildcards: the narrower
    [InlineData("*.example.com", "example.com", null)]                    // "*.example.com" does not match example.com
    [InlineData("shop.example.com", "bank.example.com", null)]
    public void Intersect_FollowsTheSpec(string? listener, string route, string? expected)
    {
        Assert.Equal(expected, GatewayRouting.Intersect(listener, route));
    }

    [Fact] // "If both the Listener and HTTPRoute have specified hostnames, and none match ... the HTTPRoute is not accepted."
    public void Attach_NoHostnameIntersection_NoMatchingListenerHostname()
    {
        var a = Assert.Single(Attach(Route("infra", "web", hostnames: ["bank.example.com"]), Gw(Http(hostname: "shop.example.com"))));

        Assert.Equal(AttachmentReason.NoMatchingListenerHostname, a.Reason);
    }

    [Fact] // Only the intersecting hostnames are served on that listener.
    public void Attach_SomeHostnamesIntersect_ServesThoseOnly()
    {
        var a = Assert.Single(Attach(Route("infra", "web", hostnames: ["shop.example.com", "shop.example.org"]), Gw(Http(hostname: "*.example.com"))));

        Assert.True(a.Accepted);
        Assert.Equal(["shop.example.com"], a.Hostnames.ToArray());
    }

    [Fact] // Listener precedence for a request: an exact hostname over a wildcard, a longer wildcard over a shorter, no hostname last.
    public void ListenerFor_ExactBeforeWildcardBeforeCatchAll()
    {
        GatewayListener[] listeners = [Http("any"), Http("wild", hostname: "*.example.com"), Http("wilder", hostname: "*.shop.example.com"), Http("exact", hostname: "api.shop.example.com")];

        Assert.Equal("exact", GatewayRouting.ListenerFor(listeners, "api.shop.example.com")!.Name);
        Assert.Equal("wilder", GatewayRouting.ListenerFor(listeners, "web.shop.example.com")!.Name);
        Assert.Equal("wild", GatewayRouting.ListenerFor(listeners, "bank.example.com")!.Name);
        Assert.Equal("any", GatewayRouting.ListenerFor(listeners, "example.org")!.Name);
    }

    // ---------------------------------------------------------------- matching and precedence

    [Theory] // HTTPPathMatch PathPrefix: element-wise; "/foo" matches "/foo", "/foo/", "/foo/bar", not "/foobar"; a trailing "/" is ignored.
    [InlineData("/foo", "/foo", true)]
    [InlineData("/foo", "/foo/", true)]
    [InlineData("/foo", "/foo/bar", true)]
    [InlineData("/foo", "/foobar", false)]
    [InlineData("/foo/", "/foo", true)]
    [InlineData("/", "/anything", true)]
    public void PrefixMatches_ByPathElement(string prefix, string path, bool expected)
    {
        Assert.Equal(expected, GatewayRouting.PrefixMatches(prefix, path));
    }

    [Theory] // RegularExpression matches are implementation-specific; an invalid or runaway pattern (cluster data) matches nothing.
    [InlineData("/api/v[0-9]+/.*", "/api/v2/x", true)]
    [InlineData("/api/v[0-9+", "/api/v2/x", false)]
    [InlineData("(a+)+", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", false)] // catastrophic backtracking: times out
    public void Matches_RegularExpressionPath_NeverThrows(string pattern, string path, bool expected)
    {
        var match = new HttpRouteMatch { Path = new HttpPathMatch("RegularExpression", pattern) };

        Assert.Equal(expected, GatewayRouting.Matches(match, new GatewayRequest("x", path)));
    }

    [Fact] // A rule without matches matches every request (a single PathPrefix "/" match).
    public void Choose_RuleWithoutMatches_MatchesEverything()
    {
        var route = Route("infra", "web", rules: new HttpRouteRule { BackendRefs = [new BackendRef("web")] });

        Assert.NotNull(GatewayRouting.Choose([(route, [])], new GatewayRequest("x", "/deep/path")));
    }

    [Fact] // No rule matches: the Gateway answers 404.
    public void Choose_NothingMatches_Null()
    {
        var route = Route("infra", "web", rules: Rule(Prefix("/api")));

        Assert.Null(GatewayRouting.Choose([(route, [])], new GatewayRequest("x", "/shop")));
    }

    [Fact] // HTTPRouteRule precedence 1: an "Exact" path match over any prefix.
    public void Choose_ExactBeatsALongerPrefix()
    {
        var route = Route("infra", "web", rules: [Rule(Prefix("/api/v1/orders")), Rule(Exact("/api"))]);

        Assert.Equal(0, GatewayRouting.Choose([(route, [])], new GatewayRequest("x", "/api/v1/orders/7"))!.RuleIndex);
        Assert.Equal(1, GatewayRouting.Choose([(route, [])], new GatewayRequest("x", "/api"))!.RuleIndex);
    }

    [Fact] // Precedence 2: the "Prefix" match with the largest number of characters, across routes.
    public void Choose_LongestPrefixAcrossRoutes()
    {
        var broad = Route("infra", "broad", created: "2026-01-01T00:00:00Z", rules: Rule(Prefix("/")));
        var api = Route("infra", "api", created: "2026-06-01T00:00:00Z", rules: Rule(Prefix("/api")));

        Assert.Equal("api", GatewayRouting.Choose([(broad, []), (api, [])], new GatewayRequest("x", "/api/cart"))!.Route.Metadata.Name);
    }

    [Fact] // Precedence 3: with equal paths, a method match.
    public void Choose_MethodMatchBeatsNone()
    {
        var route = Route("infra", "web", rules: [Rule(Prefix("/api")), Rule(Prefix("/api") with { Method = "POST" })]);

        Assert.Equal(1, GatewayRouting.Choose([(route, [])], new GatewayRequest("x", "/api") { Method = "POST" })!.RuleIndex);
        Assert.Equal(0, GatewayRouting.Choose([(route, [])], new GatewayRequest("x", "/api"))!.RuleIndex);
    }

    [Fact] // Precedence 3 before 4: a method match beats more header matches (the order CVE-2024-42487 got wrong).
    public void Choose_MethodBeforeHeaders()
    {
        var headers = Prefix("/api") with { Headers = [new HttpValueMatch("x-canary", "1"), new HttpValueMatch("x-team", "shop")] };
        var method = Prefix("/api") with { Method = "GET" };
        var route = Route("infra", "web", rules: [Rule(headers), Rule(method)]);
        var request = new GatewayRequest("x", "/api") { Headers = ImmutableDictionary.Create<string, string>(StringComparer.OrdinalIgnoreCase).Add("X-Canary", "1").Add("x-team", "shop") };

        Assert.Equal(1, GatewayRouting.Choose([(route, [])], request)!.RuleIndex);
    }

    [Fact] // Precedence 4 and 5: the most header matches, then the most query-parameter matches; header names are case-insensitive.
    public void Choose_MoreHeaderMatchesThenMoreQueryMatches()
    {
        var oneHeader = Prefix("/") with { Headers = [new HttpValueMatch("x-a", "1")] };
        var twoHeaders = Prefix("/") with { Headers = [new HttpValueMatch("x-a", "1"), new HttpValueMatch("x-b", "2")] };
        var query = Prefix("/") with { Headers = [new HttpValueMatch("x-a", "1")], QueryParams = [new HttpValueMatch("debug", "true")] };
        var route = Route("infra", "web", rules: [Rule(oneHeader), Rule(query), Rule(twoHeaders)]);
        var headers = ImmutableDictionary.Create<string, string>(StringComparer.OrdinalIgnoreCase).Add("X-A", "1").Add("X-B", "2");

        Assert.Equal(2, GatewayRouting.Choose([(route, [])], new GatewayRequest("x", "/") { Headers = headers })!.RuleIndex);
        var oneHeaderAndQuery = new GatewayRequest("x", "/") { Headers = headers.Remove("X-B"), Query = ImmutableDictionary<string, string>.Empty.Add("debug", "true") };
        Assert.Equal(1, GatewayRouting.Choose([(route, [])], oneHeaderAndQuery)!.RuleIndex);
    }

    [Fact] // Ties across routes: the oldest route by creation timestamp.
    public void Choose_TieAcrossRoutes_OldestWins()
    {
        var older = Route("infra", "zeta", created: "2026-01-01T00:00:00Z", rules: Rule(Prefix("/")));
        var newer = Route("infra", "alpha", created: "2026-02-01T00:00:00Z", rules: Rule(Prefix("/")));

        Assert.Equal("zeta", GatewayRouting.Choose([(newer, []), (older, [])], new GatewayRequest("x", "/"))!.Route.Metadata.Name);
    }

    [Fact] // Then "{namespace}/{name}" in alphabetical order.
    public void Choose_TieOnTimestamp_AlphabeticalNamespaceName()
    {
        var b = Route("bank", "web", created: "2026-01-01T00:00:00Z", rules: Rule(Prefix("/")));
        var a = Route("apps", "web", created: "2026-01-01T00:00:00Z", rules: Rule(Prefix("/")));

        Assert.Equal("apps", GatewayRouting.Choose([(b, []), (a, [])], new GatewayRequest("x", "/"))!.Route.Metadata.Namespace);
    }

    [Fact] // Ties within a route: the first matching rule in list order.
    public void Choose_TieWithinARoute_FirstRule()
    {
        var route = Route("infra", "web", rules: [Rule(Prefix("/a")), Rule(Prefix("/a"))]);

        Assert.Equal(0, GatewayRouting.Choose([(route, [])], new GatewayRequest("x", "/a"))!.RuleIndex);
    }

    [Fact] // HTTPRouteSpec.Hostnames: across routes with intersecting hostnames, the most characters in a matching non-wildcard hostname first.
    public void Choose_ExactHostnameRouteBeatsWildcardRouteEvenWithAShorterPath()
    {
        var wildcard = Route("infra", "wild", rules: Rule(Prefix("/api/v1")));
        var exact = Route("infra", "exact", rules: Rule(Prefix("/")));

        var choice = GatewayRouting.Choose([(wildcard, ["*.example.com"]), (exact, ["shop.example.com"])], new GatewayRequest("shop.example.com", "/api/v1/x"));

        Assert.Equal("exact", choice!.Route.Metadata.Name);
    }

    [Fact] // A route serves only its hostnames: another host finds no rule of it.
    public void Choose_RouteForAnotherHost_NotConsidered()
    {
        var route = Route("infra", "web", rules: Rule(Prefix("/")));

        Assert.Null(GatewayRouting.Choose([(route, ["shop.example.com"])], new GatewayRequest("bank.example.com", "/")));
    }
}
