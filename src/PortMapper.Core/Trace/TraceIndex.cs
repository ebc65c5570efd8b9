using System.Collections.Immutable;
using System.Net;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.Trace;

/// <summary>An Ingress rule found by its host.</summary>
internal sealed record IngressRuleRef(Ingress Ingress, int RuleIndex)
{
    public IngressRule Rule => Ingress.Rules[RuleIndex];
}

/// <summary>Something that accepts traffic on an address and port, named for a person ("clusterIP of Service a/b").</summary>
internal sealed record Listener(string Ip, int Port, string Protocol, string What)
{
    public override string ToString() => $"{TraceTarget.JoinHostPort(Ip, Port)}/{Protocol} ({What})";
}

/// <summary>
/// Look-ups over one analysis so that a trace touches only the objects it needs. Built once per
/// <see cref="ClusterAnalysis"/>; the parts that only failed traces use are built on first need.
/// </summary>
internal sealed class TraceIndex
{
    private readonly Lazy<Dictionary<string, List<Diagnostic>>> _diagnosticsByPath;
    private readonly Lazy<Dictionary<ObjectRef, HashSet<(int Port, string Protocol)>>> _servedPorts;
    private readonly Lazy<(Dictionary<string, List<Listener>> ByIp, Dictionary<int, List<Listener>> ByPort)> _listeners;

    private readonly Lazy<PortMapper.Core.Policy.PolicyEvaluator?> _policies;

    /// <summary>The policy evaluator over this snapshot; null when it holds no policy (everything is allowed).</summary>
    public PortMapper.Core.Policy.PolicyEvaluator? Policies => _policies.Value;

    public TraceIndex(ClusterAnalysis analysis)
    {
        Analysis = analysis;
        _policies = new(() => analysis.Policies is { } policies ? new PortMapper.Core.Policy.PolicyEvaluator(policies) : null);
        var s = analysis.Snapshot;
        foreach (var svc in s.Services.Values.OrderBy(x => x.Key()))
        {
            foreach (var ip in svc.ClusterIps)
            {
                if (!svc.IsHeadless)
                {
                    ByClusterIp.TryAdd(Normalize(ip), svc);
                }
            }

            foreach (var ip in svc.ExternalIps)
            {
                Add(ByExternalIp, Normalize(ip), svc);
            }

            if (svc.Type == ServiceTypes.LoadBalancer)
            {
                foreach (var lb in svc.LoadBalancerStatus)
                {
                    if (lb.Ip is { Length: > 0 } ip)
                    {
                        Add(ByLoadBalancerIp, Normalize(ip), svc);
                    }
                }
            }

            if (svc.HasNodePorts)
            {
                foreach (var p in svc.Ports)
                {
                    if (p.NodePort is { } np)
                    {
                        Add(ByNodePort, (np, p.Protocol), svc);
                    }
                }
            }
        }

        foreach (var node in s.Nodes.Values.OrderBy(n => n.Metadata.Name, KubeNames.Comparer))
        {
            foreach (var a in node.Addresses)
            {
                NodeByAddress.TryAdd(Normalize(a.Address), node);
            }
        }

        foreach (var pod in s.Pods.Values.OrderBy(p => p.Key()))
        {
            if (!pod.HostNetwork)
            {
                foreach (var ip in pod.PodIps)
                {
                    Add(PodsByIp, Normalize(ip), pod);
                }
            }
        }

        foreach (var path in analysis.Paths)
        {
            var table = path.Exposure switch
            {
                Exposure.HostPort => HostPorts,
                Exposure.HostNetwork => HostNetworkPorts,
                _ => null,
            };
            var hop = table is null ? null : path.Hops.FirstOrDefault(h => h.Kind is HopKind.HostPort or HopKind.HostNetwork);
            if (table is not null && hop?.Port is { } port && !hop.Nodes.IsDefaultOrEmpty)
            {
                Add(table, (hop.Nodes[0], port, path.Protocol), path);
            }
        }

        foreach (var ing in s.Ingresses.Values.OrderBy(i => i.Key()))
        {
            for (var r = 0; r < ing.Rules.Length; r++)
            {
                var host = ing.Rules[r].Host?.ToLowerInvariant();
                if (string.IsNullOrEmpty(host))
                {
                    HostlessRules.Add(new IngressRuleRef(ing, r));
                }
                else if (host.StartsWith("*.", StringComparison.Ordinal))
                {
                    Add(WildcardRules, host[2..], new IngressRuleRef(ing, r));
                }
                else
                {
                    Add(ExactHostRules, host, new IngressRuleRef(ing, r));
                }
            }

            if (ing.DefaultBackend is not null)
            {
                DefaultBackends.Add(ing);
            }
        }

        _diagnosticsByPath = new(BuildDiagnosticsByPath);
        _servedPorts = new(BuildServedPorts);
        _listeners = new(BuildListeners);
    }

