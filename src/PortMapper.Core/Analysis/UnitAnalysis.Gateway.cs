using System.Collections.Immutable;
using PortMapper.Core.Gateway;
using PortMapper.Core.Model;

namespace PortMapper.Core.Analysis;

/// <summary>
/// Gateway API routes: one path per listener a route attaches to, rule and backendRef — client → Gateway address and
/// listener → the rule → Service port → pods — with the findings of attachment, hostnames and backend references.
/// </summary>
internal sealed partial class UnitAnalysis
{
    /// <summary>The id of a route path: route, parentRef index and listener, rule index, backendRef index.</summary>
    public static string RoutePathId(HttpRoute route, int parent, string listener, int rule, int backend) =>
        $"{route.Kind.ToLowerInvariant()}:{route.Metadata.Namespace}/{route.Metadata.Name}:{parent.ToString(Inv)}.{listener}:{rule.ToString(Inv)}:{backend.ToString(Inv)}";

    /// <summary>
    /// The backendRef indexes of a rule that get a path, as <see cref="GatewayBackends.Resolve"/> shares the rule out:
    /// each backendRef with a weight; or one path (index 0) for a redirect or a rule with no weight at all, answered at the Gateway.
    /// </summary>
    public static IEnumerable<int> PathBackends(HttpRouteRule rule)
    {
        var backends = rule.BackendRefs.IsDefaultOrEmpty ? [] : rule.BackendRefs;
        return rule.Redirect is not null || backends.All(b => b.Weight <= 0)
            ? [0]
            : Enumerable.Range(0, backends.Length).Where(k => backends[k].Weight > 0);
    }

