using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using PortMapper.Core.Analysis;
using PortMapper.Core.Gateway;
using PortMapper.Core.Model;

namespace PortMapper.Core.Trace;

/// <summary>
/// Tracing an http(s) URL through a Gateway: the listener that takes it (port, protocol, hostname), the route rule that
/// wins it by the Gateway API's precedence, the backend and its share, the Service port's endpoints.
/// </summary>
internal sealed partial class TraceRun
{
    /// <summary>The Gateway listeners on the URL's port and protocol that take its host (or whose Gateway has the host as address).</summary>
    private List<(Model.Gateway Gateway, GatewayListener Listener)> GatewayListenersFor(IngressUrlTarget u)
    {
        var protocol = u.Https ? "HTTPS" : "HTTP";
        var hostIsIp = IPAddress.TryParse(u.Host, out _);
        var result = new List<(Model.Gateway, GatewayListener)>();
        foreach (var gw in S.Gateways.Values.OrderBy(g => g.Key()))
        {
            if (hostIsIp && !gw.Addresses.Contains(u.Host))
            {
                continue;
            }

            var onPort = gw.Listeners.Where(l => l.Port == u.Port && l.Protocol == protocol).ToList();
            var listener = hostIsIp ? onPort.FirstOrDefault(l => l.Hostname is null) : GatewayRouting.ListenerFor(onPort, u.Host);
            if (listener is not null)
            {
                result.Add((gw, listener));
            }
        }

        return result;
    }

