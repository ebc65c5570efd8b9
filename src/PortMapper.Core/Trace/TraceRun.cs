using System.Collections.Immutable;
using System.Globalization;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;
using PortMapper.Core.Policy;

namespace PortMapper.Core.Trace;

/// <summary>One trace: the source resolved once, the steps collected as the packet moves.</summary>
internal sealed partial class TraceRun(TraceIndex index, TraceSource from, ChainNamer chains, TraceChainNames? names = null)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    private readonly List<TraceStep> _steps = [];
    private Pod? _pod;
    private string? _nodeName;
    private string? _sourceAddress;
    private string _protocol = Protocols.Tcp;
    private string? _snatNodeIp;

    /// <summary>Where kube-proxy meets a Service's traffic: its clusterIP, or one of the external ways in.</summary>
    private enum Entry
    {
        ClusterIp,
        NodePort,
        LoadBalancer,
        ExternalIp,
    }

    private readonly TraceChainNames _names = names ?? TraceChainNames.Iptables;

    private ClusterSnapshot S => index.Snapshot;

    private bool External => from.Kind == TraceSourceKind.External;

    /// <summary>The request starts in a node's own network namespace: on a node, or in a hostNetwork pod.</summary>
    private bool FromHost => from.Kind == TraceSourceKind.Node || _pod?.HostNetwork == true;

    /// <summary>The request starts from a pod IP, which kube-proxy recognises as in-cluster traffic.</summary>
    private bool FromPodNetwork => _pod is { HostNetwork: false };

    public TraceResult Run(TraceTarget to)
    {
        if (ResolveSource() is { } problem)
        {
            return Fail(problem);
        }

        if (to is AddressTarget { Ip: var ip } && Service.IpFamilyOf(ip) is var family && _sourceAddress is not null && Service.IpFamilyOf(_sourceAddress) != family)
        {
            // A dual-stack client sends from its address of the destination's family.
            var own = _pod is { HostNetwork: false } ? _pod.PodIps : [];
            var node = _nodeName is not null && S.Nodes.TryGetValue(_nodeName, out var n) ? n.Addresses.Select(a => a.Address) : [];
            var sameFamily = (_pod is { HostNetwork: false } ? own : node).FirstOrDefault(a => Service.IpFamilyOf(a) == family);
            if (sameFamily is null)
            {
                Step(TraceStepKind.Client, $"{DescribeSource()} tries to send a request to {to}", _sourceAddress, _nodeName);
                return Fail($"{DescribeSource()} has no {family} address ({(_pod is { HostNetwork: false } ? "status.podIPs" : "the node's status.addresses")}: {string.Join(", ", _pod is { HostNetwork: false } ? own : node)}), so it cannot send to the {family} address {ip}: the kernel has no route. Use the {Service.IpFamilyOf(_sourceAddress)} address of the destination, or give the {(_pod is { HostNetwork: false } ? "pod network" : "node")} {family} addresses.");
            }

            _sourceAddress = sameFamily;
        }

        Step(TraceStepKind.Client, $"{DescribeSource()} sends a request to {to}", _sourceAddress, _nodeName);
        return to switch
        {
            AddressTarget a => TraceAddress(a),
            ServiceNameTarget n => TraceServiceName(n),
            IngressUrlTarget u => TraceUrl(u),
            _ => throw new ArgumentException($"PortMapper cannot trace a {to.GetType().Name}.", nameof(to)),
        };
    }

    private string? ResolveSource()
    {
        switch (from.Kind)
        {
            case TraceSourceKind.Node:
                if (!S.Nodes.TryGetValue(from.NodeName!, out var node))
                {
                    return $"There is no node \"{from.NodeName}\" in the cluster, so nothing can be traced from it. Pick one of the cluster's nodes, or trace from external or from a pod.";
                }

                _nodeName = node.Metadata.Name;
                _sourceAddress = node.PrimaryAddress;
                return null;
            case TraceSourceKind.Pod:
                if (!S.Pods.TryGetValue(from.Pod!.Value, out var pod))
                {
                    return $"There is no pod \"{from.Pod}\" in the cluster, so nothing can be traced from it. Pick an existing pod, or trace from external or from a node.";
                }

                if (pod.Phase is "Succeeded" or "Failed")
                {
                    return $"Pod {from.Pod} has finished (phase {pod.Phase}): it sends nothing any more. Trace from a running pod.";
                }

                _pod = pod;
                _nodeName = pod.NodeName;
                _sourceAddress = pod.HostNetwork ? NodeAddress(pod.NodeName) ?? pod.HostIp : pod.PodIp;
                return null;
            default:
                return null;
        }
    }

    private string DescribeSource() => from.Kind switch
    {
        TraceSourceKind.Node => $"Node {_nodeName}" + (_sourceAddress is null ? "" : $" ({_sourceAddress})"),
        TraceSourceKind.Pod when _pod!.HostNetwork => $"hostNetwork pod {from.Pod}" + (_nodeName is null ? " (not scheduled yet)" : $" on node {_nodeName}, using the node's address{(_sourceAddress is null ? "" : " " + _sourceAddress)},"),
        TraceSourceKind.Pod => $"Pod {from.Pod}" + (_sourceAddress is null ? "" : $" ({_sourceAddress})") + (_nodeName is null ? " (not scheduled yet: PortMapper traces as if it ran on some node)" : $" on node {_nodeName}"),
        _ => "A client outside the cluster",
    };

    // ---------------------------------------------------------------- kube-proxy

    /// <summary>
    /// The kube-proxy part shared by every way into a Service: externalTrafficPolicy (KUBE-EXT), the endpoint choice
    /// (KUBE-SVC or KUBE-SVL) and the DNAT (KUBE-SEP), or the filter rule that drops or rejects the packet.
    /// </summary>
    /// <param name="handlingNode">The node whose kube-proxy rewrites the packet, when known.</param>
    private TraceResult ThroughKubeProxy(Service svc, ServicePort port, Entry entry, string dialed, string? handlingNode, string pathId)
    {
        var spn = ChainNames.ServicePortName(svc, port);
        var family = DialedFamily(svc, dialed);
        var external = entry != Entry.ClusterIp;
        if (!svc.Families.Contains(family))
        {
            Step(TraceStepKind.Dropped, $"kube-proxy's {family} rules have nothing for {dialed}: Service {Name(svc)} is single-stack {svc.Families[0]}, so nothing on the node answers there", dialed, handlingNode);
            return Fail($"{dialed} is an {family} address, and Service {Name(svc)} is single-stack {svc.Families[0]} ({string.Join(", ", svc.ClusterIps)}): only the {svc.Families[0]} proxier writes rules for it, so the {family} connection is refused or times out. Connect over {svc.Families[0]}, or make the Service dual-stack (ipFamilyPolicy: PreferDualStack).", UnitAnalysis.ServicePathId(Exposure.ClusterIP, svc, port));
        }

        // Each family's proxier reads only the EndpointSlices of its own addressType.
        var every = index.EndpointsOf(svc, port);
        var all = svc.IsDualStack || family != IpFamily.V4
            ? every.Select(e => e.InFamily(family)).OfType<EndpointTarget>().ToImmutableArray()
            : every;
        var withoutFamily = every.Length - all.Length;
        _protocol = port.Protocol;
        if (External && entry is Entry.NodePort or Entry.LoadBalancer && !svc.ExternalPolicyLocal)
        {
            _snatNodeIp = NodeAddress(handlingNode);
        }

        bool local;
        string? localNode;
        if (external)
        {
            // kube-proxy sends pod traffic (by source CIDR) and traffic that starts on the handling node itself to the
            // cluster-wide chain even under policy Local: only traffic from outside keeps to local endpoints.
            var shortCircuit = svc.ExternalPolicyLocal && !External && (FromPodNetwork || (FromHost && _nodeName == handlingNode));
            local = svc.ExternalPolicyLocal && !shortCircuit;
            localNode = local ? handlingNode : null;
            Step(TraceStepKind.ExternalPolicy, ExternalPolicyText(svc, entry, handlingNode, shortCircuit, all), dialed, handlingNode, chains(ChainNames.ExternalPrefix, spn, port.Protocol, null));
        }
        else
        {
            local = svc.InternalPolicyLocal;
            localNode = _nodeName;
            if (local && _nodeName is null)
            {
                return Fail($"Service {Name(svc)} has internalTrafficPolicy Local: only endpoints on the client's own node are used, and pod {from.Pod} is not scheduled on a node yet, so PortMapper cannot tell which endpoints those are.", pathId);
            }
        }

        // With policy Local and no known handling node (a load balancer or externalIP reached from outside), each
        // node that receives the packet delivers to its own endpoints: together, all of them.
        var pool = local && localNode is not null ? all.Where(e => e.NodeName == localNode).ToImmutableArray() : all;
        var candidates = pool.Where(e => e.Ready).ToImmutableArray();
        var fallback = false;

        // Topology hints narrow the cluster-wide endpoints to those hinted for the handling node or its zone.
        string? topology = null;
        var topologyNode = local ? null : handlingNode ?? (entry == Entry.ClusterIp ? _nodeName : null);
        if (!local && topologyNode is not null && !candidates.IsEmpty)
        {
            var zone = S.Nodes.TryGetValue(topologyNode, out var tn) ? tn.Zone : null;
            var mode = KubeProxy.Topology.ModeFromHints(pool, e => e.Ready, e => e.ForZones, e => e.ForNodes, topologyNode, zone);
            if (mode is not null)
            {
                var hinted = candidates.Where(e => KubeProxy.Topology.Available(mode, e.ForZones, e.ForNodes, topologyNode, zone)).ToImmutableArray();
                topology = $"{KubeProxy.Topology.Describe(mode, topologyNode, zone)}: {hinted.Length} of {candidates.Length} ready endpoints";
                candidates = hinted;
            }
            else if (pool.Any(e => e.Ready && (!e.ForZones.IsDefaultOrEmpty || !e.ForNodes.IsDefaultOrEmpty)))
            {
                topology = zone is null
                    ? $"topology hints are ignored: node {topologyNode} has no topology.kubernetes.io/zone label"
                    : $"topology hints are ignored: {(pool.Any(e => e.Ready && e.ForZones.IsDefaultOrEmpty) ? "not every ready endpoint has a zone hint" : $"no ready endpoint is hinted for zone {zone}")}, so every endpoint is used";
            }
        }
        else if (!local && topologyNode is null && pool.Any(e => e.Ready && !e.ForZones.IsDefaultOrEmpty))
        {
            topology = "the endpoints carry topology hints: each node that receives the packet keeps to the endpoints hinted for its own zone";
        }

        if (candidates.IsEmpty)
        {
            candidates = pool.Where(e => e.Serving && e.Terminating).ToImmutableArray();
            fallback = !candidates.IsEmpty;
        }

        var filterChain = entry == Entry.NodePort ? _names.RejectNodePort : external ? _names.RejectExternal : _names.RejectInternal;
        if (candidates.IsEmpty)
        {
            if (!all.Any(e => e.Ready || (e.Serving && e.Terminating)))
            {
                var familyNote = withoutFamily > 0 && all.IsEmpty ? $" for {family}: none of its {withoutFamily} endpoint(s) has an {family} address" : "";
                Step(TraceStepKind.Dropped, $"kube-proxy rejects the connection: Service {Name(svc)} port {UnitAnalysis.Describe(port)} has no usable endpoint{familyNote} (filter {filterChain}: REJECT \"has no endpoints\"); the client sees \"connection refused\"", dialed, handlingNode, filterChain);
                return Fail(NoEndpointsReason(svc, port, all, pathId, "kube-proxy rejects the connection", familyNote), pathId);
            }

            var elsewhere = NodesWithReadyEndpoints(all);
            Step(TraceStepKind.Dropped, $"kube-proxy drops the packet: node {localNode} has no ready endpoint of Service {Name(svc)} (filter {filterChain}: DROP \"has no local endpoints\")", dialed, localNode, filterChain);
            return Fail(external
                ? $"externalTrafficPolicy is Local and node {localNode} has no ready endpoint of Service {Name(svc)}, so kube-proxy on {localNode} drops the packet (the client sees a timeout). Send the request to a node that runs a ready pod ({elsewhere}), or set externalTrafficPolicy: Cluster if the client address need not be kept."
                : $"internalTrafficPolicy is Local and node {localNode}, where the client runs, has no ready endpoint of Service {Name(svc)}, so kube-proxy drops the packet. Ready endpoints are only on {elsewhere}. Run a ready pod of the Service on every node that sends to it (a DaemonSet), or set internalTrafficPolicy: Cluster.",
                pathId);
        }

        var chainText = ServiceChainText(svc, port, all, candidates, local ? localNode : null, fallback, external);
        if (topology is not null)
        {
            chainText += "; " + topology;
        }

        if (svc.IsDualStack)
        {
            chainText += $"; these are the {family} rules ({_names.Table(family)}) with the {family} endpoints{(withoutFamily > 0 ? $" ({withoutFamily} endpoint(s) have no {family} address)" : "")}";
        }

        Step(TraceStepKind.ServiceChain, chainText, dialed, handlingNode,
            chains(local ? ChainNames.LocalPrefix : ChainNames.ServicePrefix, spn, port.Protocol, null));

        var sep = candidates.Select(e => e.Ip is null || e.Port is null ? null : chains(ChainNames.EndpointPrefix, spn, port.Protocol, TraceTarget.JoinHostPort(e.Ip, e.Port.Value))).ToImmutableArray();
        var dnat = candidates.Length == 1
            ? $"kube-proxy DNAT {dialed} → {Describe(candidates[0])}"
            : $"kube-proxy DNAT {dialed} → one of {candidates.Length} endpoints: {DescribeAll(candidates)}";
        if (_pod is not null && candidates.Any(e => e.Pod == _pod.Ref()))
        {
            dnat += $"; if it picks pod {from.Pod} itself, the packet is also masqueraded so the reply comes back through kube-proxy (hairpin)";
        }

        _steps.Add(new TraceStep(TraceStepKind.Endpoints, dnat)
        {
            Address = candidates.Length == 1 ? Address(candidates[0]) : null,
            Node = candidates.Length == 1 ? candidates[0].NodeName : null,
            Chain = candidates.Length == 1 ? sep[0] : null,
            EndpointChains = sep,
        });
        return Done(candidates, pathId);
    }

    private string ExternalPolicyText(Service svc, Entry entry, string? handlingNode, bool shortCircuit, ImmutableArray<EndpointTarget> all)
    {
        if (!svc.ExternalPolicyLocal)
        {
            var whose = handlingNode is null ? "the address of the node that forwards it" : $"node {handlingNode}'s address";
            return $"SNAT to the node address because externalTrafficPolicy is Cluster ({_names.Masquerade}): the pod sees {whose}, not the client's, and the endpoint may be on any node";
        }

        if (shortCircuit)
        {
            return FromPodNetwork
                ? "externalTrafficPolicy is Local, but the source is a pod: kube-proxy treats in-cluster traffic as internal and sends it to every endpoint, as with Cluster"
                : $"externalTrafficPolicy is Local, but the packet starts on node {handlingNode} itself: kube-proxy masquerades it and sends it to every endpoint, as with Cluster";
        }

        var delivering = NodesWithReadyEndpoints(all);
        return entry switch
        {
            Entry.NodePort => $"externalTrafficPolicy is Local: the client address is kept (no SNAT) and only endpoints on node {handlingNode} are used",
            Entry.LoadBalancer => $"externalTrafficPolicy is Local: the client address is kept (no SNAT); the load balancer sends only to nodes that pass its health check on healthCheckNodePort{(svc.HealthCheckNodePort is { } hc ? " " + hc.ToString(Inv) : "")}, the nodes with a ready local endpoint ({delivering}), and each uses its own endpoints",
            _ => $"externalTrafficPolicy is Local: the client address is kept (no SNAT); only a node with a ready local endpoint ({delivering}) delivers, the others drop — which node receives the address depends on your network",
        };
    }

    private string ServiceChainText(Service svc, ServicePort port, ImmutableArray<EndpointTarget> all, ImmutableArray<EndpointTarget> candidates, string? localNode, bool fallback, bool external)
    {
        var text = candidates.Length == 1
            ? $"kube-proxy has one {(fallback ? "serving" : "ready")} endpoint for Service {Name(svc)} port {UnitAnalysis.Describe(port)} and sends every connection there"
            : $"kube-proxy picks one of {candidates.Length} {(fallback ? "serving" : "ready")} endpoints of Service {Name(svc)} port {UnitAnalysis.Describe(port)} at random for each new connection (equal odds)";
        if (localNode is not null)
        {
            text += external
                ? $"; only endpoints on node {localNode} (externalTrafficPolicy Local)"
                : $"; only endpoints on node {localNode}, the client's own node (internalTrafficPolicy Local)";
        }

        if (fallback)
        {
            text += "; no endpoint is ready, so kube-proxy falls back to those still serving while they terminate";
        }

        var notReady = all.Count(e => !e.Ready);
        if (notReady > 0 && !fallback)
        {
            text += $"; {notReady} endpoint(s) that are not ready get nothing";
        }

        if (svc.SessionAffinity == "ClientIP")
        {
            text += $"; sessionAffinity ClientIP keeps each client address on its endpoint for {(svc.SessionAffinityTimeoutSeconds ?? 10800).ToString(Inv)}s";
        }

        if (!external && FromHost)
        {
            text += "; the packet is masqueraded (SNAT to the node address) because its source is not a pod address";
        }

        return text;
    }

    /// <summary>The family of the dialled address: bracketed text is IPv6, a v4 address IPv4, a placeholder the Service's primary.</summary>
    private static string DialedFamily(Service svc, string dialed) =>
        dialed.StartsWith('[') ? IpFamily.V6
        : System.Net.IPAddress.TryParse(dialed.Split(':')[0], out _) ? IpFamily.V4
        : svc.Families[0];

    private string NoEndpointsReason(Service svc, ServicePort? port, ImmutableArray<EndpointTarget> all, string pathId, string consequence, string familyNote = "")
    {
        var what = $"Service {Name(svc)}" + (port is null ? "" : $" port {UnitAnalysis.Describe(port)}") + familyNote;
        var text = all.IsEmpty
            ? $"{what} has no endpoints, so {consequence}."
            : $"{what} has {all.Length} endpoint(s) but none is ready, so {consequence}.";
        var cause = index.DiagnosticsOf(pathId).FirstOrDefault(d => d.Severity == Severity.Error && d.Code != Codes.NoReadyEndpoints);
        return cause is not null
            ? $"{text} {cause.Code}: {cause.Message} Fix: {cause.Fix}"
            : all.IsEmpty
                ? $"{text} Check that its selector matches running pods that declare the targetPort."
                : $"{text} Check the pods' readiness probes and events (kubectl describe pod -n {svc.Metadata.Namespace}).";
    }

    // ---------------------------------------------------------------- helpers

    private void Step(TraceStepKind kind, string translation, string? address = null, string? node = null, string? chain = null) =>
        _steps.Add(new TraceStep(kind, translation) { Address = address, Node = node, Chain = chain });

    private TraceResult Fail(string reason, string? pathId = null) => new()
    {
        Reachable = false,
        Steps = [.. _steps],
        Reason = reason,
        PathId = pathId,
    };

    private TraceResult Done(ImmutableArray<EndpointTarget> endpoints, string? pathId)
    {
        var policies = PolicyAtEndpoints(endpoints);
        var blocked = !policies.IsEmpty && policies.Length == endpoints.Length && policies.All(p => p.Verdict.Verdict == PolicyVerdictKind.Blocked);
        return new TraceResult
        {
            Reachable = !blocked,
            Steps = [.. _steps],
            Endpoints = endpoints,
            PathId = pathId,
            Policies = policies,
            DroppedAt = blocked ? HopKind.Endpoints : null,
            Reason = blocked
                ? (policies.Length == 1 ? $"NetworkPolicy blocks the request at {policies[0].Endpoint.Pod}" : $"NetworkPolicy blocks the request at every one of the {policies.Length} endpoints; at {policies[0].Endpoint.Pod}")
                  + $": {policies[0].Verdict.Reason}. Allow it with a rule that admits this client on the pod's port. {PolicyVerdict.PredictionNote}"
                : null,
        };
    }

    /// <summary>
    /// The policy verdict at each endpoint pod, on the packet after DNAT (pod IP, container port), and one
    /// NetworkPolicy step that says it. Nothing when the cluster has no policy.
    /// </summary>
    private ImmutableArray<EndpointPolicyVerdict> PolicyAtEndpoints(ImmutableArray<EndpointTarget> endpoints)
    {
        if (index.Policies is not { } evaluator)
        {
            return [];
        }

        PolicySource source;
        if (_pod is not null)
        {
            source = PolicySource.FromPod(_pod);
        }
        else if (from.Kind == TraceSourceKind.Node && NodeAddress(_nodeName) is { } nodeIp)
        {
            source = PolicySource.FromNode(nodeIp, _nodeName);
        }
        else
        {
            source = PolicySource.FromExternal(null, _snatNodeIp);
        }

        var verdicts = ImmutableArray.CreateBuilder<EndpointPolicyVerdict>();
        foreach (var e in endpoints)
        {
            if (e.Pod is { } podRef && e.Port is { } port && S.Pods.TryGetValue(new ObjectKey(podRef.Namespace, podRef.Name), out var pod))
            {
                verdicts.Add(new EndpointPolicyVerdict(e, evaluator.Evaluate(new PolicyPacket(source, pod, port, _protocol))));
            }
        }

        if (verdicts.Count == 0)
        {
            return [];
        }

        var lines = verdicts.Select(v => $"{v.Endpoint.Pod} ({v.Endpoint}): {v.Verdict.Summary}{(v.Verdict.Walk.Length > 0 ? $" [{v.Verdict.Walk}]" : "")}");
        var heading = $"NetworkPolicy on the packet after DNAT, from {source} (a prediction; the network plugin enforces)";
        var text = $"{heading}: {string.Join("; ", lines)}";
        _steps.Add(new TraceStep(verdicts.All(v => v.Verdict.Verdict == PolicyVerdictKind.Blocked) ? TraceStepKind.Dropped : TraceStepKind.NetworkPolicy, text)
        {
            EvaluatesPolicy = true,
            Heading = heading,
            Address = verdicts.Count == 1 ? verdicts[0].Endpoint.ToString() : null,
            Node = verdicts.Count == 1 ? verdicts[0].Endpoint.NodeName : null,
        });
        return verdicts.ToImmutable();
    }

    private string? NodeAddress(string? node) => node is not null && S.Nodes.TryGetValue(node, out var n) ? n.PrimaryAddress : null;

    private static string Name(IKubeObject o) => $"{o.Metadata.Namespace}/{o.Metadata.Name}";

    private static string Ports(Service svc) => svc.Ports.IsDefaultOrEmpty ? "none" : string.Join(", ", svc.Ports.Select(UnitAnalysis.Describe));

    private static string NodesWithReadyEndpoints(ImmutableArray<EndpointTarget> all)
    {
        var nodes = all.Where(e => e.Ready && e.NodeName is not null).Select(e => e.NodeName!).Distinct(KubeNames.Comparer).Order(StringComparer.Ordinal).ToList();
        return nodes.Count == 0 ? "no node" : Shorten(nodes, 10);
    }

    private static string Shorten(IReadOnlyCollection<string> items, int max) =>
        string.Join(", ", items.Take(max)) + (items.Count > max ? $" and {items.Count - max} more" : "");

    private static string? Address(EndpointTarget e) => e.Ip is null || e.Port is null ? null : TraceTarget.JoinHostPort(e.Ip, e.Port.Value);

    private static string Describe(EndpointTarget e)
    {
        var where = e.Ip is null
            ? $"port {e.Port?.ToString(Inv) ?? "?"} (no IP yet: PortMapper predicted this endpoint from manifests)"
            : Address(e) ?? $"{e.Ip} (port not known)";
        var who = e.Pod is null ? "" : $"{(e.Pod.Kind == "Pod" ? "pod" : e.Pod.Kind)} {e.Pod.Namespace}/{e.Pod.Name}";
        var node = e.NodeName is null ? "" : $"on node {e.NodeName}";
        var detail = string.Join(" ", new[] { who, node }.Where(x => x.Length > 0));
        return e.Ip is null ? $"{who} {where}".Trim() : detail.Length == 0 ? where : $"{where} ({detail})";
    }

    private static string DescribeAll(ImmutableArray<EndpointTarget> endpoints) =>
        Shorten(endpoints.Select(Describe).ToList(), 5);
}