    public UnitResult AnalyzeRoute(HttpRoute route)
    {
        var rref = route.Ref();
        var paths = new List<TrafficPath>();
        var diags = new List<Diagnostic>();
        var attachments = GatewayRouting.Attach(route, S);
        foreach (var refused in attachments.GroupBy(a => a.ParentIndex).Where(g => !g.Any(a => a.Accepted)))
        {
            diags.Add(Refusal(route, refused.Key, [.. refused]));
        }

        var endpoints = new Dictionary<(ObjectKey, int), ImmutableArray<EndpointTarget>>();
        ImmutableArray<EndpointTarget> EndpointsOf(Service svc, ServicePort port)
        {
            if (!endpoints.TryGetValue((svc.Key(), port.Port), out var found))
            {
                endpoints[(svc.Key(), port.Port)] = found = AnalyzeServiceEndpointsFor(svc, port);
            }

            return found;
        }

        // Backends are the rule's, whichever listener the request came in on: resolved once per rule.
        var shares = route.Rules.Select(rule => GatewayBackends.Resolve(route, rule, k => S.Services.GetValueOrDefault(k), S.ReferenceGrants.Values,
            (svc, port) => EndpointsOf(svc, port).Any(e => e.Ready))).ToList();
        var found = new List<(int Rule, int Backend, int Index)>();
        var linked = new Dictionary<int, List<string>>();
        for (var r = 0; r < route.Rules.Length; r++)
        {
            for (var k = 0; k < shares[r].Length; k++)
            {
                if (BackendFinding(route, r, k, shares[r][k]) is { } d)
                {
                    found.Add((r, k, diags.Count));
                    linked[diags.Count] = [];
                    diags.Add(d);
                }
            }
        }

        foreach (var a in attachments.Where(a => a.Accepted))
        {
            var gateway = S.Gateways[a.Gateway];
            var listener = a.Listener!;
            var (addresses, via) = EntryOf(gateway);
            var hosts = a.Hostnames.IsDefaultOrEmpty ? ["*"] : a.Hostnames;
            for (var r = 0; r < route.Rules.Length; r++)
            {
                var rule = route.Rules[r];
                foreach (var k in PathBackends(rule))
                {
                    var share = shares[r][k];

                    var id = RoutePathId(route, a.ParentIndex, listener.Name, r, k);
                    var tls = listener.Protocol is "HTTPS" or "TLS";
                    var gatewayHop = new Hop(HopKind.Gateway)
                    {
                        Addresses = addresses,
                        Port = listener.Port,

                        // A connection route has no path: "tls://db.example.com", "tcp://*:5432" name what it takes.
                        Name = GatewayApi.IsConnectionRoute(route.Kind)
                            ? $"{(route.Kind == "TLSRoute" ? "tls" : "tcp")}://{hosts[0]}:{listener.Port.ToString(Inv)}"
                            : hosts[0] + MatchPath(rule.EffectiveMatches[0]),
                        Note = $"listener {listener.Name} ({listener.Protocol}) of Gateway {a.Gateway}{via}; {route.Kind} rule {r.ToString(Inv)}: {DescribeMatches(route, rule)}"
                            + (hosts.Length > 1 ? $"; also for {string.Join(", ", hosts.Skip(1))}" : "")
                            + (shares[r].Length > 1 ? $"; {GatewayBackends.Percent(share.Share)} of the rule's requests" : "")
                            + (route.Kind == "TLSRoute" ? "; TLS passthrough: the Gateway routes by SNI and does not decrypt, the pods terminate TLS" : "")
                            + (addresses.IsEmpty ? "; no address yet" : ""),
                        Tls = tls,
                    };
                    var hops = new List<Hop> { new(HopKind.Client) { Name = "external client" }, gatewayHop };
                    if (share.Cause == "Redirect")
                    {
                        // Answered at the Gateway: the path ends there.
                        gatewayHop = gatewayHop with { Note = gatewayHop.Note + "; " + share.Reason };
                        hops[^1] = gatewayHop;
                    }
                    else if (share.Status == 500)
                    {
                        hops.Add(new Hop(HopKind.ClusterIp)
                        {
                            Name = share.Target.Name.Length == 0 ? "(no backend)" : $"{share.Target.Name}.{share.Target.Namespace}.svc.cluster.local",
                            Port = share.Ref.Port,
                            Note = "500: " + share.Reason,
                            Broken = true,
                        });
                    }
                    else
                    {
                        var svc = S.Services[share.Target];
                        var sp = svc.Ports.First(p => p.Port == share.Ref.Port);
                        var targets = EndpointsOf(svc, sp);
                        hops.Add(new Hop(HopKind.ClusterIp) { Addresses = svc.ClusterIps, Port = sp.Port, Name = Dns(svc), Note = "the Gateway reads the Service's endpoints and sends straight to the pods" });
                        hops.Add(new Hop(HopKind.Endpoints) { Endpoints = targets, Addresses = [.. targets.Select(e => e.Ip).OfType<string>()], Port = UniformPort(targets) });
                    }

                    var tp = new TrafficPath
                    {
                        Id = id,
                        Namespace = route.Metadata.Namespace,
                        Route = rref,
                        Gateway = new ObjectRef("Gateway", a.Gateway.Namespace, a.Gateway.Name),
                        Listener = listener.Name,
                        RuleIndex = r,
                        Weight = share.Share,
                        Service = share.Target.Name.Length == 0 || share.Ref.Kind != "Service" ? null : new ObjectRef("Service", share.Target.Namespace, share.Target.Name),
                        Exposure = Exposure.Gateway,
                        Protocol = Protocols.Tcp,
                        From = ClientKind.External,
                        Hops = [.. hops],
                    };
                    var mine = found.Where(f => f.Rule == r && f.Backend == k).Select(f => f.Index).ToList();
                    foreach (var m in mine)
                    {
                        linked[m].Add(id);
                    }

                    paths.Add(Finish(tp, mine.Select(m => diags[m]), deliversToEndpoints: share.Cause != "Redirect"));
                }
            }
        }

        // Findings name the paths they break.
        diags = diags.Select((d, i) => linked.TryGetValue(i, out var ids) ? d with { Paths = [.. ids] } : d).ToList();
        diags.AddRange(StatusDisagreements(route, attachments, shares));
        return new UnitResult([.. paths], [.. diags]);
    }

    /// <summary>Where clients reach a Gateway: status.addresses, else the Service its implementation made for it.</summary>
    private (ImmutableArray<string> Addresses, string Via) EntryOf(Model.Gateway gateway)
    {
        var service = GatewayService(gateway);
        var via = service is null ? "" : $" (Service {service.Metadata.Namespace}/{service.Metadata.Name}, {service.Type})";
        if (!gateway.Addresses.IsDefaultOrEmpty)
        {
            return (gateway.Addresses, via);
        }

        if (service is null)
        {
            return ([], "");
        }

        var lb = service.LoadBalancerStatus.Select(l => l.Ip ?? l.Hostname).OfType<string>().ToImmutableArray();
        return (lb.IsEmpty ? service.ClusterIps : lb, via);
    }