    private TraceResult TraceGateway(IngressUrlTarget u, Model.Gateway gateway, GatewayListener listener, int others)
    {
        var gwName = $"{gateway.Metadata.Namespace}/{gateway.Metadata.Name}";
        var addresses = gateway.Addresses.IsDefaultOrEmpty ? [] : gateway.Addresses;
        if (!IPAddress.TryParse(u.Host, out _))
        {
            Step(TraceStepKind.Dns,
                $"DNS must resolve {u.Host} to Gateway {gwName} ({(addresses.IsEmpty ? "it has no address in status.addresses yet" : string.Join(", ", addresses))}); PortMapper cannot see that DNS"
                + (others > 0 ? $"; {others} other Gateway{(others == 1 ? "" : "s")} also take{(others == 1 ? "s" : "")} this host, and DNS decides which one a client reaches" : "")
                + (IngressRoutes.Match(index, u.Host, u.Path, out _) is { } ing ? $"; Ingress {Name(ing.Ingress)} routes this host too, through its own controller: DNS decides which of the two a client reaches" : ""),
                TraceTarget.JoinHostPort(u.Host, u.Port));
        }

        var address = TraceTarget.JoinHostPort(addresses.FirstOrDefault() ?? u.Host, u.Port);
        var listenerText = $"listener {listener.Name} ({listener.Protocol} :{listener.Port.ToString(CultureInfo.InvariantCulture)}{(listener.Hostname is { } h ? ", hostname " + h : "")}) of Gateway {gwName}";

        // Every route attached to this listener, with the hostnames it serves there.
        var candidates = new List<(HttpRoute Route, ImmutableArray<string> Hostnames, int Parent)>();
        foreach (var route in S.Routes.Values.Where(r => r.Kind == "HTTPRoute"))
        {
            foreach (var a in GatewayRouting.Attach(route, S))
            {
                if (a.Accepted && a.Gateway == gateway.Key() && a.Listener!.Name == listener.Name)
                {
                    candidates.Add((route, a.Hostnames, a.ParentIndex));
                    break;
                }
            }
        }

        var request = new GatewayRequest(u.Host, u.Path);
        var choice = GatewayRouting.Choose(candidates.Select(c => (c.Route, c.Hostnames)), request);
        if (choice is null)
        {
            Step(TraceStepKind.Gateway, $"{listenerText} {(u.Https ? "terminates TLS and " : "")}finds no route rule for {u.Host}{u.Path} among the {candidates.Count} route{(candidates.Count == 1 ? "" : "s")} attached to it", address);
            return Fail($"No HTTPRoute rule on {listenerText} matches {u.Host}{u.Path}, so the Gateway answers 404 Not Found. "
                + (candidates.Count == 0 ? "No route is attached to the listener: check the routes' parentRefs and the listener's allowedRoutes (PortMapper's findings PM600 and PM601 name refused routes)." : "Add a rule whose hostname and path match, or check the path type (PathPrefix matches whole path elements: /api matches /api/x, not /apix)."));
        }

        var parent = candidates.First(c => ReferenceEquals(c.Route, choice.Route)).Parent;
        var rule = choice.Rule;
        var match = rule.EffectiveMatches[choice.MatchIndex];
        var shares = GatewayBackends.Resolve(choice.Route, rule, k => S.Services.GetValueOrDefault(k), S.ReferenceGrants.Values,
            (svc, port) => index.EndpointsOf(svc, port).Any(e => e.Ready));
        var forwarded = shares.Where(b => b.Share > 0).OrderByDescending(b => b.Share).ThenBy(b => shares.IndexOf(b)).ToList();
        var pick = forwarded.FirstOrDefault() ?? shares[0];
        var k = shares.IndexOf(pick);
        var pathId = UnitAnalysis.RoutePathId(choice.Route, parent, listener.Name, choice.RuleIndex, k);
        var split = forwarded.Count > 1
            ? "; the rule splits its requests by weight: " + string.Join(", ", forwarded.Select(b => $"{GatewayBackends.Percent(b.Share)} to {(b.Target.Name.Length == 0 ? "nothing" : $"Service {b.Target}")}{(b.Ref.Port is { } p ? ":" + p.ToString(CultureInfo.InvariantCulture) : "")}")) + $"; PortMapper follows the largest share"
            : "";
        Step(TraceStepKind.Gateway,
            $"{listenerText} {(u.Https ? "terminates TLS and " : "")}picks {choice.Route.Kind} {choice.Route.Metadata.Namespace}/{choice.Route.Metadata.Name} rule {choice.RuleIndex.ToString(CultureInfo.InvariantCulture)} ({GatewayRouting.Describe(choice.Route, match)}), the most specific of {Count(candidates.Sum(c => c.Route.Rules.Length), "rule")} on the listener"
                + (pick.Target.Name.Length == 0 ? "" : $" → Service {pick.Target} port {pick.Ref.Port?.ToString(CultureInfo.InvariantCulture) ?? "(none)"}") + split,
            address);

        if (pick.Cause == "Redirect")
        {
            return Fail($"The Gateway answers this request itself with a {rule.Redirect} (the rule's RequestRedirect filter): it reaches no pod. Trace the URL the redirect points to.", pathId);
        }

        if (pick.Status == 500)
        {
            return Fail($"The Gateway answers 500 Internal Server Error: {pick.Reason}.", pathId);
        }

        var svc = S.Services[pick.Target];
        var port = svc.Ports.First(p => p.Port == pick.Ref.Port);
        var all = index.EndpointsHop(pathId)?.Endpoints ?? index.EndpointsOf(svc, port);
        var ready = all.Where(e => e.Ready).ToImmutableArray();
        if (ready.IsEmpty)
        {
            Step(TraceStepKind.Dropped, $"the Gateway has no ready endpoint of Service {Name(svc)} to send to and answers 503 Service Unavailable");
            return Fail(NoEndpointsReason(svc, port, all, TraceIndex.PathIdOf(svc, port), "the Gateway answers 503 Service Unavailable"), pathId);
        }

        var how = "Gateway implementations read the Service's EndpointSlices and connect to the pods on their targetPort, without the clusterIP or kube-proxy";
        _steps.Add(new TraceStep(TraceStepKind.Endpoints, ready.Length == 1
            ? $"the Gateway proxies to {Describe(ready[0])} directly: {how}"
            : $"the Gateway proxies to one of {ready.Length} endpoints of Service {Name(svc)} directly: {how}: {DescribeAll(ready)}")
        {
            Address = ready.Length == 1 ? Address(ready[0]) : null,
            Node = ready.Length == 1 ? ready[0].NodeName : null,
        });
        return Done(ready, pathId);
    }

    private static string Count(int n, string what) => $"{n.ToString(CultureInfo.InvariantCulture)} {what}{(n == 1 ? "" : "s")}";

    /// <summary>An http(s) URL: through a Gateway listener that takes its host, else through the Ingress rules.</summary>
    private TraceResult TraceUrl(IngressUrlTarget u)
    {
        var listeners = GatewayListenersFor(u);
        if (listeners.Count == 0)
        {
            return TraceIngress(u);
        }

        var (gateway, listener) = listeners[0];
        return TraceGateway(u, gateway, listener, listeners.Count - 1);
    }
}
