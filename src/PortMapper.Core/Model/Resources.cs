using System.Collections.Immutable;

namespace PortMapper.Core.Model;

public sealed record Namespace(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "Namespace";
}

public sealed record NodeAddress(string Type, string Address);

public sealed record Node(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "Node";

    public ImmutableArray<NodeAddress> Addresses { get; init; } = [];

    public bool Ready { get; init; } = true;

    public bool Unschedulable { get; init; }

    public string? PodCidr { get; init; }

    /// <summary>spec.podCIDRs: one per family on a dual-stack node, the first equal to <see cref="PodCidr"/>.</summary>
    public ImmutableArray<string> PodCidrs { get; init; } = [];

    public string? Zone => Metadata.Labels.GetValueOrDefault("topology.kubernetes.io/zone");

    /// <summary>The address kube-proxy and clients use first: InternalIP, then ExternalIP, then the hostname.</summary>
    public string? PrimaryAddress =>
        Addresses.FirstOrDefault(a => a.Type == "InternalIP")?.Address
        ?? Addresses.FirstOrDefault(a => a.Type == "ExternalIP")?.Address
        ?? Addresses.FirstOrDefault()?.Address;
}

public sealed record ContainerPort
{
    public string? Name { get; init; }

    /// <summary>containerPort: the port the process listens on inside the pod.</summary>
    public int Number { get; init; }

    /// <summary>0 when the port is not published on the node.</summary>
    public int HostPort { get; init; }

    public string? HostIp { get; init; }

    public string Protocol { get; init; } = Protocols.Tcp;
}

public sealed record Container
{
    public required string Name { get; init; }

    public ImmutableArray<ContainerPort> Ports { get; init; } = [];

    /// <summary>An init container with restartPolicy Always (a sidecar): its ports count like a container's.</summary>
    public bool IsRestartableInit { get; init; }

    /// <summary>The container's <c>command</c> followed by its <c>args</c>: how kube-proxy's flags (<c>--proxy-mode</c>) are read.</summary>
    public ImmutableArray<string> CommandLine { get; init; } = [];
}

/// <summary>The part of a pod spec that matters for traffic; shared by Pods and workload templates.</summary>
public sealed record PodSpecPorts
{
    public bool HostNetwork { get; init; }

    public ImmutableArray<Container> Containers { get; init; } = [];

    public string? NodeName { get; init; }

    public ImmutableDictionary<string, string> NodeSelector { get; init; } = ImmutableDictionary<string, string>.Empty;

    public IEnumerable<(Container Container, ContainerPort Port)> AllPorts =>
        Containers.SelectMany(c => c.Ports.Select(p => (c, p)));
}

public sealed record Pod(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "Pod";

    public PodSpecPorts Spec { get; init; } = new();

    public string? NodeName => Spec.NodeName;

    public bool HostNetwork => Spec.HostNetwork;

    public ImmutableArray<string> PodIps { get; init; } = [];

    public string? HostIp { get; init; }

    /// <summary>Pending, Running, Succeeded, Failed, Unknown; null when the object carries no status (a manifest).</summary>
    public string? Phase { get; init; }

    /// <summary>The pod's Ready condition; null when there is no status.</summary>
    public bool? Ready { get; init; }

    public bool Terminating { get; init; }

    /// <summary>The scheduler's message when the pod could not be placed (PodScheduled=False).</summary>
    public string? UnschedulableMessage { get; init; }

    /// <summary>True for a pod that PortMapper derived from a workload template (no such pod exists yet).</summary>
    public bool FromTemplate { get; init; }

    public string? PodIp => PodIps.IsDefaultOrEmpty ? null : PodIps[0];
}

/// <summary>Deployment, StatefulSet, DaemonSet, ReplicaSet or Job: a pod template that will produce pods.</summary>
public sealed record Workload(string Kind, ObjectMeta Metadata) : IKubeObject
{
    public int Replicas { get; init; } = 1;

    public LabelSelector Selector { get; init; } = LabelSelector.Empty;

