using System.Collections.Immutable;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Fixtures;

/// <summary>
/// Small builders for cluster objects, so a test shows only what matters to it. Pods come out as a manifest
/// would give them (no status); <see cref="Running"/>, <see cref="On"/> and friends add what a live cluster reports.
/// </summary>
internal static class TestCluster
{
    /// <summary>Manifests only: endpoints are predicted from selectors, workload templates stand in for pods.</summary>
    public static ClusterSnapshot Manifests(params IKubeObject[] objects) => ClusterSnapshot.From(objects, endpointSlicesAuthoritative: false);

    /// <summary>A live cluster: EndpointSlices are the truth.</summary>
    public static ClusterSnapshot Live(params IKubeObject[] objects) => ClusterSnapshot.From(objects, endpointSlicesAuthoritative: true);

    public static ClusterAnalysis Analyze(ClusterSnapshot snapshot) => ClusterAnalyzer.Analyze(snapshot);

    /// <summary>"app=web,tier=fe" as a label map; "" for none.</summary>
    public static ImmutableDictionary<string, string> Labels(string spec) =>
        spec.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('=', 2))
            .ToImmutableDictionary(kv => kv[0], kv => kv[1], KubeNames.Comparer);

    public static ObjectMeta Meta(string name, string ns = "default", string labels = "") =>
        new() { Name = name, Namespace = ns, Labels = Labels(labels) };

    public static Namespace Namespace(string name) => new(new ObjectMeta { Name = name });

    public static Node Node(string name, string? internalIp = null) => new(new ObjectMeta { Name = name })
    {
        Addresses = internalIp is null ? [] : [new NodeAddress("InternalIP", internalIp)],
    };

    // ---------------------------------------------------------------- Pods and containers

    public static ContainerPort Port(int containerPort, string? name = null, string protocol = Protocols.Tcp, int hostPort = 0, string? hostIp = null) =>
        new() { Number = containerPort, Name = name, Protocol = protocol, HostPort = hostPort, HostIp = hostIp };

    public static Container Container(string name, params ContainerPort[] ports) => new() { Name = name, Ports = [.. ports] };

    /// <summary>A pod as a manifest declares it: one container "main" with the given ports, no status.</summary>
    public static Pod Pod(string name, string labels = "", string ns = "default", params ContainerPort[] ports) =>
        new(Meta(name, ns, labels)) { Spec = new PodSpecPorts { Containers = [Container("main", ports)] } };

    public static Pod WithContainers(this Pod pod, params Container[] containers) =>
        pod with { Spec = pod.Spec with { Containers = [.. containers] } };

    public static Pod On(this Pod pod, string node, string? podIp = null) =>
        pod with { Spec = pod.Spec with { NodeName = node }, PodIps = podIp is null ? pod.PodIps : [podIp] };

    /// <summary>The status a running pod reports.</summary>
    public static Pod Running(this Pod pod, bool ready = true) => pod with { Phase = "Running", Ready = ready };

    public static Pod HostNetwork(this Pod pod) => pod with { Spec = pod.Spec with { HostNetwork = true } };

    public static Pod Unschedulable(this Pod pod, string message) => pod with { Phase = "Pending", Ready = false, UnschedulableMessage = message };

    public static Workload Deployment(string name, string labels, string ns = "default", params ContainerPort[] ports) =>
        new("Deployment", Meta(name, ns))
        {
            Replicas = 2,
            Selector = new LabelSelector(Labels(labels), []),
            TemplateLabels = Labels(labels),
            Template = new PodSpecPorts { Containers = [Container("main", ports)] },
        };

    // ---------------------------------------------------------------- Services

    public static ServicePort SvcPort(int port, int? targetPort = null, string? name = null, string protocol = Protocols.Tcp, int? nodePort = null) =>
        new() { Port = port, TargetPort = targetPort is { } t ? IntOrName.FromNumber(t) : null, Name = name, Protocol = protocol, NodePort = nodePort };

    public static ServicePort SvcPort(int port, string targetPort, string? name = null, string protocol = Protocols.Tcp, int? nodePort = null) =>
        new() { Port = port, TargetPort = IntOrName.FromName(targetPort), Name = name, Protocol = protocol, NodePort = nodePort };

    /// <summary>A ClusterIP Service; <paramref name="selector"/> null for a Service without one.</summary>
    public static Service Service(string name, string? selector, string ns = "default", params ServicePort[] ports) =>
        new(Meta(name, ns))
        {
            ClusterIps = ["10.96.0.10"],
            Selector = selector is null ? null : Labels(selector),
            Ports = [.. ports],
        };

    public static Service OfType(this Service svc, string type) => svc with { Type = type };

    public static Service WithLoadBalancerAddress(this Service svc, string ip) => svc with { LoadBalancerStatus = [new LoadBalancerIngress(ip, null)] };

    // ---------------------------------------------------------------- EndpointSlices

    public static EndpointSlicePort SlicePort(int port, string? name = null, string protocol = Protocols.Tcp) => new(name, protocol, port, null);

    public static Endpoint Endpoint(string ip, string? node = null, bool? ready = true, string? pod = null, string ns = "default") => new()
    {
        Addresses = [ip],
        NodeName = node,
        Conditions = new EndpointConditions(ready, ready, ready == false ? false : null),
        TargetRef = pod is null ? null : new ObjectRef("Pod", ns, pod),
    };

    public static EndpointSlice Slice(string name, string? service, string ns = "default", EndpointSlicePort[]? ports = null, params Endpoint[] endpoints) =>
        new(Meta(name, ns, service is null ? "" : $"kubernetes.io/service-name={service}"))
        {
            Ports = [.. ports ?? []],
            Endpoints = [.. endpoints],
        };

    // ---------------------------------------------------------------- Ingress

    public static IngressPath Route(string path, string service, int port, string pathType = "Prefix") =>
        new(path, pathType, new IngressBackend(new IngressServiceBackend(service, IntOrName.FromNumber(port)), null));

    public static IngressPath Route(string path, string service, string portName, string pathType = "Prefix") =>
        new(path, pathType, new IngressBackend(new IngressServiceBackend(service, IntOrName.FromName(portName)), null));

    public static Ingress Ingress(string name, string? host, string ns = "default", string? className = null, params IngressPath[] paths) =>
        new(Meta(name, ns))
        {
            IngressClassName = className,
            Rules = [new IngressRule(host, [.. paths])],
        };

    public static Ingress WithAddress(this Ingress ing, string ip) => ing with { LoadBalancerStatus = [new LoadBalancerIngress(ip, null)] };

    public static IngressClass IngressClass(string name, bool isDefault = false) => new(new ObjectMeta
    {
        Name = name,
        Annotations = isDefault
            ? ImmutableDictionary<string, string>.Empty.WithComparers(KubeNames.Comparer).Add("ingressclass.kubernetes.io/is-default-class", "true")
            : ImmutableDictionary<string, string>.Empty.WithComparers(KubeNames.Comparer),
    })
    {
        Controller = "k8s.io/ingress-nginx",
    };
}