    /// <summary>The Service a Gateway implementation created for the Gateway: labelled with its name, or owned by it.</summary>
    public Service? GatewayService(Model.Gateway gateway) =>
        index.ServicesIn(gateway.Metadata.Namespace)
            .Select(k => S.Services[k])
            .Where(s => GatewayApi.GatewayOf(s) == gateway.Metadata.Name)
            .OrderBy(s => s.Metadata.Name, StringComparer.Ordinal)
            .FirstOrDefault();

    private static string MatchPath(HttpRouteMatch m) => m.Path.Type == "RegularExpression" ? $"/~{m.Path.Value}" : m.Path.Value;

    private static string DescribeMatches(HttpRoute route, HttpRouteRule rule) =>
        rule.Matches.IsDefaultOrEmpty ? "every request" : string.Join(" or ", rule.Matches.Select(m => GatewayRouting.Describe(route, m)));

    private static Diagnostic Refusal(HttpRoute route, int parentIndex, List<RouteAttachment> refused)
    {
        var first = refused[0];
        var hostname = refused.All(a => a.Reason == AttachmentReason.NoMatchingListenerHostname);
        var parent = route.ParentRefs[parentIndex];
        var ns = route.Metadata.Namespace;
        var fix = first.Reason switch
        {
            AttachmentReason.NoMatchingListenerHostname =>
                $"Give the route a hostname the listener serves ({string.Join(", ", refused.Select(a => a.Listener?.Hostname).OfType<string>().Distinct())}), or attach it to a listener whose hostname covers {string.Join(", ", route.Hostnames)}.",
            AttachmentReason.NotAllowedByListeners when first.Listener is { } l && !l.SupportedKinds.Contains(route.Kind) =>
                $"Attach the {route.Kind} to a listener that carries it ({route.Kind switch { "TLSRoute" => "protocol TLS", "TCPRoute" => "protocol TCP", _ => "HTTP or HTTPS" }}), with parentRefs[{parentIndex}].sectionName.",
            AttachmentReason.NotAllowedByListeners =>
                $"Let the listener admit routes from namespace {ns}: set its allowedRoutes.namespaces.from to All, or to Selector with a selector that matches the namespace's labels (kubernetes.io/metadata.name: {ns} always does); or move the route into namespace {first.Gateway.Namespace}.",
            _ when first.Listener is null && parent.SectionName is null && parent.Port is null =>
                $"Point parentRefs[{parentIndex}] at an existing Gateway (name and namespace), or create Gateway {first.Gateway}.",
            _ => $"Set parentRefs[{parentIndex}].sectionName (or port) to one of Gateway {first.Gateway}'s listeners, or remove it to attach to every listener.",
        };
        return new Diagnostic
        {
            Code = hostname ? Codes.GatewayHostnameMismatch : Codes.GatewayRouteNotAttached,
            Severity = Severity.Error,
            Object = route.Ref(),
            Field = hostname ? "spec.hostnames" : $"spec.parentRefs[{parentIndex.ToString(Inv)}]",
            Hop = HopKind.Gateway,
            Message = $"{route.Kind} {ns}/{route.Metadata.Name} is not accepted by its parentRefs[{parentIndex.ToString(Inv)}] ({first.Reason}): "
                + string.Join(" ", refused.Select(a => a.Message).Distinct(StringComparer.Ordinal))
                + (route.ParentRefs.Length == 1 ? " No request reaches it." : ""),
            Fix = fix,
        };
    }

