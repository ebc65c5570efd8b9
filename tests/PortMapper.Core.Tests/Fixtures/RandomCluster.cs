using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Fixtures;

/// <summary>
/// Random but reproducible cluster changes over a small universe of names, labels and ports, so that objects keep
/// colliding: selectors gain and lose pods, node ports and host ports clash, Ingresses point at Services that come
/// and go, EndpointSlices move between Services.
/// </summary>
internal sealed class RandomCluster(int seed, bool live)
{
    private static readonly string[] Namespaces = ["a", "b"];
    private static readonly string[] NodeNames = ["n1", "n2", "n3"];
    private static readonly string[] PortNames = ["http", "dns", "metrics"];
    private static readonly string[] LabelSets = ["app=x", "app=y", "app=x,tier=fe", "app=z,tier=be", "tier=fe", ""];

    private readonly Random _rng = new(seed);

    public bool Live { get; } = live;

    /// <summary>The next change to <paramref name="current"/>: an add, an update or a delete of one object.</summary>
    public ClusterChange Next(ClusterSnapshot current)
    {
        var ns = Pick(Namespaces);
        IKubeObject candidate = Roll(100) switch
        {
            < 30 => Pod(ns, $"p{_rng.Next(6)}"),
            < 50 => Service(ns, $"s{_rng.Next(4)}"),
            < 65 => Slice(ns, $"e{_rng.Next(3)}"),
            < 75 => Ingress(ns, $"i{_rng.Next(3)}"),
            < 83 => Node(Pick(NodeNames)),
            < 90 => Workload(ns, $"w{_rng.Next(3)}"),
            < 95 => IngressClass(Roll(2) == 0 ? "nginx" : "other"),
            _ => new Namespace(new ObjectMeta { Name = ns }),
        };

        var existing = current.AllObjects().FirstOrDefault(o => o.Kind == candidate.Kind && o.Ref() == candidate.Ref());
        if (existing is not null && Roll(4) == 0)
        {
            // A watch delivers the last state of a deleted object; an informer's tombstone may carry an older one.
            return new ClusterChange(ChangeType.Deleted, Roll(3) == 0 ? candidate : existing);
        }

        if (existing is null && Roll(20) == 0)
        {
            // A delete that arrives twice, or for an object never seen, must change nothing.
            return new ClusterChange(ChangeType.Deleted, candidate);
        }

        return new ClusterChange(existing is null ? ChangeType.Added : ChangeType.Modified, candidate);
    }

    /// <summary>A starting cluster of <paramref name="count"/> random objects.</summary>
    public ClusterSnapshot Initial(int count)
    {
        var snapshot = ClusterSnapshot.Empty with { EndpointSlicesAuthoritative = Live };
        for (var i = 0; i < count; i++)
        {
            var change = Next(snapshot);
            if (change.Type != ChangeType.Deleted)
            {
                snapshot = snapshot.Apply(change);
            }
        }

        return snapshot;
    }

    private int Roll(int n) => _rng.Next(n);

    private T Pick<T>(IReadOnlyList<T> items) => items[_rng.Next(items.Count)];

    private ObjectMeta Meta(string name, string ns, string labels = "") => TestCluster.Meta(name, ns, labels);

    private ContainerPort RandomPort(string? name = null) => new()
    {
        Name = name ?? (Roll(2) == 0 ? Pick(PortNames) : null),
        Number = Pick([80, 8080, 53, 9090]),
        Protocol = Roll(4) == 0 ? Protocols.Udp : Protocols.Tcp,
        HostPort = Roll(10) switch { 0 => 8081, 1 => 80, 2 => 30080, _ => 0 },
        HostIp = Roll(6) switch { 0 => "10.0.0.1", 1 => "10.0.0.2", _ => null },
    };

    private PodSpecPorts RandomSpec(bool allowNode)
    {
        var containers = new List<Container> { TestCluster.Container("main", [.. Enumerable.Range(0, Roll(3)).Select(_ => RandomPort())]) };
        if (Roll(5) == 0)
        {
            containers.Add(new Container { Name = "sidecar", IsRestartableInit = true, Ports = [RandomPort("metrics")] });
        }

        return new PodSpecPorts
        {
            Containers = [.. containers],
            HostNetwork = Roll(8) == 0,
            NodeName = allowNode ? Pick(NodeNames) : null,
        };
    }

    private Pod Pod(string ns, string name)
    {
        var withStatus = Live || Roll(4) == 0;
        var scheduled = !withStatus || Roll(12) != 0;
        var pod = new Pod(Meta(name, ns, Pick(LabelSets)))
        {
            Spec = RandomSpec(allowNode: withStatus ? scheduled : Roll(3) == 0),
        };
        if (!withStatus)
        {
            return pod;
        }

        if (!scheduled)
        {
            return pod with { Phase = "Pending", Ready = false, UnschedulableMessage = "0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports." };
        }

        return pod with
        {
            Phase = Roll(10) switch { 0 => "Succeeded", 1 => "Pending", _ => "Running" },
            Ready = Roll(3) != 0,
            Terminating = Roll(15) == 0,
            PodIps = Roll(10) == 0 ? [] : [$"10.244.{_rng.Next(3)}.{_rng.Next(1, 250)}"],
            HostIp = "10.0.0.1",
        };
    }

