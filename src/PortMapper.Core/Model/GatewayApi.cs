using System.Collections.Immutable;

namespace PortMapper.Core.Model;

/// <summary>
/// Gateway API objects (gateway.networking.k8s.io, release v1.3.0, standard channel), as far as they decide where a
/// request goes. PortMapper mirrors the spec's rules in <see cref="Gateway.GatewayRouting"/>.
/// </summary>
public static class GatewayApi
{
    public const string Group = "gateway.networking.k8s.io";

    /// <summary>The release whose types and spec text PortMapper follows.</summary>
    public const string Release = "v1.3.0";

    /// <summary>The kinds of the group that PortMapper reads: the standard channel, and TLSRoute and TCPRoute of the experimental one.</summary>
    public static bool IsModelled(string kind) => kind is "GatewayClass" or "Gateway" or "ReferenceGrant" || IsRoute(kind);

    public static bool IsRoute(string kind) => kind is "HTTPRoute" or "GRPCRoute" or "TLSRoute" or "TCPRoute";

    /// <summary>TLSRoute and TCPRoute route connections, not requests: no paths, methods or headers.</summary>
    public static bool IsConnectionRoute(string kind) => kind is "TLSRoute" or "TCPRoute";

    /// <summary>The label Gateway implementations (Istio, kgateway, the Gateway API's own conformance) put on the Service they create for a Gateway.</summary>
    public const string GatewayNameLabel = "gateway.networking.k8s.io/gateway-name";

    /// <summary>The Gateway (in its own namespace) a Service was made for: its gateway-name label, or a Gateway owner; null for any other Service.</summary>
    public static string? GatewayOf(Service s) =>
        s.Metadata.Labels.GetValueOrDefault(GatewayNameLabel) ?? s.Metadata.OwnerReferences.FirstOrDefault(o => o.Kind == "Gateway")?.Name;
}

/// <summary>A status condition as a controller wrote it (Accepted, ResolvedRefs, Programmed...).</summary>
public sealed record StatusCondition(string Type, string Status, string? Reason, string? Message)
{
    public bool IsTrue => Status == "True";
}

/// <summary>A GatewayClass: which controller implements the Gateways of this class.</summary>
public sealed record GatewayClass(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "GatewayClass";

    public string ControllerName { get; init; } = "";

    public ImmutableArray<StatusCondition> Conditions { get; init; } = [];
}

/// <summary>A route's status.parents[] entry: what one controller says about one parentRef.</summary>
public sealed record RouteParentStatus(ParentRef ParentRef, string ControllerName, ImmutableArray<StatusCondition> Conditions)
{
    public StatusCondition? Condition(string type) => Conditions.FirstOrDefault(c => c.Type == type);
}

/// <summary>listeners[].allowedRoutes: which namespaces (Same, All, Selector) and route kinds may attach.</summary>
public sealed record AllowedRoutes(string From, LabelSelector? Selector, ImmutableArray<string> Kinds)
{
    public static AllowedRoutes Default { get; } = new("Same", null, []);
}

/// <summary>One listener of a Gateway: a name, a port, a protocol and an optional hostname.</summary>
public sealed record GatewayListener(string Name, int Port, string Protocol)
{
    public string? Hostname { get; init; }

    public AllowedRoutes AllowedRoutes { get; init; } = AllowedRoutes.Default;

    /// <summary>The route kinds the listener admits when allowedRoutes.kinds is empty: those its protocol carries.</summary>
    public ImmutableArray<string> SupportedKinds => !AllowedRoutes.Kinds.IsDefaultOrEmpty
        ? AllowedRoutes.Kinds
        : Protocol switch
        {
            "HTTP" or "HTTPS" => ["HTTPRoute", "GRPCRoute"],
            "TLS" => ["TLSRoute"],
            "TCP" => ["TCPRoute"],
            "UDP" => ["UDPRoute"],
            _ => [],
        };
}

public sealed record Gateway(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "Gateway";

    public string? GatewayClassName { get; init; }

    public ImmutableArray<GatewayListener> Listeners { get; init; } = [];

    /// <summary>status.addresses: where clients reach the Gateway.</summary>
    public ImmutableArray<string> Addresses { get; init; } = [];

    /// <summary>status.conditions (Accepted, Programmed) as the controller wrote them.</summary>
    public ImmutableArray<StatusCondition> Conditions { get; init; } = [];
}

/// <summary>A route's parentRefs[] entry: a Gateway (by default), optionally one listener by sectionName or port.</summary>
public sealed record ParentRef(string Name)
{
    public string Group { get; init; } = GatewayApi.Group;

    public string Kind { get; init; } = "Gateway";

