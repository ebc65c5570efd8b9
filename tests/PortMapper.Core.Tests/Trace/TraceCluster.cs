using System.Collections.Immutable;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;
using PortMapper.Core.Trace;

namespace PortMapper.Core.Tests.Trace;

/// <summary>
/// A small live-looking cluster built in code: three nodes, namespace "shop" with web pods on node-a (ready),
/// node-b (ready) and node-c (not ready), Services of every kind in front of them, host ports and Ingresses.
/// </summary>
internal static class TraceCluster
{
    public const string Ns = "shop";

    public static Node NodeA { get; } = Node("node-a", "192.168.1.10");

    public static Node NodeB { get; } = Node("node-b", "192.168.1.11");

    public static Node NodeC { get; } = Node("node-c", "192.168.1.12");

    public static Pod Web1 { get; } = Pod("web-1", "10.244.1.5", "node-a", true, ("app", "web"), Port("http", 8080));

    public static Pod Web2 { get; } = Pod("web-2", "10.244.2.7", "node-b", true, ("app", "web"), Port("http", 8080));

    public static Pod Web3 { get; } = Pod("web-3", "10.244.3.9", "node-c", false, ("app", "web"), Port("http", 8080));

    public static Pod Db0 { get; } = Pod("db-0", "10.244.1.20", "node-a", true, ("app", "db"), Port("pg", 5432));

    public static Pod ClientA { get; } = Pod("client-a", "10.244.1.3", "node-a", true, ("app", "client"));

    public static Pod ClientC { get; } = Pod("client-c", "10.244.3.3", "node-c", true, ("app", "client"));

    public static Pod Agent { get; } = Pod("agent", "10.244.3.40", "node-c", true, ("app", "agent"), Port("metrics", 9100) with { HostPort = 9100 });

    public static Pod Exporter { get; } = OnHostNetwork(Pod("exporter", "192.168.1.11", "node-b", true, ("app", "exporter"), Port("metrics", 9256)));

    public static ImmutableArray<IKubeObject> Objects()
    {
        var web = new[] { Web1, Web2, Web3 };
        return
        [
            NodeA, NodeB, NodeC, Web1, Web2, Web3, Db0, ClientA, ClientC, Agent, Exporter,
            Service("web", "10.96.0.12", HttpPort(80)), Slice("web", "http", 8080, web),
            Service("web-np", "10.96.0.20", HttpPort(80) with { NodePort = 30080 }) with { Type = ServiceTypes.NodePort },
            Slice("web-np", "http", 8080, web),
            Service("web-local", "10.96.0.21", HttpPort(80) with { NodePort = 30081 }) with { Type = ServiceTypes.NodePort, ExternalTrafficPolicy = TrafficPolicies.Local },
            Slice("web-local", "http", 8080, web),
            Service("web-lb", "10.96.0.22", HttpPort(443) with { NodePort = 30443 }) with
            {
                Type = ServiceTypes.LoadBalancer,
                LoadBalancerStatus = [new LoadBalancerIngress("203.0.113.10", null)],
            },
            Slice("web-lb", "http", 8080, web),
            Service("web-ext", "10.96.0.24", HttpPort(8081)) with { ExternalIps = ["198.51.100.7"] },
            Slice("web-ext", "http", 8080, web),
            Service("web-itp", "10.96.0.23", HttpPort(80)) with { InternalTrafficPolicy = TrafficPolicies.Local },
            Slice("web-itp", "http", 8080, web),
            Service("orphan", "10.96.0.30", HttpPort(80)) with { Selector = ImmutableDictionary<string, string>.Empty.Add("app", "nothing") },
            Service("db", "None", new ServicePort { Name = "pg", Port = 5432, TargetPort = IntOrName.FromName("pg") }) with { Selector = Selector("db") },
            Slice("db", "pg", 5432, Db0),
            Service("db-mapped", "None", new ServicePort { Name = "pg", Port = 15432, TargetPort = IntOrName.FromNumber(5432) }) with { Selector = Selector("db") },
            Slice("db-mapped", "pg", 5432, Db0),
            new Service(Meta("payments")) { Type = ServiceTypes.ExternalName, ExternalName = "api.payments.example.com" },
            Ingress("shop",
                [
                    Rule("shop.example.com",
                        Path("/api", "Prefix", "web", 80),
                        Path("/api/admin", "Prefix", "web-np", 80),
                        Path("/login", "Exact", "web-np", 80),
                        Path("/img", "ImplementationSpecific", "web", 80),
                        Path("/", "Prefix", "web-lb", 443),
                        Path("/ghost", "Prefix", "missing", 80),
                        Path("/wrong-port", "Prefix", "web", 8080),
                        Path("/down", "Prefix", "orphan", 80)),
                    Rule("*.apps.example.com", Path("/", "Prefix", "web", 80)),
                ]) with
            {
                Tls = [new IngressTls(["shop.example.com"], "shop-tls")],
            },
            Ingress("fallback", []) with { DefaultBackend = Backend("web", 80) },
            new IngressClass(new ObjectMeta
            {
                Name = "nginx",
                Annotations = ImmutableDictionary<string, string>.Empty.Add("ingressclass.kubernetes.io/is-default-class", "true"),
            }),
        ];
    }

