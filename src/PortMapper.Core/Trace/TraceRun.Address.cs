using System.Collections.Immutable;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.Trace;

/// <summary>Tracing an ip:port: what owns that address decides who rewrites the packet.</summary>
internal sealed partial class TraceRun
{
    private TraceResult TraceAddress(AddressTarget t)
    {
        var dialed = TraceTarget.JoinHostPort(t.Ip, t.Port);
        if (index.ByClusterIp.TryGetValue(t.Ip, out var owner))
        {
            var port = FindPort(owner, t.Port, t.Protocol);
            if (port is null)
            {
                return Fail($"{t.Ip} is the clusterIP of Service {Name(owner)}, which has no port {t.Port}/{t.Protocol} (its ports: {Ports(owner)}), so kube-proxy does not forward it and nothing answers. Dial one of its ports.");
            }

            var pathId = UnitAnalysis.ServicePathId(Exposure.ClusterIP, owner, port);
            if (External)
            {
                return Fail($"{dialed} is the clusterIP of Service {Name(owner)}: a clusterIP is only routable inside the cluster, so a client outside cannot reach it. {ExternalWays(owner, port)}", pathId);
            }

            return ThroughClusterIp(owner, port, dialed, pathId);
        }

        if (index.ByLoadBalancerIp.TryGetValue(t.Ip, out var lbOwners))
        {
            return Entered(lbOwners, t, "load balancer address", (svc, port) => ThroughLoadBalancer(svc, port, dialed));
        }

        if (index.ByExternalIp.TryGetValue(t.Ip, out var extOwners))
        {
            return Entered(extOwners, t, "externalIP", (svc, port) => ThroughExternalIp(svc, port, dialed));
        }

        if (index.NodeByAddress.TryGetValue(t.Ip, out var node))
        {
            var name = node.Metadata.Name;
            if (index.ByNodePort.TryGetValue((t.Port, t.Protocol), out var nodePortOwners))
            {
                return ThroughNodePort(nodePortOwners, node, t, dialed);
            }

            if (index.HostPorts.TryGetValue((name, t.Port, t.Protocol), out var hostPorts) && ThroughHostPort(hostPorts, node, t, dialed) is { } viaHostPort)
            {
                return viaHostPort;
            }

            if (index.HostNetworkPorts.TryGetValue((name, t.Port, t.Protocol), out var hostNetwork))
            {
                return ThroughHostNetwork(hostNetwork, node, t, dialed);
            }
        }

        if (index.PodsByIp.TryGetValue(t.Ip, out var pods))
        {
            return ToPodIp(pods, t, dialed);
        }

        return Fail(NothingListens(t));
    }

    /// <summary>An address several Services may share (load balancer, externalIP): the first with the port wins.</summary>
    private TraceResult Entered(List<Service> owners, AddressTarget t, string what, Func<Service, ServicePort, TraceResult> through)
    {
        foreach (var svc in owners)
        {
            if (FindPort(svc, t.Port, t.Protocol) is { } port)
            {
                return through(svc, port);
            }
        }

        var list = string.Join("; ", owners.Select(s => $"Service {Name(s)} has {Ports(s)}"));
        return Fail($"{t.Ip} is the {what} of {string.Join(", ", owners.Select(s => "Service " + Name(s)))}, but no port {t.Port}/{t.Protocol} is open there ({list}), so nothing answers. Dial one of those ports.");
    }

    private TraceResult ThroughClusterIp(Service svc, ServicePort port, string dialed, string pathId)
    {
        var where = _nodeName is null ? "on the client's node" : $"on node {_nodeName}";
        Step(TraceStepKind.ClusterIp, $"kube-proxy {where} matches clusterIP {dialed}/{port.Protocol} of Service {Name(svc)}, port {UnitAnalysis.Describe(port)}, in {_names.Services} and jumps to the Service's chain; the packet never leaves the node with the clusterIP as destination", dialed, _nodeName, _names.Services);
        return ThroughKubeProxy(svc, port, Entry.ClusterIp, dialed, _nodeName, pathId);
    }