    private static Diagnostic? BackendFinding(HttpRoute route, int r, int k, BackendShare share)
    {
        var field = share.Cause is "NoBackends" or "NoWeight" ? $"spec.rules[{r.ToString(Inv)}].backendRefs" : $"spec.rules[{r.ToString(Inv)}].backendRefs[{k.ToString(Inv)}]";
        var name = $"{route.Kind} {route.Metadata.Namespace}/{route.Metadata.Name} rule {r.ToString(Inv)}";
        var (code, fix, at) = share.Cause switch
        {
            "RefNotPermitted" => (Codes.GatewayReferenceNotPermitted,
                $"Create a ReferenceGrant in namespace {share.Target.Namespace} with from: [{{group: {GatewayApi.Group}, kind: {route.Kind}, namespace: {route.Metadata.Namespace}}}] and to: [{{group: \"\", kind: Service, name: {share.Target.Name}}}].",
                field + ".namespace"),
            "PortMissing" => (Codes.GatewayBackendPortMissing,
                "Set port to one of the Service's ports — its `port`, not the container's targetPort.", field + ".port"),
            "BackendNotFound" => (Codes.GatewayBackendMissing, $"Create Service {share.Target} or point the backendRef at an existing Service.", field + ".name"),
            "InvalidKind" => (Codes.GatewayBackendMissing, "Refer to a core Service (group \"\", kind Service); other backend kinds are implementation-specific and PortMapper does not follow them.", field + ".kind"),
            "NoBackends" or "NoWeight" => (Codes.GatewayBackendMissing, "Give the rule a backendRef to a Service port with a weight above 0.", field),
            _ => ((string?)null, "", ""),
        };
        return code is null ? null : new Diagnostic
        {
            Code = code,
            Severity = Severity.Error,
            Object = route.Ref(),
            Field = at,
            Hop = HopKind.ClusterIp,
            Message = $"{name}: {share.Reason}.",
            Fix = fix,
        };
    }

    /// <summary>PM607: where a controller's status.parents says otherwise than PortMapper's prediction (Accepted, ResolvedRefs).</summary>
    private static IEnumerable<Diagnostic> StatusDisagreements(HttpRoute route, ImmutableArray<RouteAttachment> attachments, List<ImmutableArray<BackendShare>> shares)
    {
        var resolved = shares.All(s => s.All(b => b.Resolved));
        for (var i = 0; i < route.Parents.Length; i++)
        {
            var status = route.Parents[i];
            var index = FindParent(route, status.ParentRef);
            if (index < 0)
            {
                continue;
            }

            var predicted = attachments.Where(a => a.ParentIndex == index).ToList();
            var accepted = predicted.Any(a => a.Accepted);
            var who = status.ControllerName.Length == 0 ? "The controller" : $"Controller {status.ControllerName}";
            if (status.Condition("Accepted") is { Status: "True" or "False" } c && c.IsTrue != accepted)
            {
                yield return Disagreement(route, i, "Accepted", c, who, accepted
                    ? $"PortMapper predicts the route attaches ({string.Join("; ", predicted.Where(a => a.Accepted).Select(a => a.Message))})"
                    : $"PortMapper predicts it is refused ({string.Join(" ", predicted.Select(a => a.Message).Distinct(StringComparer.Ordinal))})");
            }

            if (status.Condition("ResolvedRefs") is { Status: "True" or "False" } rc && rc.IsTrue != resolved)
            {
                yield return Disagreement(route, i, "ResolvedRefs", rc, who, resolved
                    ? "PortMapper resolves every backendRef"
                    : $"PortMapper finds unresolved backendRefs ({string.Join("; ", shares.SelectMany(s => s).Where(b => !b.Resolved).Select(b => b.Reason))})");
            }
        }
    }

    private static Diagnostic Disagreement(HttpRoute route, int i, string type, StatusCondition c, string who, string prediction) => new()
    {
        Code = Codes.GatewayStatusDisagrees,
        Severity = Severity.Warning,
        Object = route.Ref(),
        Field = $"status.parents[{i.ToString(Inv)}].conditions[{type}]",
        Hop = HopKind.Gateway,
        Message = $"{who} reports {type}={c.Status}{(c.Reason is { } r ? $" ({r}{(c.Message is { Length: > 0 } m ? $": {m}" : "")})" : "")} for {route.Kind} {route.Metadata.Namespace}/{route.Metadata.Name}, but {prediction}.",
        Fix = c.IsTrue
            ? "The controller may be behind (check status.parents[].conditions[].observedGeneration) or may implement the spec differently; trust what a request does, and compare its logs."
            : "The controller knows something PortMapper does not (an implementation limit, a TLS certificate, a conflict with another route): its reason and message say what; fix that.",
    };

    private static int FindParent(HttpRoute route, ParentRef status)
    {
        for (var i = 0; i < route.ParentRefs.Length; i++)
        {
            var p = route.ParentRefs[i];
            if (p.Name == status.Name && (p.Namespace ?? route.Metadata.Namespace) == (status.Namespace ?? route.Metadata.Namespace)
                && p.SectionName == status.SectionName && p.Port == status.Port)
            {
                return i;
            }
        }

        return -1;
    }
}
