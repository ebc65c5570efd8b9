using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.Gateway;

/// <summary>
/// One backendRef of a chosen rule with its share of the rule's traffic and what a request sent there gets: forwarded
/// to the Service port (<see cref="Status"/> null), 500 for an invalid reference, or 503 when the Service has no ready
/// endpoint.
/// </summary>
public sealed record BackendShare(BackendRef Ref, ObjectKey Target, double Share, int? Status, string Reason)
{
    public bool Forwarded => Status is null;

    /// <summary>Why the share is not forwarded, in the spec's words (ResolvedRefs reasons, or NoBackends / NoReadyEndpoints / PortMissing); null when it is.</summary>
    public string? Cause { get; init; }

    /// <summary>Whether the reference itself resolves (ResolvedRefs would be True for it): a 503 share still does.</summary>
    public bool Resolved => Cause is null or "NoReadyEndpoints" or "Redirect";
}

/// <summary>
/// Backend resolution of an HTTPRoute rule as the spec (HTTPBackendRef, BackendRef, ReferenceGrant; v1.3.0) words it:
/// weights (default 1, 0 sends nothing); an invalid reference — unknown kind, missing Service, a port the Service does
/// not have or none given, another namespace without a ReferenceGrant — answers 500 for its share; a rule without any
/// usable weight answers 500 for all of it.
/// </summary>
public static class GatewayBackends
{
    /// <summary>A share as people write it, whatever the culture: 0.9 → "90%", 1/3 → "33.3%".</summary>
    public static string Percent(double share) => (share * 100).ToString("0.#", System.Globalization.CultureInfo.InvariantCulture) + "%";

    public static ImmutableArray<BackendShare> Resolve(
        HttpRoute route, HttpRouteRule rule, Func<ObjectKey, Service?> services, IEnumerable<ReferenceGrant> grants, Func<Service, ServicePort, bool> hasReadyEndpoints)
    {
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(rule);
        var ns = route.Metadata.Namespace;
        var refs = rule.BackendRefs.IsDefaultOrEmpty ? [] : rule.BackendRefs;
        if (rule.Redirect is { } redirect)
        {
            // A RequestRedirect filter answers every request of the rule itself (HTTPRouteFilter): backends play no part.
            return [new BackendShare(new BackendRef(""), new ObjectKey(ns, ""), 1, redirect.StatusCode, $"the Gateway answers {redirect}") { Cause = "Redirect" }];
        }

        var total = refs.Sum(b => Math.Max(0, b.Weight));
        if (total == 0)
        {
            var why = refs.IsEmpty
                ? "the rule has no backendRefs: the Gateway answers 500"
                : "every backendRef has weight 0: no backend receives traffic and the Gateway answers 500";
            return [new BackendShare(new BackendRef(""), new ObjectKey(ns, ""), 1, 500, why) { Cause = refs.IsEmpty ? "NoBackends" : "NoWeight" }];
        }

        var grantList = grants.ToList();
        var result = ImmutableArray.CreateBuilder<BackendShare>(refs.Length);
        foreach (var b in refs)
        {
            var target = new ObjectKey(b.Namespace ?? ns, b.Name);
            var share = (double)Math.Max(0, b.Weight) / total;
            result.Add(Classify(route, b, target, share, services, grantList, hasReadyEndpoints));
        }

        return result.ToImmutable();
    }

    private static BackendShare Classify(HttpRoute route, BackendRef b, ObjectKey target, double share, Func<ObjectKey, Service?> services, List<ReferenceGrant> grants, Func<Service, ServicePort, bool> hasReadyEndpoints)
    {
        if (b.Weight <= 0)
        {
            return new BackendShare(b, target, 0, null, "weight 0: receives no traffic");
        }

        if (b.Group.Length != 0 || b.Kind != "Service")
        {
            return new BackendShare(b, target, share, 500, $"backendRef {b.Kind} of group \"{b.Group}\" is not a Service (ResolvedRefs: InvalidKind): its share answers 500") { Cause = "InvalidKind" };
        }

        if (target.Namespace != route.Metadata.Namespace && !Granted(route, target, grants))
        {
            return new BackendShare(b, target, share, 500,
                $"Service {target} is in another namespace and no ReferenceGrant in {target.Namespace} lets {route.Kind}s from {route.Metadata.Namespace} refer to it (ResolvedRefs: RefNotPermitted): its share answers 500") { Cause = "RefNotPermitted" };
        }

        if (services(target) is not { } svc)
        {
            return new BackendShare(b, target, share, 500, $"Service {target} does not exist (ResolvedRefs: BackendNotFound): its share answers 500") { Cause = "BackendNotFound" };
        }

        if (b.Port is not { } port)
        {
            return new BackendShare(b, target, share, 500, $"backendRef to Service {target} gives no port, which a Service reference requires: its share answers 500") { Cause = "PortMissing" };
        }

        if (svc.Ports.FirstOrDefault(p => p.Port == port) is not { } servicePort)
        {
            return new BackendShare(b, target, share, 500,
                $"Service {target} has no port {port} (it has {(svc.Ports.IsDefaultOrEmpty ? "none" : string.Join(", ", svc.Ports.Select(p => p.Port)))}): its share answers 500") { Cause = "PortMissing" };
        }

        return hasReadyEndpoints(svc, servicePort)
            ? new BackendShare(b, target, share, null, $"forwarded to Service {target} port {port}")
            : new BackendShare(b, target, share, 503, $"Service {target} port {port} has no ready endpoint: the implementation answers 503 for its share") { Cause = "NoReadyEndpoints" };
    }

    /// <summary>A ReferenceGrant in the target's namespace admitting routes of the route's kind and namespace to that Service (or every Service).</summary>
    public static bool Granted(HttpRoute route, ObjectKey target, IEnumerable<ReferenceGrant> grants) =>
        grants.Any(g => g.Metadata.Namespace == target.Namespace
            && g.From.Any(f => f.Group == GatewayApi.Group && f.Kind == route.Kind && f.Namespace == route.Metadata.Namespace)
            && g.To.Any(t => t.Group.Length == 0 && t.Kind == "Service" && (t.Name is null || t.Name == target.Name)));
}