    private TraceResult ThroughLoadBalancer(Service svc, ServicePort port, string dialed)
    {
        var firewall = svc.LoadBalancerSourceRanges.IsDefaultOrEmpty
            ? ""
            : $"; loadBalancerSourceRanges lets only {string.Join(", ", svc.LoadBalancerSourceRanges)} through ({_names.Firewall}), other sources are dropped";
        var chain = svc.LoadBalancerSourceRanges.IsDefaultOrEmpty
            ? _names.Services
            : chains(ChainNames.FirewallPrefix, ChainNames.ServicePortName(svc, port), port.Protocol, null);
        var text = External
            ? $"the load balancer of Service {Name(svc)} at {dialed} forwards the connection to a node ({(port.NodePort is { } np && svc.HasNodePorts ? $"to its nodePort {np}, or" : "")} keeping the destination, depending on the provider); kube-proxy there matches the load-balancer address{firewall}"
            : $"kube-proxy on {(_nodeName is null ? "the client's node" : "node " + _nodeName)} captures traffic to load-balancer address {dialed} of Service {Name(svc)} in {_names.Services} before it leaves the node{firewall}";
        Step(TraceStepKind.LoadBalancer, text, dialed, External ? null : _nodeName, chain);
        return ThroughKubeProxy(svc, port, Entry.LoadBalancer, dialed, External ? null : _nodeName, UnitAnalysis.ServicePathId(Exposure.LoadBalancer, svc, port));
    }

    private TraceResult ThroughExternalIp(Service svc, ServicePort port, string dialed)
    {
        var text = External
            ? $"your network must route {dialed} to a node (PortMapper cannot see how); kube-proxy on that node matches externalIP {dialed} of Service {Name(svc)} in {_names.Services}"
            : $"kube-proxy on {(_nodeName is null ? "the client's node" : "node " + _nodeName)} matches externalIP {dialed} of Service {Name(svc)} in {_names.Services} before the packet leaves the node";
        Step(TraceStepKind.ExternalIp, text, dialed, External ? null : _nodeName, _names.Services);
        return ThroughKubeProxy(svc, port, Entry.ExternalIp, dialed, External ? null : _nodeName, UnitAnalysis.ServicePathId(Exposure.ExternalIP, svc, port));
    }

    private TraceResult ThroughNodePort(List<Service> owners, Node node, AddressTarget t, string dialed)
    {
        var svc = owners[0];
        var port = svc.Ports.First(p => p.NodePort == t.Port && p.Protocol == t.Protocol);
        var name = node.Metadata.Name;
        var text = $"kube-proxy on node {name} sends traffic for the node's own addresses from {_names.Services} to {_names.NodePorts}, which matches nodePort {t.Port}/{t.Protocol} of Service {Name(svc)}, port {UnitAnalysis.Describe(port)}";
        if (owners.Count > 1)
        {
            text += $"; {string.Join(", ", owners.Skip(1).Select(s => "Service " + Name(s)))} claims the same nodePort ({Codes.NodePortDuplicate}): the API server gives it to only one of them";
        }

        if (index.HostNetworkPorts.ContainsKey((name, t.Port, t.Protocol)))
        {
            text += $"; a hostNetwork pod on this node listens on the same port, but kube-proxy captures the packet first ({Codes.HostNetworkOnNodePort})";
        }

        if (!node.Ready)
        {
            text += $"; node {name} is NotReady, so its kube-proxy may not be running";
        }

        Step(TraceStepKind.NodePort, text, dialed, name, _names.NodePorts);
        return ThroughKubeProxy(svc, port, Entry.NodePort, dialed, name, UnitAnalysis.ServicePathId(Exposure.NodePort, svc, port));
    }

    /// <summary>Null when no hostPort on this node is bound to the dialled address (a hostIP that is another address).</summary>
    private TraceResult? ThroughHostPort(List<TrafficPath> paths, Node node, AddressTarget t, string dialed)
    {
        var bound = new List<(TrafficPath Path, Pod Pod, ContainerPort Port)>();
        foreach (var path in paths)
        {
            if (path.Pod is not { } r || !S.Pods.TryGetValue(new ObjectKey(r.Namespace, r.Name), out var pod))
            {
                continue;
            }

            var cp = pod.Spec.AllPorts.Select(x => x.Port).FirstOrDefault(p => p.HostPort == t.Port && p.Protocol == t.Protocol);
            if (cp is not null && (string.IsNullOrEmpty(cp.HostIp) || cp.HostIp is "0.0.0.0" or "::" || TraceIndex.Normalize(cp.HostIp) == t.Ip))
            {
                bound.Add((path, pod, cp));
            }
        }

        if (bound.Count == 0)
        {
            return null;
        }

        var (chosen, owner, container) = bound[0];
        if (owner.Phase is "Succeeded" or "Failed")
        {
            return Fail($"hostPort {t.Port}/{t.Protocol} on node {node.Metadata.Name} belongs to pod {Name(owner)}, which has finished (phase {owner.Phase}): nothing listens there any more.", chosen.Id);
        }

        var target = index.EndpointsHop(chosen.Id)?.Endpoints.FirstOrDefault()
            ?? new EndpointTarget { Ip = owner.PodIp, Port = container.Number, Pod = owner.Ref(), NodeName = owner.NodeName, Ready = owner.Ready ?? true, Serving = owner.Ready ?? true };
        var text = $"the CNI portmap plugin on node {node.Metadata.Name} DNATs {dialed} → {Describe(target)}; these are its CNI-HOSTPORT-DNAT rules, not kube-proxy's";
        if (bound.Count > 1)
        {
            text += $"; {string.Join(", ", bound.Skip(1).Select(b => "pod " + Name(b.Pod)))} claims the same hostPort ({Codes.HostPortConflict}): only one of them can hold it";
        }

        Step(TraceStepKind.HostPort, text, dialed, node.Metadata.Name);
        Step(TraceStepKind.Endpoints,
            $"delivered to pod {Name(owner)}, containerPort {container.Number}" + (owner.Ready == false ? "; the pod is not Ready, but a hostPort ignores readiness, so it still receives the packet" : ""),
            Address(target), node.Metadata.Name);
        return Done([target], chosen.Id);
    }