    public ImmutableDictionary<string, string> TemplateLabels { get; init; } = ImmutableDictionary<string, string>.Empty;

    public PodSpecPorts Template { get; init; } = new();

    public static ImmutableArray<string> Kinds { get; } = ["DaemonSet", "Deployment", "Job", "ReplicaSet", "StatefulSet"];
}

public sealed record LabelSelectorRequirement(string Key, string Operator, ImmutableArray<string> Values);

public sealed record LabelSelector(ImmutableDictionary<string, string> MatchLabels, ImmutableArray<LabelSelectorRequirement> MatchExpressions)
{
    public static LabelSelector Empty { get; } = new(ImmutableDictionary<string, string>.Empty, []);

    public bool Matches(IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (k, v) in MatchLabels)
        {
            if (!labels.TryGetValue(k, out var actual) || actual != v)
            {
                return false;
            }
        }

        foreach (var r in MatchExpressions)
        {
            var has = labels.TryGetValue(r.Key, out var value);
            var ok = r.Operator switch
            {
                "In" => has && r.Values.Contains(value!),
                "NotIn" => !has || !r.Values.Contains(value!),
                "Exists" => has,
                "DoesNotExist" => !has,
                _ => false,
            };
            if (!ok)
            {
                return false;
            }
        }

        return true;
    }
}

public sealed record ServicePort
{
    public string? Name { get; init; }

    public string Protocol { get; init; } = Protocols.Tcp;

    public int Port { get; init; }

    /// <summary>As written; null when unset (then it defaults to <see cref="Port"/>).</summary>
    public IntOrName? TargetPort { get; init; }

    public int? NodePort { get; init; }

    public string? AppProtocol { get; init; }

    public IntOrName EffectiveTargetPort => TargetPort ?? IntOrName.FromNumber(Port);
}

public sealed record LoadBalancerIngress(string? Ip, string? Hostname)
{
    public string Address => Ip ?? Hostname ?? "";
}

public sealed record Service(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "Service";

    public string Type { get; init; } = ServiceTypes.ClusterIp;

    public ImmutableArray<string> ClusterIps { get; init; } = [];

    public ImmutableArray<ServicePort> Ports { get; init; } = [];

    /// <summary>Null when the Service has no selector: its endpoints are managed by hand.</summary>
    public ImmutableDictionary<string, string>? Selector { get; init; }

    public ImmutableArray<string> ExternalIps { get; init; } = [];

    public string? ExternalName { get; init; }

    public string? ExternalTrafficPolicy { get; init; }

    public string? InternalTrafficPolicy { get; init; }

    public string? SessionAffinity { get; init; }

    public int? SessionAffinityTimeoutSeconds { get; init; }

    public bool? AllocateLoadBalancerNodePorts { get; init; }

    public ImmutableArray<string> LoadBalancerSourceRanges { get; init; } = [];

    public int? HealthCheckNodePort { get; init; }

    public bool PublishNotReadyAddresses { get; init; }

    public ImmutableArray<LoadBalancerIngress> LoadBalancerStatus { get; init; } = [];

    /// <summary>spec.ipFamilies as written or defaulted ("IPv4", "IPv6"); empty when unset (then the cluster IPs tell).</summary>
    public ImmutableArray<string> IpFamilies { get; init; } = [];

    /// <summary>spec.ipFamilyPolicy: SingleStack, PreferDualStack or RequireDualStack; null when unset (SingleStack).</summary>
    public string? IpFamilyPolicy { get; init; }

    /// <summary>spec.trafficDistribution: PreferClose, PreferSameZone or PreferSameNode; null when unset.</summary>
    public string? TrafficDistribution { get; init; }

    /// <summary>spec.loadBalancerClass: the load-balancer implementation that must handle this Service; null for the default one.</summary>
    public string? LoadBalancerClass { get; init; }

    public string? ClusterIp => ClusterIps.IsDefaultOrEmpty ? null : ClusterIps[0];

    /// <summary>
    /// The address families the Service serves, primary first: its cluster IPs' families, else spec.ipFamilies, else
    /// IPv4. A headless Service without a selector and without ipFamilies serves both (the API server's defaulting).
    /// </summary>
    public ImmutableArray<string> Families
    {
        get
        {
            if (!IsHeadless && !ClusterIps.IsDefaultOrEmpty)
            {
                return [.. ClusterIps.Select(IpFamilyOf).Distinct(StringComparer.Ordinal)];
            }

            return IpFamilies.IsDefaultOrEmpty ? [IpFamily.V4] : IpFamilies;
        }
    }

    public bool IsDualStack => Families.Length > 1;

    /// <summary>"IPv6" when <paramref name="ip"/> is IPv6 text, else "IPv4".</summary>
    public static string IpFamilyOf(string ip) => ip.Contains(':', StringComparison.Ordinal) ? IpFamily.V6 : IpFamily.V4;

    public bool IsHeadless => ClusterIps.Length == 1 && ClusterIps[0] == "None";

    public bool IsExternalName => Type == ServiceTypes.ExternalName;

    public bool HasNodePorts => Type is ServiceTypes.NodePort || (Type is ServiceTypes.LoadBalancer && AllocateLoadBalancerNodePorts != false);

    public bool ExternalPolicyLocal => ExternalTrafficPolicy == TrafficPolicies.Local;

    public bool InternalPolicyLocal => InternalTrafficPolicy == TrafficPolicies.Local;
}