    /// <summary>The fixture's objects with one of them swapped.</summary>
    public static IEnumerable<IKubeObject> Replacing(IKubeObject original, IKubeObject replacement) =>
        Objects().Select(o => ReferenceEquals(o, original) ? replacement : o);

    public static ClusterAnalysis Analyze(IEnumerable<IKubeObject>? objects = null) =>
        ClusterAnalyzer.Analyze(ClusterSnapshot.From(objects ?? Objects(), endpointSlicesAuthoritative: true));

    public static TraceResult Run(string from, string to, ClusterAnalysis? analysis = null)
    {
        analysis ??= Shared;
        Assert.True(TraceSource.TryParse(from, analysis.Snapshot, out var source, out var sourceError), sourceError);
        Assert.True(TraceTarget.TryParse(to, out var target, out var targetError), targetError);
        return Tracer.Trace(analysis, source, target);
    }

    public static ClusterAnalysis Shared { get; } = Analyze();

    public static string Svc(string servicePortName) => ChainNames.Name(ChainNames.ServicePrefix, servicePortName, "TCP", null);

    public static ObjectMeta Meta(string name) => new() { Name = name, Namespace = Ns };

    public static Node Node(string name, string ip) =>
        new(new ObjectMeta { Name = name }) { Addresses = [new NodeAddress("InternalIP", ip), new NodeAddress("Hostname", name)] };

    public static ContainerPort Port(string name, int number) => new() { Name = name, Number = number };

    public static Pod Pod(string name, string ip, string node, bool ready, (string Key, string Value) label, params ContainerPort[] ports) =>
        new(Meta(name) with { Labels = ImmutableDictionary<string, string>.Empty.Add(label.Key, label.Value) })
        {
            Spec = new PodSpecPorts { NodeName = node, Containers = [new Container { Name = "main", Ports = [.. ports] }] },
            PodIps = [ip],
            Phase = "Running",
            Ready = ready,
        };

    public static Pod OnHostNetwork(Pod p) => p with { Spec = p.Spec with { HostNetwork = true } };

    public static ServicePort HttpPort(int port) => new() { Name = "http", Port = port, TargetPort = IntOrName.FromName("http") };

    public static ImmutableDictionary<string, string> Selector(string app) => ImmutableDictionary<string, string>.Empty.Add("app", app);

    public static Service Service(string name, string clusterIp, params ServicePort[] ports) =>
        new(Meta(name)) { ClusterIps = [clusterIp], Ports = [.. ports], Selector = Selector("web") };

    public static EndpointSlice Slice(string service, string portName, int port, params Pod[] pods) =>
        new(Meta(service + "-abc12") with { Labels = ImmutableDictionary<string, string>.Empty.Add("kubernetes.io/service-name", service) })
        {
            Ports = [new EndpointSlicePort(portName, Protocols.Tcp, port, null)],
            Endpoints =
            [
                .. pods.Select(p => new Endpoint
                {
                    Addresses = [p.PodIp!],
                    NodeName = p.NodeName,
                    TargetRef = p.Ref(),
                    Conditions = new EndpointConditions(p.Ready, p.Ready, false),
                }),
            ],
        };

    public static IngressBackend Backend(string service, int port) => new(new IngressServiceBackend(service, IntOrName.FromNumber(port)), null);

    public static IngressPath Path(string path, string type, string service, int port) => new(path, type, Backend(service, port));

    public static IngressRule Rule(string? host, params IngressPath[] paths) => new(host, [.. paths]);

    public static Ingress Ingress(string name, ImmutableArray<IngressRule> rules) =>
        new(Meta(name)) { Rules = rules, LoadBalancerStatus = [new LoadBalancerIngress("203.0.113.50", null)] };
}