    private TraceResult ThroughHostNetwork(List<TrafficPath> paths, Node node, AddressTarget t, string dialed)
    {
        var path = paths[0];
        var owner = path.Pod is { } r ? S.Pods.GetValueOrDefault(new ObjectKey(r.Namespace, r.Name)) : null;
        if (owner is null || owner.Phase is "Succeeded" or "Failed")
        {
            return Fail($"Port {t.Port}/{t.Protocol} on node {node.Metadata.Name} belongs to hostNetwork pod {path.Pod?.Namespace}/{path.Pod?.Name}, which is not running{(owner is null ? "" : $" (phase {owner.Phase})")}: nothing listens there any more.", path.Id);
        }

        var target = new EndpointTarget
        {
            Ip = t.Ip,
            Port = t.Port,
            Pod = owner.Ref(),
            NodeName = node.Metadata.Name,
            Ready = owner.Ready ?? true,
            Serving = owner.Ready ?? true,
            Predicted = owner.Phase is null,
        };
        var text = $"no translation: hostNetwork pod {Name(owner)} shares node {node.Metadata.Name}'s network and listens on {dialed} itself";
        if (paths.Count > 1)
        {
            text += $"; {string.Join(", ", paths.Skip(1).Select(p => $"pod {p.Pod?.Namespace}/{p.Pod?.Name}"))} declares the same port ({Codes.HostPortConflict}): only one process can bind it";
        }

        if (owner.Ready == false)
        {
            text += "; the pod is not Ready, but nothing between the client and the process checks readiness";
        }

        Step(TraceStepKind.HostNetwork, text, dialed, node.Metadata.Name);
        return Done([target], path.Id);
    }