    private Workload Workload(string ns, string name)
    {
        var labels = Pick(LabelSets.Where(l => l.Length > 0).ToList());
        return new Workload(Roll(4) == 0 ? "StatefulSet" : "Deployment", Meta(name, ns))
        {
            Replicas = 1 + Roll(3),
            Selector = new LabelSelector(TestCluster.Labels(labels), []),
            TemplateLabels = TestCluster.Labels(labels),
            Template = RandomSpec(allowNode: Roll(6) == 0),
        };
    }

    private Service Service(string ns, string name)
    {
        var type = Roll(10) switch
        {
            0 => ServiceTypes.ExternalName,
            < 4 => ServiceTypes.NodePort,
            < 6 => ServiceTypes.LoadBalancer,
            _ => ServiceTypes.ClusterIp,
        };
        var portCount = Roll(8) switch { 0 => 0, < 5 => 1, _ => 2 };
        var ports = Enumerable.Range(0, portCount).Select(i => new ServicePort
        {
            Name = portCount > 1 ? $"p{i}" : Roll(3) == 0 ? "http" : null,
            Port = Pick([80, 8080, 53]),
            Protocol = Roll(5) == 0 ? Protocols.Udp : Protocols.Tcp,
            TargetPort = Roll(7) switch
            {
                0 => null,
                1 => IntOrName.FromNumber(80),
                2 => IntOrName.FromNumber(8080),
                3 => IntOrName.FromNumber(9090),
                4 => IntOrName.FromName("dns"),
                5 => IntOrName.FromName("metrics"),
                _ => IntOrName.FromName("http"),
            },
            NodePort = Roll(6) switch { 0 => null, 1 => 30080, 2 => 30081, 3 => 80, 4 => 8081, _ => 30000 + _rng.Next(3) },
        }).ToImmutableArray();
        return new Service(Meta(name, ns))
        {
            Type = type,
            ClusterIps = Roll(10) == 0 ? ["None"] : [$"10.96.0.{_rng.Next(1, 250)}"],
            Selector = Roll(8) switch { 0 => null, 1 => ImmutableDictionary<string, string>.Empty, _ => TestCluster.Labels(Pick(LabelSets.Where(l => l.Length > 0).ToList())) },
            Ports = ports,
            ExternalName = type == ServiceTypes.ExternalName && Roll(5) != 0 ? "db.example.com" : null,
            ExternalTrafficPolicy = Roll(3) == 0 ? TrafficPolicies.Local : null,
            InternalTrafficPolicy = Roll(8) == 0 ? TrafficPolicies.Local : null,
            SessionAffinity = Roll(4) == 0 ? "ClientIP" : null,
            ExternalIps = Roll(8) == 0 ? ["203.0.113.7"] : [],
            AllocateLoadBalancerNodePorts = Roll(8) == 0 ? false : null,
            PublishNotReadyAddresses = Roll(10) == 0,
            LoadBalancerStatus = Roll(2) == 0 ? [new LoadBalancerIngress("198.51.100.1", null)] : [],
        };
    }

    private EndpointSlice Slice(string ns, string name)
    {
        var service = Roll(6) == 0 ? null : $"s{_rng.Next(4)}";
        return new EndpointSlice(Meta(name, ns, service is null ? "" : $"kubernetes.io/service-name={service}"))
        {
            Ports = [.. Enumerable.Range(0, Roll(6) == 0 ? 0 : 1 + Roll(2)).Select(_ => new EndpointSlicePort(
                Pick<string?>([null, "p0", "p1", "http"]), Roll(5) == 0 ? Protocols.Udp : Protocols.Tcp, Pick([80, 8080, 9090]), null))],
            Endpoints = [.. Enumerable.Range(0, Roll(5) == 0 ? 0 : 1 + Roll(3)).Select(i => new Endpoint
            {
                Addresses = [$"10.244.9.{i + 1}"],
                NodeName = Pick<string?>([null, .. NodeNames]),
                Conditions = new EndpointConditions(Pick<bool?>([true, false, null]), null, Roll(6) == 0),
                TargetRef = new ObjectRef("Pod", ns, $"p{_rng.Next(6)}"),
            })],
        };
    }

    private IngressBackend Backend() => new(
        new IngressServiceBackend($"s{_rng.Next(5)}", Roll(5) switch
        {
            0 => null,
            1 => IntOrName.FromName("http"),
            2 => IntOrName.FromName("p0"),
            3 => IntOrName.FromNumber(8080),
            _ => IntOrName.FromNumber(80),
        }),
        null);

    private Ingress Ingress(string ns, string name) => new(Meta(name, ns))
    {
        IngressClassName = Pick<string?>([null, "nginx", "other"]),
        Rules = [.. Enumerable.Range(0, 1 + Roll(2)).Select(_ => new IngressRule(
            Pick<string?>(["a.example.com", "b.example.com", null]),
            [.. Enumerable.Range(0, 1 + Roll(2)).Select(_ => new IngressPath(Pick(["/", "/api"]), Roll(4) == 0 ? "Exact" : "Prefix", Backend()))]))],
        DefaultBackend = Roll(5) == 0 ? Backend() : null,
        Tls = Roll(5) == 0 ? [new IngressTls(["a.example.com"], "tls")] : [],
        LoadBalancerStatus = Roll(2) == 0 ? [new LoadBalancerIngress("198.51.100.9", null)] : [],
    };

    private Node Node(string name) => TestCluster.Node(name, Roll(4) == 0 ? null : $"10.0.0.{_rng.Next(1, 4)}");

    private IngressClass IngressClass(string name) => TestCluster.IngressClass(name, isDefault: Roll(2) == 0);
}
