using System.Collections.Immutable;
using System.Globalization;
using PortMapper.Core.Model;

namespace PortMapper.Core.Analysis;

/// <summary>Findings that compare objects with each other: ports claimed twice on the cluster or on one node.</summary>
internal static class GlobalChecks
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>PM006 (a nodePort claimed twice) and PM100 (a hostNetwork pod on a port kube-proxy owns as a nodePort).</summary>
    public static UnitResult NodePorts(ClusterIndex index)
    {
        var s = index.Snapshot;
        // The API server's node-port allocator counts port numbers, not protocols: 30080/TCP of one Service and
        // 30080/UDP of another cannot both be allocated.
        var claims = new Dictionary<int, List<(Service Svc, int Index)>>();
        // In key order: the snapshot's dictionaries enumerate in hash order, which changes from run to run and
        // would reorder the owners named in the messages.
        foreach (var svc in s.Services.Values.OrderBy(v => v.Key()))
        {
            if (!svc.HasNodePorts)
            {
                continue;
            }

            for (var i = 0; i < svc.Ports.Length; i++)
            {
                if (svc.Ports[i].NodePort is { } np)
                {
                    if (!claims.TryGetValue(np, out var list))
                    {
                        claims[np] = list = [];
                    }

                    list.Add((svc, i));
                }
            }
        }

        var diags = new List<Diagnostic>();
        foreach (var (port, list) in claims.OrderBy(c => c.Key))
        {
            if (list.Count < 2)
            {
                continue;
            }

            var owners = list.Select(x => $"{x.Svc.Metadata.Namespace}/{x.Svc.Metadata.Name}").Distinct().ToList();
            foreach (var (svc, i) in list)
            {
                var protocol = svc.Ports[i].Protocol;
                var others = owners.Where(o => o != $"{svc.Metadata.Namespace}/{svc.Metadata.Name}").ToList();

                // Within one Service, ports that share a port number (53/TCP and 53/UDP) share one nodePort; any other
                // reuse is refused.
                var clashesWithin = list.Any(o => o.Svc == svc && o.Index != i &&
                    (o.Svc.Ports[o.Index].Protocol == protocol || o.Svc.Ports[o.Index].Port != svc.Ports[i].Port));
                if (others.Count == 0 && !clashesWithin)
                {
                    continue;
                }

                diags.Add(new Diagnostic
                {
                    Code = Codes.NodePortDuplicate,
                    Severity = Severity.Error,
                    Object = svc.Ref(),
                    Field = $"spec.ports[{i}].nodePort",
                    Hop = HopKind.NodePort,
                    Message = others.Count == 0
                        ? $"Service {svc.Metadata.Namespace}/{svc.Metadata.Name} uses nodePort {port}/{protocol} for more than one of its ports; the API server refuses it (only ports that share a port number, such as 53/TCP and 53/UDP, may share a nodePort)."
                        : $"nodePort {port}/{protocol} of Service {svc.Metadata.Namespace}/{svc.Metadata.Name} is also used by {string.Join(", ", others)}; a node port number belongs to one Service whatever the protocol (the API server answers \"provided port is already allocated\").",
                    Fix = "Give each Service its own nodePort, or remove the nodePort to let the API server allocate a free one.",
                    Paths = [UnitAnalysis.ServicePathId(Exposure.NodePort, svc, svc.Ports[i])],
                });
            }
        }

        foreach (var pod in s.Pods.Values)
        {
            if (!pod.HostNetwork)
            {
                continue;
            }

            foreach (var (container, p) in pod.Spec.AllPorts)
            {
                // kube-proxy's nodePort rules match the protocol: a UDP listener is not caught by a TCP nodePort.
                if (claims.TryGetValue(p.Number, out var claimants) && claimants.Where(o => o.Svc.Ports[o.Index].Protocol == p.Protocol).ToList() is { Count: > 0 } owners)
                {
                    var svcs = string.Join(", ", owners.Select(o => $"{o.Svc.Metadata.Namespace}/{o.Svc.Metadata.Name}").Distinct());
                    diags.Add(new Diagnostic
                    {
                        Code = Codes.HostNetworkOnNodePort,
                        Severity = Severity.Error,
                        Object = pod.Ref(),
                        Field = "spec.containers.ports",
                        Hop = HopKind.HostNetwork,
                        Message = $"hostNetwork pod {pod.Metadata.Namespace}/{pod.Metadata.Name} listens on {p.Number.ToString(Inv)}/{p.Protocol}, which is nodePort of {svcs}: kube-proxy rewrites that port on every node before it reaches the process, so the pod never receives external traffic on it.",
                        Fix = "Move the hostNetwork process to a port outside the node-port range, or change the Service's nodePort.",
                        Paths = [$"hostnetwork:{pod.Metadata.Namespace}/{pod.Metadata.Name}:{container.Name}:{p.Number.ToString(Inv)}/{p.Protocol}"],
                    });
                }
            }
        }

        return new UnitResult([], [.. diags]);
    }

    /// <summary>PM007: two pods on one node claiming the same hostPort/protocol/hostIP (hostNetwork ports included).</summary>
    public static UnitResult HostPorts(ClusterIndex index, string node)
    {
        var claims = new List<(Pod Pod, Container Container, ContainerPort Port, int HostPort, string HostIp)>();
        // Sorted: the index's sets enumerate in hash order, which differs between runs and between a full and an
        // incremental analysis, and the order shows in the message ("as does a/p0, b/p2").
        foreach (var key in index.PodsOnNode(node).Order())
        {
            var pod = index.Pod(key);
            if (pod is null || pod.Phase is "Succeeded" or "Failed")
            {
                continue;
            }

            foreach (var (c, p) in pod.Spec.AllPorts)
            {
                var hp = pod.HostNetwork ? p.Number : p.HostPort;
                if (hp > 0)
                {
                    claims.Add((pod, c, p, hp, string.IsNullOrEmpty(p.HostIp) ? "0.0.0.0" : p.HostIp));
                }
            }
        }

        var diags = new List<Diagnostic>();
        foreach (var group in claims.GroupBy(c => (c.HostPort, c.Port.Protocol)))
        {
            var list = group.ToList();
            for (var a = 0; a < list.Count; a++)
            {
                var rivals = list.Where((b, j) => j != a && b.Pod.Key() != list[a].Pod.Key() && Overlaps(list[a].HostIp, b.HostIp)).Select(b => b.Pod).Distinct().ToList();
                if (rivals.Count == 0)
                {
                    continue;
                }

                var (pod, c, p, hp, hip) = list[a];
                diags.Add(new Diagnostic
                {
                    Code = Codes.HostPortConflict,
                    Severity = Severity.Error,
                    Object = pod.Ref(),
                    Field = pod.HostNetwork ? "spec.hostNetwork" : "spec.containers.ports.hostPort",
                    Hop = pod.HostNetwork ? HopKind.HostNetwork : HopKind.HostPort,
                    Message = $"Pod {pod.Metadata.Namespace}/{pod.Metadata.Name} claims {(pod.HostNetwork ? "host network port" : "hostPort")} {hp.ToString(Inv)}/{p.Protocol} on {hip} of node {node}, as does {string.Join(", ", rivals.Select(r => $"{r.Metadata.Namespace}/{r.Metadata.Name}"))}: only one of them can bind it.",
                    Fix = "Use different host ports, keep the pods on different nodes (the scheduler does this when both declare the hostPort; anti-affinity helps), or expose them through a Service instead.",
                    Paths = [pod.HostNetwork
                        ? $"hostnetwork:{pod.Metadata.Namespace}/{pod.Metadata.Name}:{c.Name}:{p.Number.ToString(Inv)}/{p.Protocol}"
                        : $"hostport:{pod.Metadata.Namespace}/{pod.Metadata.Name}:{c.Name}:{hp.ToString(Inv)}/{p.Protocol}"],
                });
            }
        }

        return new UnitResult([], [.. diags]);
    }

    private static bool Overlaps(string a, string b) => a == b || a is "0.0.0.0" or "::" || b is "0.0.0.0" or "::";

    /// <summary>PM104: the same host and path routed by two Ingresses of one class.</summary>
    public static UnitResult IngressRoutes(ClusterIndex index)
    {
        var routes = new Dictionary<(string? Class, string Host, string Path), List<(Ingress Ingress, string Id, string Field)>>();
        foreach (var ing in index.Snapshot.Ingresses.Values.OrderBy(v => v.Key()))
        {
            for (var r = 0; r < ing.Rules.Length; r++)
            {
                for (var p = 0; p < ing.Rules[r].Paths.Length; p++)
                {
                    var path = ing.Rules[r].Paths[p];
                    var key = (ing.IngressClassName, ing.Rules[r].Host ?? "*", $"{path.PathType}:{path.Path ?? "/"}");
                    if (!routes.TryGetValue(key, out var list))
                    {
                        routes[key] = list = [];
                    }

                    list.Add((ing, $"ingress:{ing.Metadata.Namespace}/{ing.Metadata.Name}:{r.ToString(Inv)}:{p.ToString(Inv)}", $"spec.rules[{r}].http.paths[{p}]"));
                }
            }
        }

        var diags = new List<Diagnostic>();
        foreach (var ((_, host, path), list) in routes)
        {
            if (list.Select(l => l.Ingress.Key()).Distinct().Count() < 2)
            {
                continue;
            }

            foreach (var (ing, id, field) in list)
            {
                var others = list.Where(o => o.Ingress.Key() != ing.Key()).Select(o => $"{o.Ingress.Metadata.Namespace}/{o.Ingress.Metadata.Name}").Distinct();
                diags.Add(new Diagnostic
                {
                    Code = Codes.IngressRouteDuplicate,
                    Severity = Severity.Warning,
                    Object = ing.Ref(),
                    Field = field,
                    Hop = HopKind.Ingress,
                    Message = $"Ingress {ing.Metadata.Namespace}/{ing.Metadata.Name} routes host {host} path {path.Split(':', 2)[1]} ({path.Split(':', 2)[0]}), as does {string.Join(", ", others)}: which one wins depends on the controller.",
                    Fix = "Keep each host and path in one Ingress, or give them different hosts or paths.",
                    Paths = [id],
                });
            }
        }

        return new UnitResult([], [.. diags]);
    }
}