    private TraceResult ToPodIp(List<Pod> pods, AddressTarget t, string dialed)
    {
        var pod = pods.FirstOrDefault(p => p.Phase is not ("Succeeded" or "Failed")) ?? pods[0];
        if (External)
        {
            return Fail($"{t.Ip} is the IP of pod {Name(pod)}: pod IPs are normally not routable from outside the cluster (only nodes and pods reach them, unless your network routes the pod CIDR). Expose the pod through a Service of type NodePort or LoadBalancer, an Ingress, or a hostPort.");
        }

        if (pod.Phase is "Succeeded" or "Failed")
        {
            return Fail($"{t.Ip} belonged to pod {Name(pod)}, which has finished (phase {pod.Phase}): nothing listens there any more.");
        }

        var declared = pod.Spec.AllPorts.Select(x => x.Port).FirstOrDefault(p => p.Number == t.Port && p.Protocol == t.Protocol);
        var served = index.Serves(pod.Ref(), t.Port, t.Protocol);
        var arrival = $"no translation: the cluster network (CNI) routes pod IPs directly; the packet arrives at pod {Name(pod)}" + (pod.NodeName is null ? "" : $" on node {pod.NodeName}");
        if (declared is null && !served)
        {
            Step(TraceStepKind.Endpoints, arrival + $", on port {t.Port}, which it does not declare", dialed, pod.NodeName);
            var ports = pod.Spec.AllPorts.Select(x => x.Port).Select(p => (p.Name is null ? "" : p.Name + "=") + $"{p.Number}/{p.Protocol}").ToList();
            return Fail($"Pod {Name(pod)} ({t.Ip}) declares no container port {t.Port}/{t.Protocol} ({(ports.Count == 0 ? "it declares no ports" : "it declares " + string.Join(", ", ports))}) and no Service sends it traffic on that port, so PortMapper cannot tell whether anything listens there. Declaring containerPort is optional: if the process does listen on {t.Port}, the connection works; otherwise dial a port it serves.");
        }

        var target = new EndpointTarget
        {
            Ip = t.Ip,
            Port = t.Port,
            Pod = pod.Ref(),
            NodeName = pod.NodeName,
            Ready = pod.Ready ?? true,
            Serving = pod.Ready ?? true,
            Terminating = pod.Terminating,
            Predicted = pod.Phase is null,
        };
        var how = declared is not null
            ? $", containerPort {t.Port}{(declared.Name is null ? "" : $" \"{declared.Name}\"")}"
            : $", port {t.Port}, which a Service sends it traffic on";
        Step(TraceStepKind.Endpoints, arrival + how + (pod.Ready == false ? "; the pod is not Ready, which only keeps it out of Services: a direct connection still reaches it" : ""), dialed, pod.NodeName);
        return Done([target], null);
    }

    private string NothingListens(AddressTarget t)
    {
        // Only the first few candidates are shown: popular ports have thousands, so nothing is formatted before Take.
        const int Shown = 5;
        bool Other(int port, string protocol) => port != t.Port || protocol != t.Protocol;
        var sameIp = index.ListenersOn(t.Ip).Where(l => Other(l.Port, l.Protocol));
        if (index.NodeByAddress.TryGetValue(t.Ip, out var node))
        {
            sameIp = sameIp
                .Concat(index.ByNodePort.Where(kv => Other(kv.Key.Port, kv.Key.Protocol)).OrderBy(kv => kv.Key.Port)
                    .Select(kv => new Listener(t.Ip, kv.Key.Port, kv.Key.Protocol, $"nodePort of Service {Name(kv.Value[0])}")))
                .Concat(index.HostPorts.Concat(index.HostNetworkPorts)
                    .Where(kv => kv.Key.Node == node.Metadata.Name && Other(kv.Key.Port, kv.Key.Protocol))
                    .Select(kv => new Listener(t.Ip, kv.Key.Port, kv.Key.Protocol, $"{(kv.Value[0].Exposure == Exposure.HostPort ? "hostPort" : "hostNetwork")} of pod {kv.Value[0].Pod?.Namespace}/{kv.Value[0].Pod?.Name}")));
        }

        var anyNode = node is not null
            ? []
            : Protocols.Supported.Where(p => index.ByNodePort.ContainsKey((t.Port, p)))
                .Select(p => $"<any node address>:{t.Port}/{p} (nodePort of Service {Name(index.ByNodePort[(t.Port, p)][0])})");
        var samePort = anyNode.Concat(index.ListenersAt(t.Port).Where(l => l.Ip != t.Ip).Select(l => l.ToString()));

        var text = $"Nothing in the cluster listens on {TraceTarget.JoinHostPort(t.Ip, t.Port)}/{t.Protocol} as far as PortMapper can see.";
        var onIp = sameIp.Select(l => l.ToString()).Distinct().Take(Shown + 1).ToList();
        if (onIp.Count > 0)
        {
            text += $" On {t.Ip}: {string.Join(", ", onIp.Take(Shown))}{(onIp.Count > Shown ? " and more" : "")}.";
        }

        var onPort = samePort.Distinct().Take(Shown + 1).ToList();
        if (onPort.Count > 0)
        {
            text += $" On port {t.Port}: {string.Join(", ", onPort.Take(Shown))}{(onPort.Count > Shown ? " and more" : "")}.";
        }

        if (onIp.Count == 0 && node is null)
        {
            text += $" PortMapper knows no Service, node or pod with the address {t.Ip}.";
        }

        return text;
    }

    private string ExternalWays(Service svc, ServicePort port)
    {
        var ways = new List<string>();
        if (svc.HasNodePorts && port.NodePort is { } np)
        {
            ways.Add($"<node address>:{np} (nodePort)");
        }

        if (svc.Type == ServiceTypes.LoadBalancer)
        {
            ways.AddRange(svc.LoadBalancerStatus.Where(l => l.Address.Length > 0).Select(l => $"{TraceTarget.JoinHostPort(l.Address, port.Port)} (load balancer)"));
        }

        ways.AddRange(svc.ExternalIps.Select(ip => $"{TraceTarget.JoinHostPort(ip, port.Port)} (externalIP)"));
        return ways.Count > 0
            ? $"From outside use {string.Join(" or ", ways)}."
            : "To reach it from outside, expose it with a Service of type NodePort or LoadBalancer, or an Ingress; or trace from a pod or node.";
    }

    private static ServicePort? FindPort(Service svc, int number, string protocol) =>
        svc.Ports.FirstOrDefault(p => p.Port == number && p.Protocol == protocol);
}