    public ClusterAnalysis Analysis { get; }

    public ClusterSnapshot Snapshot => Analysis.Snapshot;

    public Dictionary<string, Service> ByClusterIp { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<Service>> ByExternalIp { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<Service>> ByLoadBalancerIp { get; } = new(StringComparer.Ordinal);

    public Dictionary<(int Port, string Protocol), List<Service>> ByNodePort { get; } = [];

    public Dictionary<string, Node> NodeByAddress { get; } = new(StringComparer.Ordinal);

    /// <summary>Pods by podIP; hostNetwork pods are left out because their IP is their node's.</summary>
    public Dictionary<string, List<Pod>> PodsByIp { get; } = new(StringComparer.Ordinal);

    public Dictionary<(string Node, int Port, string Protocol), List<TrafficPath>> HostPorts { get; } = [];

    public Dictionary<(string Node, int Port, string Protocol), List<TrafficPath>> HostNetworkPorts { get; } = [];

    /// <summary>Rules by exact host, lowercase.</summary>
    public Dictionary<string, List<IngressRuleRef>> ExactHostRules { get; } = new(StringComparer.Ordinal);

    /// <summary>Wildcard rules by the part after "*.".</summary>
    public Dictionary<string, List<IngressRuleRef>> WildcardRules { get; } = new(StringComparer.Ordinal);

    public List<IngressRuleRef> HostlessRules { get; } = [];

    public List<Ingress> DefaultBackends { get; } = [];

    public IReadOnlyList<Diagnostic> DiagnosticsOf(string pathId) =>
        _diagnosticsByPath.Value.TryGetValue(pathId, out var list) ? list : [];

    public bool Serves(ObjectRef pod, int port, string protocol) =>
        _servedPorts.Value.TryGetValue(pod, out var set) && set.Contains((port, protocol));

    public IReadOnlyList<Listener> ListenersOn(string ip) => _listeners.Value.ByIp.TryGetValue(ip, out var list) ? list : [];

    public IReadOnlyList<Listener> ListenersAt(int port) => _listeners.Value.ByPort.TryGetValue(port, out var list) ? list : [];

    /// <summary>The endpoints the analysis computed for a Service port (null port: a headless Service without ports).</summary>
    public ImmutableArray<EndpointTarget> EndpointsOf(Service svc, ServicePort? port) =>
        EndpointsHop(PathIdOf(svc, port))?.Endpoints ?? [];

    public Hop? EndpointsHop(string pathId) =>
        Analysis.FindPath(pathId)?.Hops.LastOrDefault(h => h.Kind == HopKind.Endpoints);

    public static string PathIdOf(Service svc, ServicePort? port) =>
        UnitAnalysis.ServicePathId(svc.IsHeadless ? Exposure.Headless : Exposure.ClusterIP, svc, port);

    /// <summary>Canonical text of an IP address so that equal addresses compare equal; anything else unchanged.</summary>
    /// <remarks>Only IPv6 has several spellings; IPv4 text from the API server is already canonical.</remarks>
    public static string Normalize(string address) =>
        address.Contains(':', StringComparison.Ordinal) && IPAddress.TryParse(address, out var ip) ? ip.ToString() : address;

    private Dictionary<string, List<Diagnostic>> BuildDiagnosticsByPath()
    {
        var map = new Dictionary<string, List<Diagnostic>>(StringComparer.Ordinal);
        foreach (var d in Analysis.Diagnostics)
        {
            foreach (var id in d.Paths)
            {
                Add(map, id, d);
            }
        }

        return map;
    }

    private Dictionary<ObjectRef, HashSet<(int Port, string Protocol)>> BuildServedPorts()
    {
        var map = new Dictionary<ObjectRef, HashSet<(int, string)>>();
        var seen = new HashSet<Hop>(ReferenceEqualityComparer.Instance);
        foreach (var path in Analysis.Paths)
        {
            foreach (var hop in path.Hops)
            {
                if (hop.Kind != HopKind.Endpoints || !seen.Add(hop))
                {
                    continue;
                }

                foreach (var e in hop.Endpoints)
                {
                    if (e.Pod is { } pod && e.Port is { } port)
                    {
                        if (!map.TryGetValue(pod, out var set))
                        {
                            map[pod] = set = [];
                        }

                        set.Add((port, path.Protocol));
                    }
                }
            }
        }

        return map;
    }

    private (Dictionary<string, List<Listener>>, Dictionary<int, List<Listener>>) BuildListeners()
    {
        var byIp = new Dictionary<string, List<Listener>>(StringComparer.Ordinal);
        var byPort = new Dictionary<int, List<Listener>>();
        void Listen(string ip, int port, string protocol, string what)
        {
            var l = new Listener(Normalize(ip), port, protocol, what);
            Add(byIp, l.Ip, l);
            Add(byPort, port, l);
        }

        var s = Snapshot;
        foreach (var svc in s.Services.Values.OrderBy(x => x.Key()))
        {
            var name = $"Service {svc.Metadata.Namespace}/{svc.Metadata.Name}";
            foreach (var p in svc.Ports)
            {
                foreach (var ip in svc.IsHeadless ? [] : svc.ClusterIps)
                {
                    Listen(ip, p.Port, p.Protocol, $"clusterIP of {name}");
                }

                foreach (var ip in svc.ExternalIps)
                {
                    Listen(ip, p.Port, p.Protocol, $"externalIP of {name}");
                }

                foreach (var lb in svc.Type == ServiceTypes.LoadBalancer ? svc.LoadBalancerStatus : [])
                {
                    if (lb.Ip is { Length: > 0 } ip)
                    {
                        Listen(ip, p.Port, p.Protocol, $"load balancer of {name}");
                    }
                }
            }
        }

        foreach (var pod in s.Pods.Values.OrderBy(p => p.Key()))
        {
            var name = $"pod {pod.Metadata.Namespace}/{pod.Metadata.Name}";
            var nodeAddress = pod.NodeName is { } n && s.Nodes.TryGetValue(n, out var node) ? node.PrimaryAddress : null;
            foreach (var (_, p) in pod.Spec.AllPorts)
            {
                if (pod.HostNetwork)
                {
                    if (nodeAddress is not null)
                    {
                        Listen(nodeAddress, p.Number, p.Protocol, $"hostNetwork {name}");
                    }

                    continue;
                }

                foreach (var ip in pod.PodIps)
                {
                    Listen(ip, p.Number, p.Protocol, $"containerPort of {name}");
                }

                if (p.HostPort > 0 && nodeAddress is not null)
                {
                    Listen(p.HostIp is { Length: > 0 } hip && hip is not ("0.0.0.0" or "::") ? hip : nodeAddress, p.HostPort, p.Protocol, $"hostPort of {name}");
                }
            }
        }

        return (byIp, byPort);
    }

    private static void Add<TKey, TValue>(Dictionary<TKey, List<TValue>> map, TKey key, TValue value)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var list))
        {
            map[key] = list = [];
        }

        list.Add(value);
    }
}