    /// <summary>Null: the route's own namespace.</summary>
    public string? Namespace { get; init; }

    public string? SectionName { get; init; }

    public int? Port { get; init; }
}

/// <summary>matches[].path: PathPrefix (the default, "/"), Exact or RegularExpression.</summary>
public sealed record HttpPathMatch(string Type, string Value)
{
    public static HttpPathMatch Default { get; } = new("PathPrefix", "/");
}

/// <summary>A header or query parameter match: Exact (the default) or RegularExpression.</summary>
public sealed record HttpValueMatch(string Name, string Value, string Type = "Exact");

public sealed record HttpRouteMatch
{
    public HttpPathMatch Path { get; init; } = HttpPathMatch.Default;

    public string? Method { get; init; }

    public ImmutableArray<HttpValueMatch> Headers { get; init; } = [];

    public ImmutableArray<HttpValueMatch> QueryParams { get; init; } = [];

    /// <summary>A rule without matches matches every request, as one PathPrefix "/" match.</summary>
    public static HttpRouteMatch Default { get; } = new();
}

/// <summary>backendRefs[]: a Service (by default) and port, with a weight (default 1).</summary>
public sealed record BackendRef(string Name)
{
    public string Group { get; init; } = "";

    public string Kind { get; init; } = "Service";

    public string? Namespace { get; init; }

    public int? Port { get; init; }

    public int Weight { get; init; } = 1;
}

/// <summary>A RequestRedirect filter: the Gateway answers with a redirect instead of forwarding (scheme, host, port, status code).</summary>
public sealed record HttpRedirect(string? Scheme, string? Hostname, int? Port, int StatusCode)
{
    /// <summary>"301 redirect (scheme https, same host, path and port)".</summary>
    public override string ToString()
    {
        var changes = new List<string>();
        if (Scheme is not null)
        {
            changes.Add("scheme " + Scheme);
        }

        if (Hostname is not null)
        {
            changes.Add("host " + Hostname);
        }

        if (Port is { } p)
        {
            changes.Add("port " + p.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        var same = new[] { Hostname is null ? "host" : null, "path", Port is null ? "port" : null }.OfType<string>().ToList();
        var kept = same.Count == 1 ? "same " + same[0] : $"same {string.Join(", ", same.Take(same.Count - 1))} and {same[^1]}";
        return $"{StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture)} redirect ({string.Join(", ", changes.Append(kept))})";
    }
}

public sealed record HttpRouteRule
{
    public string? Name { get; init; }

    /// <summary>The rule's RequestRedirect filter: such a rule needs no backendRefs.</summary>
    public HttpRedirect? Redirect { get; init; }

    public ImmutableArray<HttpRouteMatch> Matches { get; init; } = [];

    public ImmutableArray<BackendRef> BackendRefs { get; init; } = [];

    /// <summary>The matches as the spec reads them: none written means one match of every request.</summary>
    public ImmutableArray<HttpRouteMatch> EffectiveMatches => Matches.IsDefaultOrEmpty ? [HttpRouteMatch.Default] : Matches;
}

/// <summary>
/// An HTTPRoute, or a GRPCRoute read onto the same shape: a gRPC call is an HTTP/2 POST to "/{service}/{method}", so a
/// GRPCRoute method match is an Exact path (service and method), a PathPrefix "/{service}/" (service only) or any path.
/// </summary>
public sealed record HttpRoute(ObjectMeta Metadata) : IKubeObject
{
    /// <summary>HTTPRoute or GRPCRoute.</summary>
    public string Kind { get; init; } = "HTTPRoute";

    public ImmutableArray<ParentRef> ParentRefs { get; init; } = [];

    public ImmutableArray<string> Hostnames { get; init; } = [];

    public ImmutableArray<HttpRouteRule> Rules { get; init; } = [];

    /// <summary>status.parents: what the implementing controllers say of each parentRef.</summary>
    public ImmutableArray<RouteParentStatus> Parents { get; init; } = [];

    public ObjectRef Ref() => new(Kind, Metadata.Namespace, Metadata.Name);
}

/// <summary>ReferenceGrant from[]: objects of a kind in a namespace that may refer into the grant's namespace.</summary>
public sealed record ReferenceGrantFrom(string Group, string Kind, string Namespace);

/// <summary>ReferenceGrant to[]: what they may refer to (every object of the kind when Name is null).</summary>
public sealed record ReferenceGrantTo(string Group, string Kind, string? Name);

public sealed record ReferenceGrant(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "ReferenceGrant";

    public ImmutableArray<ReferenceGrantFrom> From { get; init; } = [];

    public ImmutableArray<ReferenceGrantTo> To { get; init; } = [];
}
