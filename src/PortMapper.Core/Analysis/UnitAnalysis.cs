using System.Collections.Immutable;
using System.Globalization;
using PortMapper.Core.Model;

namespace PortMapper.Core.Analysis;

/// <summary>The paths and findings of one unit of analysis (a Service, a pod's host ports, an Ingress...).</summary>
internal sealed record UnitResult(ImmutableArray<TrafficPath> Paths, ImmutableArray<Diagnostic> Diagnostics)
{
    public static UnitResult Empty { get; } = new([], []);
}

/// <summary>Builds paths and findings for one object at a time, reading the rest of the cluster through the index.</summary>
internal sealed partial class UnitAnalysis(ClusterIndex index)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private ClusterSnapshot S => index.Snapshot;

    public static string Dns(Service s) => $"{s.Metadata.Name}.{s.Metadata.Namespace}.svc.cluster.local";

    public static string PortKey(ServicePort p) => $"{p.Port.ToString(Inv)}/{p.Protocol}";

    public static string ServicePathId(Exposure exposure, Service s, ServicePort? p) =>
        $"{exposure.ToString().ToLowerInvariant()}:{s.Metadata.Namespace}/{s.Metadata.Name}" + (p is null ? "" : ":" + PortKey(p));

    // ---------------------------------------------------------------- Services

    public UnitResult AnalyzeService(Service svc)
    {
        var diags = new List<Diagnostic>();
        var paths = new List<TrafficPath>();
        var sref = svc.Ref();

        if (svc.IsExternalName)
        {
            var id = ServicePathId(Exposure.ExternalName, svc, null);
            if ((svc.Selector is { Count: > 0 }) || !svc.Ports.IsDefaultOrEmpty)
            {
                diags.Add(new Diagnostic
                {
                    Code = Codes.ExternalNameIgnoresFields,
                    Severity = Severity.Info,
                    Object = sref,
                    Field = svc.Selector is { Count: > 0 } ? "spec.selector" : "spec.ports",
                    Hop = HopKind.ExternalName,
                    Message = $"ExternalName Service {sref.Namespace}/{sref.Name} is only a DNS CNAME to {svc.ExternalName}: its selector and ports are ignored, no proxying and no port mapping happen.",
                    Fix = "Remove spec.selector and spec.ports, or use type ClusterIP if you want kube-proxy to forward traffic to pods.",
                    Paths = [id],
                });
            }

            paths.Add(new TrafficPath
            {
                Id = id,
                Namespace = sref.Namespace,
                Service = sref,
                Exposure = Exposure.ExternalName,
                From = ClientKind.InCluster,
                Hops =
                [
                    new Hop(HopKind.Client) { Name = "in-cluster client" },
                    new Hop(HopKind.Dns) { Name = Dns(svc), Note = "cluster DNS answers with a CNAME record" },
                    new Hop(HopKind.ExternalName) { Name = svc.ExternalName ?? "(externalName not set)", Note = "resolved and dialled by the client itself; ports are not translated", Broken = string.IsNullOrEmpty(svc.ExternalName) },
                ],
                Status = string.IsNullOrEmpty(svc.ExternalName) ? PathStatus.Broken : PathStatus.Ok,
                Diagnostics = diags.Select(d => d.Code).ToImmutableArray(),
            });
            return new UnitResult([.. paths], [.. diags]);
        }

        var selector = svc.Selector is { Count: > 0 } sel ? sel : null;
        var selected = selector is null ? [] : index.SelectPods(svc.Metadata.Namespace, selector);
        var slices = index.SlicesFor(svc.Key()).ToList();
        var useSlices = S.EndpointSlicesAuthoritative || selector is null;

        var allPathIds = new List<string>();
        var portsOrNone = svc.Ports.IsDefaultOrEmpty && svc.IsHeadless ? [null] : svc.Ports.Select(p => (ServicePort?)p).ToList();
        var perPort = new List<(ServicePort? Port, int Index, ImmutableArray<EndpointTarget> Endpoints, List<TrafficPath> Paths, List<Diagnostic> Diags)>();
        for (var i = 0; i < portsOrNone.Count; i++)
        {
            var port = portsOrNone[i];
            var portDiags = new List<Diagnostic>();
            var endpoints = useSlices
                ? FromSlices(svc, port, slices)
                : Predict(svc, port, i, selected, portDiags);
            if (useSlices && selector is not null && port is not null)
            {
                // Even with real EndpointSlices, explain which pods are left out of this port and why.
                CheckTargetPort(svc, port, i, selected, portDiags);
            }

            var built = BuildServicePaths(svc, port, endpoints);
            perPort.Add((port, i, endpoints, built, portDiags));
            allPathIds.AddRange(built.Select(p => p.Id));
        }

        if (selector is not null && selected.Count == 0)
        {
            diags.Add(new Diagnostic
            {
                Code = Codes.SelectorMatchesNothing,
                Severity = Severity.Error,
                Object = sref,
                Field = "spec.selector",
                Hop = HopKind.Endpoints,
                Message = $"The selector {FormatSelector(selector)} of Service {sref.Namespace}/{sref.Name} matches no pods in namespace {sref.Namespace}, so it has no endpoints.",
                Fix = $"Make spec.selector equal to labels the pods carry (compare with `kubectl get pods -n {sref.Namespace} --show-labels`), or add those labels to the pod template.",
                Paths = [.. allPathIds],
            });
        }

        if (selector is null && !svc.IsHeadless && slices.Sum(s => s.Endpoints.Length) == 0)
        {
            diags.Add(new Diagnostic
            {
                Code = Codes.NoSelectorNoEndpoints,
                Severity = Severity.Error,
                Object = sref,
                Field = "spec.selector",
                Hop = HopKind.Endpoints,
                Message = $"Service {sref.Namespace}/{sref.Name} has no selector and no EndpointSlice lists any endpoint for it, so nothing receives its traffic.",
                Fix = $"Add a selector that matches the pods, or create an EndpointSlice labelled kubernetes.io/service-name={sref.Name} with the backend addresses.",
                Paths = [.. allPathIds],
            });
        }

        for (var k = 0; k < perPort.Count; k++)
        {
            var (port, i, endpoints, built, portDiags) = perPort[k];
            var ids = built.Select(p => p.Id).ToImmutableArray();
            var ready = endpoints.Count(e => e.Ready);
            var pathDiags = new List<Diagnostic>(portDiags.Select(d => d with { Paths = ids }));
            var portLabel = port is null ? "" : $" port {Describe(port)}";
            var hasRootCause = diags.Any(d => d.Code is Codes.SelectorMatchesNothing or Codes.NoSelectorNoEndpoints);
            if (ready == 0 && !hasRootCause)
            {
                var why = endpoints.Length == 0
                    ? (pathDiags.Any(d => d.Code == Codes.NamedTargetPortMissing) ? "no selected pod declares its named targetPort"
                        : !useSlices && selected.Count > 0 && selected.All(p => !p.PodIps.IsDefaultOrEmpty && p.PodIps.All(ip => !svc.Families.Contains(Service.IpFamilyOf(ip))))
                            ? $"the Service is {string.Join("/", svc.Families)} and no selected pod has an address of that family (they have {string.Join(", ", selected.SelectMany(p => p.PodIps).Take(3))})"
                            : "no endpoint serves it")
                    : $"all {endpoints.Length} endpoint(s) are not ready";
                pathDiags.Add(new Diagnostic
                {
                    Code = Codes.NoReadyEndpoints,
                    Severity = Severity.Error,
                    Object = sref,
                    Field = port is null ? "spec.selector" : $"spec.ports[{i}]",
                    Hop = HopKind.Endpoints,
                    Message = $"Service {sref.Namespace}/{sref.Name}{portLabel} has no ready endpoints: {why}. Connections are refused (kube-proxy installs a REJECT rule).",
                    Fix = endpoints.Length == 0
                        ? "Check that the selected pods declare the targetPort (by name and protocol) and are running."
                        : "Check the pods' readiness probes and events (`kubectl describe pod`); traffic flows again once a pod is Ready.",
                    Paths = ids,
                });
            }
            else if (ready < endpoints.Length && !hasRootCause)
            {
                pathDiags.Add(new Diagnostic
                {
                    Code = Codes.SomeEndpointsNotReady,
                    Severity = Severity.Warning,
                    Object = sref,
                    Field = port is null ? "spec.selector" : $"spec.ports[{i}]",
                    Hop = HopKind.Endpoints,
                    Message = $"{endpoints.Length - ready} of {endpoints.Length} endpoints of Service {sref.Namespace}/{sref.Name}{portLabel} are not ready and receive no traffic.",
                    Fix = "Check the readiness of those pods (`kubectl describe pod`).",
                    Paths = ids,
                });
            }

            if (ready > 0 && !hasRootCause && !svc.IsHeadless && FamilyWithoutEndpoints(svc, port, i, endpoints, ids) is { } familyGap)
            {
                pathDiags.Add(familyGap);
            }

            if (port?.NodePort is { } np && svc.HasNodePorts && !S.NodePortRange.Contains(np))
            {
                pathDiags.Add(new Diagnostic
                {
                    Code = Codes.NodePortOutOfRange,
                    Severity = Severity.Error,
                    Object = sref,
                    Field = $"spec.ports[{i}].nodePort",
                    Hop = HopKind.NodePort,
                    Message = $"nodePort {np} of Service {sref.Namespace}/{sref.Name} is outside the node-port range {S.NodePortRange}; the API server refuses it (provided port is not in the valid range).",
                    Fix = $"Pick a nodePort between {S.NodePortRange.First} and {S.NodePortRange.Last}, or remove it to let the API server allocate one.",
                    Paths = [.. built.Where(p => p.Exposure == Exposure.NodePort).Select(p => p.Id)],
                });
            }

            if (svc.ExternalPolicyLocal && svc.HasNodePorts && index.NodeNames.Length > 0 && port is not null)
            {
                var delivering = endpoints.Where(e => e.Ready && e.NodeName is not null).Select(e => e.NodeName!).ToHashSet(KubeNames.Comparer);
                var dropping = index.NodeNames.Count(n => !delivering.Contains(n));
                // A ready endpoint without a node (a pod template, a pod not placed yet) will deliver somewhere
                // unknown: which nodes drop cannot be told.
                var placed = endpoints.Where(e => e.Ready).All(e => e.NodeName is not null);
                if (dropping > 0 && ready > 0 && placed)
                {
                    pathDiags.Add(new Diagnostic
                    {
                        Code = Codes.LocalPolicyNodesDrop,
                        Severity = Severity.Warning,
                        Object = sref,
                        Field = "spec.externalTrafficPolicy",
                        Hop = HopKind.NodePort,
                        Message = $"externalTrafficPolicy is Local: {dropping} of {index.NodeNames.Length} nodes have no ready endpoint of Service {sref.Namespace}/{sref.Name} and drop traffic sent to their nodePort {port.NodePort?.ToString(Inv) ?? ""}.",
                        Fix = "Send external traffic only to nodes that run a ready pod (a load balancer does this through healthCheckNodePort), run the workload on every node (a DaemonSet), or use externalTrafficPolicy Cluster if the client source IP need not be kept.",
                        Paths = [.. built.Where(p => p.Exposure is Exposure.NodePort or Exposure.LoadBalancer).Select(p => p.Id)],
                    });
                }
            }

            var finished = built.Select(p => Finish(p, pathDiags.Concat(diags).Where(d => d.Paths.Contains(p.Id)))).ToList();
            perPort[k] = (port, i, endpoints, finished, pathDiags);
            diags.AddRange(pathDiags);
        }

        if (svc.Type == ServiceTypes.LoadBalancer && svc.LoadBalancerStatus.IsDefaultOrEmpty)
        {
            var lbIds = perPort.SelectMany(x => x.Paths).Where(p => p.Exposure == Exposure.LoadBalancer).Select(p => p.Id).ToImmutableArray();
            var d = new Diagnostic
            {
                Code = Codes.LoadBalancerPending,
                Severity = Severity.Warning,
                Object = sref,
                Field = "status.loadBalancer.ingress",
                Hop = HopKind.LoadBalancer,
                Message = svc.LoadBalancerClass is { } lbClass
                    ? $"LoadBalancer Service {sref.Namespace}/{sref.Name} has no external address yet (pending): it names loadBalancerClass {lbClass}, so the cloud provider's default controller leaves it alone and only a controller for {lbClass} can provision it, which has not happened."
                    : $"LoadBalancer Service {sref.Namespace}/{sref.Name} has no external address yet (pending): no load balancer controller has provisioned one.",
                Fix = svc.LoadBalancerClass is { } cls
                    ? $"Install or fix the load balancer implementation for class {cls} (its controller logs say why), or remove spec.loadBalancerClass by recreating the Service (the field is immutable) to use the default load balancer."
                    : "Wait for the cloud controller, or install a load balancer implementation (for example MetalLB on bare metal). Meanwhile use the nodePort or a port-forward.",
                Paths = lbIds,
            };
            diags.Add(d);
            ReFinish(perPort, d);
        }

        if (svc.TrafficDistribution is not null && TopologyHintsUnused(svc, perPort.SelectMany(x => x.Endpoints).ToList()) is { } topology)
        {
            var d = new Diagnostic
            {
                Code = Codes.TopologyHintsUnused,
                Severity = Severity.Warning,
                Object = sref,
                Field = "spec.trafficDistribution",
                Hop = HopKind.Endpoints,
                Message = $"Service {sref.Namespace}/{sref.Name} asks for trafficDistribution {svc.TrafficDistribution}, but {topology.Reason}, so kube-proxy ignores topology and spreads connections over every endpoint, across zones.",
                Fix = topology.Fix,
                Paths = [.. perPort.SelectMany(x => x.Paths).Where(p => p.Exposure != Exposure.Headless).Select(p => p.Id)],
            };
            diags.Add(d);
            ReFinish(perPort, d);
        }

        if (svc.SessionAffinity == "ClientIP" && !svc.ExternalPolicyLocal && (svc.HasNodePorts || !svc.ExternalIps.IsDefaultOrEmpty))
        {
            var extIds = perPort.SelectMany(x => x.Paths).Where(p => p.From == ClientKind.External).Select(p => p.Id).ToImmutableArray();
            var d = new Diagnostic
            {
                Code = Codes.AffinityBehindSnat,
                Severity = Severity.Info,
                Object = sref,
                Field = "spec.sessionAffinity",
                Message = $"Service {sref.Namespace}/{sref.Name} uses sessionAffinity ClientIP with externalTrafficPolicy Cluster: external requests are masqueraded to a node address, so affinity sticks to the node that forwarded them, not to the real client.",
                Fix = "Set externalTrafficPolicy: Local to keep client source addresses, or implement stickiness at an Ingress/load balancer.",
                Paths = extIds,
            };
            diags.Add(d);
            ReFinish(perPort, d);
        }

        return new UnitResult([.. perPort.SelectMany(x => x.Paths)], [.. diags]);
    }

    private static void ReFinish(List<(ServicePort? Port, int Index, ImmutableArray<EndpointTarget> Endpoints, List<TrafficPath> Paths, List<Diagnostic> Diags)> perPort, Diagnostic d)
    {
        for (var k = 0; k < perPort.Count; k++)
        {
            var x = perPort[k];
            perPort[k] = x with { Paths = x.Paths.Select(p => d.Paths.Contains(p.Id) ? AddDiagnostic(p, d) : p).ToList() };
        }
    }

    internal static TrafficPath AddDiagnostic(TrafficPath p, Diagnostic d)
    {
        if (p.Diagnostics.Contains(d.Code))
        {
            return p;
        }

        var status = d.Severity == Severity.Error ? PathStatus.Broken
            : d.Severity == Severity.Warning && p.Status == PathStatus.Ok ? PathStatus.Degraded
            : p.Status;
        return p with { Diagnostics = p.Diagnostics.Add(d.Code), Status = status };
    }

    /// <param name="p">The path.</param>
    /// <param name="ds">The findings that touch it.</param>
    /// <param name="deliversToEndpoints">False for an Ingress resource backend, which the controller serves itself.</param>
    private static TrafficPath Finish(TrafficPath p, IEnumerable<Diagnostic> ds, bool deliversToEndpoints = true)
    {
        foreach (var d in ds)
        {
            p = AddDiagnostic(p, d);
        }

        // A path with no ready endpoint to deliver to is broken whatever else is said about it.
        var end = p.Hops.LastOrDefault(h => h.Kind == HopKind.Endpoints);
        if (deliversToEndpoints && end is not null && !end.Endpoints.Any(e => e.Ready))
        {
            p = p with { Status = PathStatus.Broken };
        }

        if (p.Hops.Any(h => h.Broken))
        {
            p = p with { Status = PathStatus.Broken };
        }

        return p;
    }

    private List<TrafficPath> BuildServicePaths(Service svc, ServicePort? port, ImmutableArray<EndpointTarget> endpoints)
    {
        var sref = svc.Ref();
        var result = new List<TrafficPath>();
        var protocol = port?.Protocol ?? Protocols.Tcp;
        var targetNote = port is null ? "headless Service without ports: clients dial any port on the pod IPs"
            : port.TargetPort is null ? $"targetPort not set: defaults to port {port.Port.ToString(Inv)}"
            : port.TargetPort.Value.IsName ? $"targetPort \"{port.TargetPort.Value.Name}\" is a container port name, resolved on each pod"
            : $"targetPort {port.TargetPort.Value.Number?.ToString(Inv)}";
        var endpointsHop = new Hop(HopKind.Endpoints)
        {
            Endpoints = endpoints,
            Addresses = [.. endpoints.Select(e => e.Ip).OfType<string>()],
            Port = UniformPort(endpoints) ?? port?.TargetPort?.Number ?? (port?.TargetPort is null ? port?.Port : null),
            Name = port?.TargetPort?.Name,
            Note = targetNote,
        };
        TrafficPath Path(Exposure exposure, ClientKind from, params Hop[] hops) => new()
        {
            Id = ServicePathId(exposure, svc, port),
            Namespace = sref.Namespace,
            Service = sref,
            Exposure = exposure,
            Protocol = protocol,
            From = from,
            PortName = port?.Name,
            Hops = [.. hops],
        };

        var inCluster = new Hop(HopKind.Client) { Name = "in-cluster client" };
        var external = new Hop(HopKind.Client) { Name = "external client" };
        if (svc.IsHeadless)
        {
            result.Add(Path(Exposure.Headless, ClientKind.InCluster, inCluster,
                new Hop(HopKind.Dns) { Name = Dns(svc), Addresses = [.. endpoints.Where(e => e.Ready).Select(e => e.Ip).OfType<string>()], Note = "headless: DNS answers with the ready pod IPs; no virtual IP, no kube-proxy" },
                endpointsHop));
            return result;
        }

        var clusterIps = svc.ClusterIps.IsDefaultOrEmpty ? ["(clusterIP not allocated yet)"] : svc.ClusterIps;
        var clusterHop = new Hop(HopKind.ClusterIp)
        {
            Addresses = clusterIps,
            Port = port?.Port,
            Name = Dns(svc),
            Note = svc.InternalPolicyLocal ? "internalTrafficPolicy Local: in-cluster clients reach only endpoints on their own node" : "virtual IP: kube-proxy rewrites it to one endpoint (DNAT)",
        };
        result.Add(Path(Exposure.ClusterIP, ClientKind.InCluster, inCluster, clusterHop, endpointsHop));

        if (svc.HasNodePorts && port is not null)
        {
            var nodeHop = NodePortHop(svc, port, endpoints);
            var viaCluster = clusterHop with { Note = "the same KUBE-SVC chain as the clusterIP: one DNAT on the node, no second hop on the wire" };
            result.Add(Path(Exposure.NodePort, ClientKind.External, external, nodeHop, viaCluster, endpointsHop));
            if (svc.Type == ServiceTypes.LoadBalancer)
            {
                result.Add(Path(Exposure.LoadBalancer, ClientKind.External, external, LbHop(svc, port), nodeHop, viaCluster, endpointsHop));
            }
        }
        else if (svc.Type == ServiceTypes.LoadBalancer && port is not null)
        {
            var lb = LbHop(svc, port) with { Note = "allocateLoadBalancerNodePorts is false: the load balancer must reach pod IPs directly" };
            result.Add(Path(Exposure.LoadBalancer, ClientKind.External, external, lb, clusterHop, endpointsHop));
        }

        if (!svc.ExternalIps.IsDefaultOrEmpty && port is not null)
        {
            result.Add(Path(Exposure.ExternalIP, ClientKind.External, external,
                new Hop(HopKind.ExternalIp) { Addresses = svc.ExternalIps, Port = port.Port, Note = "kube-proxy captures traffic to these addresses on every node; routing them to a node is up to you" },
                endpointsHop));
        }

        return result;
    }

    private Hop NodePortHop(Service svc, ServicePort port, ImmutableArray<EndpointTarget> endpoints)
    {
        ImmutableArray<string>? delivering = null;
        var note = port.NodePort is null
            ? $"nodePort not set: the API server allocates one from {S.NodePortRange}"
            : index.NodeNames.IsEmpty ? "open on every node; kube-proxy forwards it" : $"open on every node ({index.NodeNames.Length}); kube-proxy forwards it";
        if (svc.ExternalPolicyLocal)
        {
            var local = endpoints.Where(e => e.Ready && e.NodeName is not null).Select(e => e.NodeName!).ToHashSet(KubeNames.Comparer);
            delivering = [.. index.NodeNames.Where(local.Contains)];
            note = $"externalTrafficPolicy Local: {delivering.Value.Length} of {index.NodeNames.Length} nodes deliver (client IP kept); the others drop";
        }

        return new Hop(HopKind.NodePort)
        {
            Addresses = index.NodeAddresses,
            Nodes = index.NodeNames,
            DeliveringNodes = delivering,
            Port = port.NodePort,
            Name = index.NodeNames.IsEmpty ? "every node" : index.NodeNames.Length == 1 ? "1 node" : $"{index.NodeNames.Length} nodes",
            Note = note,
        };
    }

    private static Hop LbHop(Service svc, ServicePort port)
    {
        var byClass = svc.LoadBalancerClass is { } c ? $"loadBalancerClass {c}" : null;
        if (svc.LoadBalancerStatus.IsDefaultOrEmpty)
        {
            return new Hop(HopKind.LoadBalancer)
            {
                Port = port.Port,
                Name = "pending",
                Note = byClass is null ? "no external address yet" : $"no external address yet: only the controller of {byClass} provisions it",
                Broken = true,
            };
        }

        var notes = new[]
        {
            byClass is null ? null : $"provisioned by the controller of {byClass}",
            svc.LoadBalancerSourceRanges.IsDefaultOrEmpty ? null : $"only from {string.Join(", ", svc.LoadBalancerSourceRanges)}",
        }.OfType<string>().ToList();
        return new Hop(HopKind.LoadBalancer)
        {
            Addresses = [.. svc.LoadBalancerStatus.Select(l => l.Address)],
            Port = port.Port,
            Note = notes.Count == 0 ? null : string.Join("; ", notes),
        };
    }

    /// <summary>
    /// PM013: a dual-stack Service port with ready endpoints, none of which has an address of one of its families:
    /// that family's proxier has nothing to send to and rejects its clients.
    /// </summary>
    private static Diagnostic? FamilyWithoutEndpoints(Service svc, ServicePort? port, int i, ImmutableArray<EndpointTarget> endpoints, ImmutableArray<string> ids)
    {
        if (!svc.IsDualStack || !endpoints.Any(e => e.Ready && e.Ip is not null))
        {
            return null;
        }

        foreach (var family in svc.Families)
        {
            if (endpoints.Any(e => e.Ready && e.IpOf(family) is not null))
            {
                continue;
            }

            var sref = svc.Ref();
            var clusterIp = svc.ClusterIps.FirstOrDefault(ip => Service.IpFamilyOf(ip) == family);
            var other = svc.Families.First(f => f != family);
            var ready = endpoints.Count(e => e.Ready);
            return new Diagnostic
            {
                Code = Codes.FamilyWithoutEndpoints,
                Severity = Severity.Error,
                Object = sref,
                Field = "spec.ipFamilies",
                Hop = HopKind.Endpoints,
                Message = $"Service {sref.Namespace}/{sref.Name}{(port is null ? "" : $" port {Describe(port)}")} is dual-stack ({string.Join(", ", svc.ClusterIps)}), but none of its {ready} ready endpoint(s) has an {family} address: "
                    + $"{family} clients{(clusterIp is null ? "" : $" of {TraceTargetText(clusterIp, port)}")} are refused by kube-proxy's {family} rules, while {other} works.",
                // The primary family (ipFamilies[0]) is immutable; dropping the secondary one is an update.
                Fix = $"Give the pods {family} addresses (a dual-stack pod network, or {family} EndpointSlices for a Service without selector), or make the Service single-stack "
                    + (svc.Families[0] == family
                        ? $"{other}: {family} is its primary family, which cannot change, so recreate it with ipFamilyPolicy: SingleStack and ipFamilies: [{other}]."
                        : $"{other}: set ipFamilyPolicy: SingleStack and ipFamilies: [{other}]; the API server then releases the {family} cluster IP."),
                Paths = ids,
            };
        }

        return null;
    }

    private static string TraceTargetText(string ip, ServicePort? port) =>
        port is null ? ip : ip.Contains(':', StringComparison.Ordinal) ? $"[{ip}]:{port.Port.ToString(Inv)}" : $"{ip}:{port.Port.ToString(Inv)}";

    /// <summary>PM014: why the topology hints trafficDistribution asks for cannot steer kube-proxy; null when they can.</summary>
    private (string Reason, string Fix)? TopologyHintsUnused(Service svc, List<EndpointTarget> endpoints)
    {
        var ready = endpoints.Where(e => e.Ready).ToList();
        if (ready.Count == 0)
        {
            return null;
        }

        var sameNode = svc.TrafficDistribution == TrafficDistributions.PreferSameNode;
        var zonedNodes = S.Nodes.Values.Count(n => n.Zone is { Length: > 0 });
        if (!sameNode && S.Nodes.Count > 0 && zonedNodes == 0)
        {
            return ($"none of the {S.Nodes.Count} nodes carries the label topology.kubernetes.io/zone, so the EndpointSlice controller writes no zone hints",
                "Label the nodes with their zones (cloud providers do it through the cloud controller manager; on bare metal: `kubectl label node <node> topology.kubernetes.io/zone=<zone>`).");
        }

        var hinted = ready.Count(e => sameNode ? !e.ForNodes.IsDefaultOrEmpty : !e.ForZones.IsDefaultOrEmpty);
        if (hinted == ready.Count)
        {
            return null;
        }

        if (hinted == 0 && ready.All(e => !e.Predicted))
        {
            return ($"its EndpointSlices carry no {(sameNode ? "node" : "zone")} hints (the cluster's EndpointSlice controller does not implement trafficDistribution {svc.TrafficDistribution}: PreferClose needs Kubernetes 1.31, PreferSameZone and PreferSameNode 1.34)",
                "Upgrade the control plane, or use the topology-aware routing annotation service.kubernetes.io/topology-mode: Auto on older clusters.");
        }

        var missing = ready.Where(e => sameNode ? e.ForNodes.IsDefaultOrEmpty : e.ForZones.IsDefaultOrEmpty).Select(e => e.Pod?.Name ?? e.Ip ?? "?").Take(3);
        return ($"{ready.Count - hinted} of {ready.Count} ready endpoints have no {(sameNode ? "node" : "zone")} hint ({string.Join(", ", missing)}{(ready.Count - hinted > 3 ? ", ..." : "")}: their node has no zone label or they have no node), and kube-proxy uses hints only when every ready endpoint has one",
            "Schedule the pods only on nodes labelled with topology.kubernetes.io/zone, or label the remaining nodes.");
    }

    private static int? UniformPort(ImmutableArray<EndpointTarget> endpoints)
    {
        int? port = null;
        foreach (var e in endpoints)
        {
            if (e.Port is null || (port is not null && port != e.Port))
            {
                return null;
            }

            port = e.Port;
        }

        return port;
    }

    /// <summary>
    /// The endpoints of <paramref name="port"/> from the Service's EndpointSlices: each family's proxier reads the
    /// slices of its addressType, so a dual-stack pod's IPv4 and IPv6 entries become one endpoint with two addresses.
    /// </summary>
    private static ImmutableArray<EndpointTarget> FromSlices(Service svc, ServicePort? port, List<EndpointSlice> slices)
    {
        // Without allocated cluster IPs or written ipFamilies (manifests), the slices themselves tell the families.
        var families = !svc.ClusterIps.IsDefaultOrEmpty && !svc.IsHeadless || !svc.IpFamilies.IsDefaultOrEmpty
            ? svc.Families
            : [IpFamily.V4, IpFamily.V6];
        var result = new List<EndpointTarget>();
        var byTarget = new Dictionary<(string Kind, string Namespace, string Name, int? Port), int>();
        foreach (var slice in slices
                     .Where(s => families.Contains(s.AddressType))
                     .OrderBy(s => families.IndexOf(s.AddressType))
                     .ThenBy(s => s.Metadata.Name, KubeNames.Comparer))
        {
            int? number = null;
            if (port is not null)
            {
                var match = slice.Ports.FirstOrDefault(p => (p.Name ?? "") == (port.Name ?? "") && (p.Protocol ?? Protocols.Tcp) == port.Protocol);
                if (match is null)
                {
                    // This slice's pods do not serve this Service port (a named targetPort they lack).
                    continue;
                }

                number = match.Port;
            }

            foreach (var e in slice.Endpoints)
            {
                var ip = e.Addresses.IsDefaultOrEmpty ? null : e.Addresses[0];
                if (ip is not null && e.TargetRef is { } t && byTarget.TryGetValue((t.Kind, t.Namespace, t.Name, number), out var at))
                {
                    var known = result[at];
                    if (known.IpOf(slice.AddressType) is null)
                    {
                        result[at] = known with { Ips = known.Ips.IsEmpty ? [known.Ip!, ip] : known.Ips.Add(ip) };
                        continue;
                    }
                }

                if (ip is not null && e.TargetRef is { } r)
                {
                    byTarget.TryAdd((r.Kind, r.Namespace, r.Name, number), result.Count);
                }

                result.Add(new EndpointTarget
                {
                    // Ips is filled only when a second family's address joins (IpOf falls back to Ip): one array less per endpoint.
                    Ip = ip,
                    Port = number,
                    Pod = e.TargetRef,
                    NodeName = e.NodeName,
                    Zone = e.Zone,
                    ForZones = e.ForZones,
                    ForNodes = e.ForNodes,
                    Ready = e.IsReady,
                    Serving = e.Conditions.Serving ?? e.IsReady,
                    Terminating = e.Conditions.Terminating ?? false,
                });
            }
        }

        return [.. result];
    }

    /// <summary>Endpoints as the EndpointSlice controller would compute them (K8S-FACTS: EndpointSlice port resolution).</summary>
    private ImmutableArray<EndpointTarget> Predict(Service svc, ServicePort? port, int portIndex, List<Pod> selected, List<Diagnostic> diags)
    {
        if (port is not null)
        {
            CheckTargetPort(svc, port, portIndex, selected, diags);
        }

        var result = ImmutableArray.CreateBuilder<EndpointTarget>(selected.Count);
        foreach (var pod in selected)
        {
            if (pod.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            int? number = null;
            if (port is not null)
            {
                number = ResolveTargetPort(pod, port);
                if (number is null)
                {
                    continue;
                }
            }

            // As the EndpointSlice controller decides (podToEndpoint): publishNotReadyAddresses makes the endpoint ready
            // even while the pod is unready or terminating.
            var serving = pod.Ready ?? true;
            var ips = EndpointIps(svc, pod);
            if (ips.IsEmpty && !pod.PodIps.IsDefaultOrEmpty)
            {
                // No address in any of the Service's families: the EndpointSlice controller leaves the pod out.
                continue;
            }

            var zone = pod.NodeName is not null && S.Nodes.TryGetValue(pod.NodeName, out var node) ? node.Zone : null;
            var (forZones, forNodes) = KubeProxy.Topology.HintsFor(svc.TrafficDistribution, zone, pod.NodeName);
            result.Add(new EndpointTarget
            {
                Ip = ips.IsEmpty ? null : ips[0],
                Ips = ips,
                Zone = zone,
                ForZones = forZones,
                ForNodes = forNodes,
                Port = number,
                Pod = pod.FromTemplate ? pod.Metadata.OwnerReferences.Select(o => new ObjectRef(o.Kind, pod.Metadata.Namespace, o.Name)).FirstOrDefault() : pod.Ref(),
                NodeName = pod.NodeName,
                Ready = svc.PublishNotReadyAddresses || (serving && !pod.Terminating),
                Serving = serving,
                Terminating = pod.Terminating,
                Predicted = true,
            });
        }

        return result.ToImmutable();
    }

    private string? NodeAddress(string? node) => node is not null && S.Nodes.TryGetValue(node, out var n) ? n.PrimaryAddress : null;

    /// <summary>
    /// The pod's address in each of the Service's families, in the Service's order, as the EndpointSlice controller
    /// writes one slice per family (a hostNetwork pod's are its node's). A pod without an address of a family is in no
    /// slice of it. When the pod's IPs are not known yet (manifests), none.
    /// </summary>
    private ImmutableArray<string> EndpointIps(Service svc, Pod pod)
    {
        var own = !pod.PodIps.IsDefaultOrEmpty
            ? pod.PodIps
            : pod.HostNetwork && pod.NodeName is not null && S.Nodes.TryGetValue(pod.NodeName, out var n)
                ? [.. n.Addresses.Where(a => a.Type == "InternalIP").Select(a => a.Address)]
                : [];
        if (own.IsDefaultOrEmpty)
        {
            return pod.HostNetwork && NodeAddress(pod.NodeName) is { } fallback ? [fallback] : [];
        }

        var families = svc.Families;
        if (families.Length == 1 && own.Length == 1)
        {
            // The common single-stack case; a v4 pod behind a v4 Service (or a manifest without families).
            return Service.IpFamilyOf(own[0]) == families[0] || svc.ClusterIps.IsDefaultOrEmpty ? own : [];
        }

        var result = ImmutableArray.CreateBuilder<string>(families.Length);
        foreach (var family in families)
        {
            if (own.FirstOrDefault(ip => Service.IpFamilyOf(ip) == family) is { } ip)
            {
                result.Add(ip);
            }
        }

        return result.ToImmutable();
    }

    /// <summary>The port number a pod serves for a Service port: numbers as-is, names looked up by name and protocol.</summary>
    public static int? ResolveTargetPort(Pod pod, ServicePort port)
    {
        var target = port.EffectiveTargetPort;
        if (!target.IsName)
        {
            return target.Number;
        }

        foreach (var (_, p) in pod.Spec.AllPorts)
        {
            if (p.Name == target.Name && p.Protocol == port.Protocol)
            {
                return p.Number;
            }
        }

        return null;
    }

    private static void CheckTargetPort(Service svc, ServicePort port, int i, List<Pod> selected, List<Diagnostic> diags)
    {
        var sref = svc.Ref();
        var target = port.EffectiveTargetPort;
        if (target.IsName)
        {
            foreach (var pod in selected)
            {
                if (ResolveTargetPort(pod, port) is not null)
                {
                    continue;
                }

                var other = pod.Spec.AllPorts.FirstOrDefault(x => x.Port.Name == target.Name);
                var detail = other.Port is not null
                    ? $" (it declares \"{target.Name}\" only for {other.Port.Protocol})"
                    : pod.Spec.AllPorts.Any() ? $" (it declares {string.Join(", ", pod.Spec.AllPorts.Select(x => x.Port.Name is null ? $"{x.Port.Number.ToString(Inv)}/{x.Port.Protocol}" : $"{x.Port.Name}={x.Port.Number.ToString(Inv)}/{x.Port.Protocol}"))})" : " (it declares no ports)";
                diags.Add(new Diagnostic
                {
                    Code = Codes.NamedTargetPortMissing,
                    Severity = Severity.Error,
                    Object = sref,
                    Field = $"spec.ports[{i}].targetPort",
                    Hop = HopKind.Endpoints,
                    Message = $"Service {sref.Namespace}/{sref.Name} port {Describe(port)} targets the port named \"{target.Name}\" ({port.Protocol}), which {PodLabel(pod)} does not declare{detail}; that pod gets no endpoint for this port.",
                    Fix = $"Name the container port \"{target.Name}\" with protocol {port.Protocol} in the pod template (ports[].name), or set targetPort to the number the container listens on.",
                });
            }

            return;
        }

        var missing = selected.Where(p => !p.Spec.AllPorts.Any(x => x.Port.Number == target.Number && x.Port.Protocol == port.Protocol)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        var declared = missing.SelectMany(p => p.Spec.AllPorts.Where(x => x.Port.Protocol == port.Protocol).Select(x => x.Port.Number)).Distinct().Order().ToList();
        var names = string.Join(", ", missing.Take(3).Select(PodLabel)) + (missing.Count > 3 ? $" and {missing.Count - 3} more" : "");
        diags.Add(new Diagnostic
        {
            Code = Codes.NumericTargetPortUndeclared,
            Severity = Severity.Warning,
            Object = sref,
            Field = $"spec.ports[{i}].targetPort",
            Hop = HopKind.Endpoints,
            Message = $"Service {sref.Namespace}/{sref.Name} port {Describe(port)} sends traffic to targetPort {target.Number?.ToString(Inv)}/{port.Protocol}, but {names} declare{(missing.Count == 1 ? "s" : "")} no such container port" +
                (declared.Count > 0 ? $" (declared: {string.Join(", ", declared)})" : "") + ". Traffic is still sent there; it fails unless the process listens on it anyway.",
            Fix = declared.Count == 1
                ? $"Set targetPort to {declared[0].ToString(Inv)} (the declared containerPort), or declare containerPort {target.Number?.ToString(Inv)} if the process really listens there."
                : $"Set targetPort to the port the container listens on, or declare containerPort {target.Number?.ToString(Inv)}.",
        });
    }

    private static string PodLabel(Pod p) => p.FromTemplate
        ? $"the pod template of {p.Metadata.OwnerReferences.FirstOrDefault()?.Kind ?? "workload"} {p.Metadata.Namespace}/{p.Metadata.Name}"
        : $"pod {p.Metadata.Namespace}/{p.Metadata.Name}";

    internal static string Describe(ServicePort p) => p.Name is { Length: > 0 } ? $"\"{p.Name}\" ({p.Port.ToString(Inv)}/{p.Protocol})" : $"{p.Port.ToString(Inv)}/{p.Protocol}";

    private static string FormatSelector(IReadOnlyDictionary<string, string> selector) =>
        "{" + string.Join(", ", selector.OrderBy(k => k.Key, KubeNames.Comparer).Select(kv => $"{kv.Key}={kv.Value}")) + "}";

    // ---------------------------------------------------------------- Pods exposed on their node

    public UnitResult AnalyzePod(Pod pod)
    {
        var paths = new List<TrafficPath>();
        var diags = new List<Diagnostic>();
        var pref = pod.Ref();
        if (pod.UnschedulableMessage is { } why)
        {
            diags.Add(new Diagnostic
            {
                Code = Codes.PodUnschedulable,
                Severity = Severity.Error,
                Object = pref,
                Field = "spec",
                Message = $"Pod {pref.Namespace}/{pref.Name} cannot be scheduled: {why}",
                Fix = "Free the port on a node, add nodes, or drop the hostPort/hostNetwork requirement (a Service usually serves better).",
            });
        }

        var nodeAddress = NodeAddress(pod.NodeName) ?? pod.HostIp;
        var nodes = pod.NodeName is null ? ImmutableArray<string>.Empty : [pod.NodeName];
        var unschedulable = pod.UnschedulableMessage is not null;

        // Both exposures start on the pod's node, and only there: an external client, then the node's address.
        TrafficPath OnNode(string scheme, Exposure exposure, Container container, ContainerPort port, int nodePort, Hop entry, ImmutableArray<Hop> after, PathStatus status) => new()
        {
            Id = $"{scheme}:{pref.Namespace}/{pref.Name}:{container.Name}:{nodePort.ToString(Inv)}/{port.Protocol}",
            Namespace = pref.Namespace,
            Pod = pref,
            Exposure = exposure,
            Protocol = port.Protocol,
            From = ClientKind.External,
            PortName = port.Name,
            Hops = [new Hop(HopKind.Client) { Name = "external client" }, entry with { Port = nodePort, Nodes = nodes, Name = pod.NodeName ?? "(not scheduled)", Broken = pod.NodeName is null && unschedulable }, .. after],
            Status = unschedulable ? PathStatus.Broken : status,
            Diagnostics = [.. diags.Select(d => d.Code)],
        };

        foreach (var (container, port) in pod.Spec.AllPorts)
        {
            if (pod.HostNetwork)
            {
                var entry = new Hop(HopKind.HostNetwork)
                {
                    Addresses = nodeAddress is null ? [] : [nodeAddress],
                    Note = "hostNetwork: the process binds the node's own address; no translation",
                };
                paths.Add(OnNode("hostnetwork", Exposure.HostNetwork, container, port, port.Number, entry, [], PathStatus.Ok));
            }
            else if (port.HostPort > 0)
            {
                var entry = new Hop(HopKind.HostPort)
                {
                    Addresses = port.HostIp is { Length: > 0 } hip && hip != "0.0.0.0" ? [hip] : nodeAddress is null ? [] : [nodeAddress],
                    Note = "hostPort: the node's container runtime (CNI portmap) DNATs this port to the pod; only on the pod's own node",
                };
                var target = new Hop(HopKind.Endpoints)
                {
                    Addresses = pod.PodIp is null ? [] : [pod.PodIp],
                    Port = port.Number,
                    Endpoints = [new EndpointTarget { Ip = pod.PodIp, Port = port.Number, Pod = pref, NodeName = pod.NodeName, Ready = pod.Ready ?? true, Serving = pod.Ready ?? true, Predicted = pod.Phase is null }],
                    Note = $"containerPort {port.Number.ToString(Inv)}",
                };
                paths.Add(OnNode("hostport", Exposure.HostPort, container, port, port.HostPort, entry, [target], pod.Ready == false ? PathStatus.Degraded : PathStatus.Ok));
            }
        }

        var ids = paths.Select(p => p.Id).ToImmutableArray();
        return new UnitResult([.. paths], [.. diags.Select(d => d with { Paths = ids })]);
    }

    // ---------------------------------------------------------------- Ingress

    public UnitResult AnalyzeIngress(Ingress ing)
    {
        var iref = ing.Ref();
        var paths = new List<TrafficPath>();
        var diags = new List<Diagnostic>();
        var addresses = ing.LoadBalancerStatus.Select(l => l.Address).ToImmutableArray();

        var className = ing.IngressClassName;
        var classKnown = S.IngressClasses.Count > 0 || S.EndpointSlicesAuthoritative;
        if (classKnown && (className is null ? !S.IngressClasses.Values.Any(c => c.IsDefault) : !S.IngressClasses.ContainsKey(className)))
        {
            diags.Add(new Diagnostic
            {
                Code = Codes.IngressClassMissing,
                Severity = Severity.Warning,
                Object = iref,
                Field = "spec.ingressClassName",
                Hop = HopKind.Ingress,
                Message = className is null
                    ? $"Ingress {iref.Namespace}/{iref.Name} names no ingressClassName and the cluster has no default IngressClass: no controller is bound to serve it."
                    : $"Ingress {iref.Namespace}/{iref.Name} asks for IngressClass \"{className}\", which does not exist: no controller serves it.",
                Fix = S.IngressClasses.Count > 0
                    ? $"Set spec.ingressClassName to one of: {string.Join(", ", S.IngressClasses.Keys.Order(StringComparer.Ordinal))}."
                    : "Install an Ingress controller (it creates an IngressClass), then set spec.ingressClassName to it.",
            });
        }

        var routes = new List<(string? Host, string? Path, string? PathType, IngressBackend Backend, string Id, string Field)>();
        for (var r = 0; r < ing.Rules.Length; r++)
        {
            for (var p = 0; p < ing.Rules[r].Paths.Length; p++)
            {
                var ip = ing.Rules[r].Paths[p];
                routes.Add((ing.Rules[r].Host, ip.Path, ip.PathType, ip.Backend, $"ingress:{iref.Namespace}/{iref.Name}:{r.ToString(Inv)}:{p.ToString(Inv)}", $"spec.rules[{r}].http.paths[{p}].backend"));
            }
        }

        if (ing.DefaultBackend is { } db)
        {
            routes.Add((null, null, null, db, $"ingress:{iref.Namespace}/{iref.Name}:default", "spec.defaultBackend"));
        }

        foreach (var (host, path, pathType, backend, id, field) in routes)
        {
            var routeDiags = new List<Diagnostic>();
            var tls = ing.IsTlsHost(host);
            var ingressHop = new Hop(HopKind.Ingress)
            {
                Addresses = addresses,
                Port = tls ? 443 : 80,
                Name = (host ?? "*") + (path ?? (field == "spec.defaultBackend" ? " (default backend)" : "/")),
                Note = (pathType is null ? "every request no rule matches" : $"pathType {pathType}") + (tls ? "; TLS terminated here" : "") + (addresses.IsEmpty ? "; no address yet" : ""),
                Tls = tls,
            };
            var hops = new List<Hop> { new(HopKind.Client) { Name = "external client" }, ingressHop };
            var svcName = backend.Service?.Name;
            if (svcName is null)
            {
                hops.Add(new Hop(HopKind.Endpoints) { Name = backend.Resource is { } res ? $"{res.Kind}/{res.Name}" : "(no backend)", Note = "resource backend: served by the controller, not by a Service" });
            }
            else if (!S.Services.TryGetValue(new ObjectKey(iref.Namespace, svcName), out var svc))
            {
                routeDiags.Add(new Diagnostic
                {
                    Code = Codes.IngressServiceMissing,
                    Severity = Severity.Error,
                    Object = iref,
                    Field = $"{field}.service.name",
                    Hop = HopKind.ClusterIp,
                    Message = $"Ingress {iref.Namespace}/{iref.Name} sends {ingressHop.Name} to Service \"{svcName}\", which does not exist in namespace {iref.Namespace}; the controller answers 503.",
                    Fix = $"Create Service {iref.Namespace}/{svcName} or point the backend at an existing Service (an Ingress can only reach Services in its own namespace).",
                });
                hops.Add(new Hop(HopKind.ClusterIp) { Name = $"{svcName}.{iref.Namespace}.svc.cluster.local", Note = "Service not found", Broken = true });
            }
            else
            {
                var sp = backend.Service!.Port is { } want
                    ? svc.Ports.FirstOrDefault(x => want.IsName ? x.Name == want.Name : x.Port == want.Number)
                    : null;
                if (sp is null && !svc.IsExternalName)
                {
                    var portText = backend.Service.Port?.IsName == true ? $"named \"{backend.Service.Port.Value.Name}\"" : backend.Service.Port?.ToString() ?? "(none)";
                    routeDiags.Add(new Diagnostic
                    {
                        Code = Codes.IngressPortMissing,
                        Severity = Severity.Error,
                        Object = iref,
                        Field = $"{field}.service.port",
                        Hop = HopKind.ClusterIp,
                        Message = $"Ingress {iref.Namespace}/{iref.Name} sends {ingressHop.Name} to port {portText} of Service {iref.Namespace}/{svcName}, which has no such port (it has {(svc.Ports.IsDefaultOrEmpty ? "none" : string.Join(", ", svc.Ports.Select(Describe)))}).",
                        Fix = svc.Ports.Length == 1
                            ? $"Use port number {svc.Ports[0].Port.ToString(Inv)}" + (svc.Ports[0].Name is { Length: > 0 } n ? $" or name \"{n}\"" : "") + " — the Service's port, not the container's targetPort."
                            : "Use one of the Service's ports (its `port` or port name — not the container's targetPort).",
                    });
                    hops.Add(new Hop(HopKind.ClusterIp) { Addresses = svc.ClusterIps, Name = Dns(svc), Port = backend.Service.Port?.Number, Note = "no such Service port", Broken = true });
                }
                else if (svc.IsExternalName)
                {
                    hops.Add(new Hop(HopKind.ExternalName) { Name = svc.ExternalName, Note = "ExternalName backend: some controllers proxy to it, others refuse" });
                }
                else
                {
                    var svcUnitPaths = index.Snapshot.Services.ContainsKey(svc.Key()) ? AnalyzeServiceEndpointsFor(svc, sp!) : [];
                    hops.Add(new Hop(HopKind.ClusterIp) { Addresses = svc.ClusterIps, Port = sp!.Port, Name = Dns(svc), Note = "most controllers read the Service's endpoints and send straight to the pods" });
                    hops.Add(new Hop(HopKind.Endpoints)
                    {
                        Endpoints = svcUnitPaths,
                        Addresses = [.. svcUnitPaths.Select(e => e.Ip).OfType<string>()],
                        Port = UniformPort(svcUnitPaths),
                    });
                }
            }

            var tp = new TrafficPath
            {
                Id = id,
                Namespace = iref.Namespace,
                Ingress = iref,
                Service = svcName is null ? null : new ObjectRef("Service", iref.Namespace, svcName),
                Exposure = Exposure.Ingress,
                Protocol = Protocols.Tcp,
                From = ClientKind.External,
                Hops = [.. hops],
            };
            var ids = ImmutableArray.Create(id);
            routeDiags = routeDiags.Select(d => d with { Paths = ids }).ToList();
            tp = Finish(tp, routeDiags.Concat(diags.Where(d => d.Code == Codes.IngressClassMissing)), deliversToEndpoints: svcName is not null || backend.Resource is null);
            paths.Add(tp);
            diags.AddRange(routeDiags);
        }

        var allIds = paths.Select(p => p.Id).ToImmutableArray();
        diags = diags.Select(d => d.Code == Codes.IngressClassMissing ? d with { Paths = allIds } : d).ToList();
        if (addresses.IsEmpty && S.EndpointSlicesAuthoritative && !diags.Any(d => d.Code == Codes.IngressClassMissing))
        {
            var d = new Diagnostic
            {
                Code = Codes.LoadBalancerPending,
                Severity = Severity.Warning,
                Object = iref,
                Field = "status.loadBalancer.ingress",
                Hop = HopKind.Ingress,
                Message = $"Ingress {iref.Namespace}/{iref.Name} has no address yet: its controller has not published one.",
                Fix = "Check that the Ingress controller for its class is running and watching this namespace.",
                Paths = allIds,
            };
            diags.Add(d);
            paths = paths.Select(p => AddDiagnostic(p, d)).ToList();
        }

        return new UnitResult([.. paths], [.. diags]);
    }

    private ImmutableArray<EndpointTarget> AnalyzeServiceEndpointsFor(Service svc, ServicePort port)
    {
        var selector = svc.Selector is { Count: > 0 } sel ? sel : null;
        if (S.EndpointSlicesAuthoritative || selector is null)
        {
            return FromSlices(svc, port, index.SlicesFor(svc.Key()).ToList());
        }

        return Predict(svc, port, svc.Ports.IndexOf(port), index.SelectPods(svc.Metadata.Namespace, selector), []);
    }
}