public sealed record EndpointSlicePort(string? Name, string? Protocol, int? Port, string? AppProtocol);

public sealed record EndpointConditions(bool? Ready, bool? Serving, bool? Terminating);

public sealed record Endpoint
{
    public ImmutableArray<string> Addresses { get; init; } = [];

    /// <summary>hints.forZones: the zones whose kube-proxies should use this endpoint (topology-aware routing).</summary>
    public ImmutableArray<string> ForZones { get; init; } = [];

    /// <summary>hints.forNodes: the nodes whose kube-proxies should use this endpoint (trafficDistribution PreferSameNode).</summary>
    public ImmutableArray<string> ForNodes { get; init; } = [];

    public EndpointConditions Conditions { get; init; } = new(null, null, null);

    public string? NodeName { get; init; }

    public string? Zone { get; init; }

    public ObjectRef? TargetRef { get; init; }

    /// <summary>A nil ready condition means ready (EndpointSlice API).</summary>
    public bool IsReady => Conditions.Ready ?? true;
}

public sealed record EndpointSlice(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "EndpointSlice";

    public string AddressType { get; init; } = "IPv4";

    public ImmutableArray<EndpointSlicePort> Ports { get; init; } = [];

    public ImmutableArray<Endpoint> Endpoints { get; init; } = [];

    public string? ServiceName => Metadata.Labels.GetValueOrDefault("kubernetes.io/service-name");
}

public sealed record IngressServiceBackend(string Name, IntOrName? Port);

public sealed record IngressBackend(IngressServiceBackend? Service, ObjectRef? Resource);

public sealed record IngressPath(string? Path, string? PathType, IngressBackend Backend);

public sealed record IngressRule(string? Host, ImmutableArray<IngressPath> Paths);

public sealed record IngressTls(ImmutableArray<string> Hosts, string? SecretName);

public sealed record Ingress(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "Ingress";

    public string? IngressClassName { get; init; }

    public IngressBackend? DefaultBackend { get; init; }

    public ImmutableArray<IngressRule> Rules { get; init; } = [];

    public ImmutableArray<IngressTls> Tls { get; init; } = [];

    public ImmutableArray<LoadBalancerIngress> LoadBalancerStatus { get; init; } = [];

    public bool IsTlsHost(string? host) =>
        Tls.Any(t => t.Hosts.IsDefaultOrEmpty ? host is null : t.Hosts.Contains(host ?? ""));
}

public sealed record IngressClass(ObjectMeta Metadata) : IKubeObject
{
    public string Kind => "IngressClass";

    public string? Controller { get; init; }

    public bool IsDefault => Metadata.Annotations.GetValueOrDefault("ingressclass.kubernetes.io/is-default-class") == "true";
}
