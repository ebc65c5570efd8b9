using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Kubernetes.Decoding;

/// <summary>
/// Wire shapes to the Core model. Mirrors <see cref="PortMapper.Core.Loading.ModelReader"/> field for field (same
/// defaults, same readiness rules) so a live object and the same object read from a file look alike.
/// </summary>
internal static class ModelMapper
{
    public static ObjectMeta Meta(ObjectMetaDto? m, bool clusterScoped)
    {
        m ??= new ObjectMetaDto();
        return new ObjectMeta
        {
            Name = m.Name ?? m.GenerateName ?? "",
            Namespace = clusterScoped ? "" : m.Namespace ?? "",
            Labels = m.Labels ?? StringMapConverter.Empty,
            Annotations = m.Annotations ?? StringMapConverter.Empty,
            Uid = m.Uid,
            ResourceVersion = m.ResourceVersion,
            CreationTimestamp = m.CreationTimestamp,
            OwnerReferences = Arr(m.OwnerReferences, o => new OwnerReference(o.Kind ?? "", o.Name ?? "", o.Uid, o.Controller ?? false)),
        };
    }

    public static Namespace ToModel(NamespaceDto d) => new(Meta(d.Metadata, clusterScoped: true));

    public static Node ToModel(NodeDto d)
    {
        var ready = d.Status?.Conditions?.Find(c => c.Type == "Ready");
        return new Node(Meta(d.Metadata, clusterScoped: true))
        {
            Addresses = Arr(d.Status?.Addresses?.FindAll(a => !string.IsNullOrEmpty(a.Address)), a => new NodeAddress(a.Type ?? "", a.Address!)),
            Ready = ready is null || ready.Status == "True",
            Unschedulable = d.Spec?.Unschedulable ?? false,
            PodCidr = d.Spec?.PodCidr,
            PodCidrs = Arr(d.Spec?.PodCidrs, c => c),
        };
    }

    public static Pod ToModel(PodDto d)
    {
        var status = d.Status;
        ImmutableArray<string> podIps = Arr(status?.PodIps?.FindAll(p => p.Ip is not null), p => p.Ip!);
        if (podIps.IsEmpty && status?.PodIp is { Length: > 0 } podIp)
        {
            podIps = [podIp];
        }

        var ready = status?.Conditions?.Find(c => c.Type == "Ready");
        return new Pod(Meta(d.Metadata, clusterScoped: false))
        {
            Spec = PodSpec(d.Spec),
            PodIps = podIps,
            HostIp = status?.HostIp,
            Phase = status?.Phase,
            Ready = ready is null ? (status is null ? null : false) : ready.Status == "True",
            Terminating = d.Metadata?.DeletionTimestamp is not null,
        };
    }

    private static PodSpecPorts PodSpec(PodSpecDto? spec)
    {
        if (spec is null)
        {
            return new PodSpecPorts();
        }

        var sidecars = spec.InitContainers?.FindAll(c => c.RestartPolicy == "Always");
        var count = (spec.Containers?.Count ?? 0) + (sidecars?.Count ?? 0);
        var containers = ImmutableArray.CreateBuilder<Container>(count);
        foreach (var c in spec.Containers ?? [])
        {
            containers.Add(Container(c, false));
        }

        foreach (var c in sidecars ?? [])
        {
            containers.Add(Container(c, true));
        }

        return new PodSpecPorts
        {
            HostNetwork = spec.HostNetwork ?? false,
            Containers = containers.MoveToImmutable(),
            NodeName = spec.NodeName,
            NodeSelector = spec.NodeSelector ?? StringMapConverter.Empty,
        };
    }

    private static Container Container(ContainerDto c, bool restartableInit) => new()
    {
        Name = c.Name ?? "",
        IsRestartableInit = restartableInit,
        Ports = Arr(c.Ports, p => new ContainerPort
        {
            Name = p.Name,
            Number = p.ContainerPort ?? 0,
            HostPort = p.HostPort ?? 0,
            HostIp = p.HostIp,
            Protocol = p.Protocol ?? Protocols.Tcp,
        }),
    };

    public static Service ToModel(ServiceDto d)
    {
        var spec = d.Spec;
        ImmutableArray<string> clusterIps = Arr(spec?.ClusterIps, s => s);
        if (clusterIps.IsEmpty && spec?.ClusterIp is { Length: > 0 } clusterIp)
        {
            clusterIps = [clusterIp];
        }

        return new Service(Meta(d.Metadata, clusterScoped: false))
        {
            Type = spec?.Type ?? ServiceTypes.ClusterIp,
            ClusterIps = clusterIps,
            Ports = Arr(spec?.Ports, p => new ServicePort
            {
                Name = p.Name,
                Protocol = p.Protocol ?? Protocols.Tcp,
                Port = p.Port ?? 0,
                TargetPort = p.TargetPort,
                NodePort = p.NodePort is { } np and not 0 ? np : null,
                AppProtocol = p.AppProtocol,
            }),
            Selector = spec?.Selector,
            ExternalIps = Arr(spec?.ExternalIps, s => s),
            ExternalName = spec?.ExternalName,
            ExternalTrafficPolicy = spec?.ExternalTrafficPolicy,
            InternalTrafficPolicy = spec?.InternalTrafficPolicy,
            SessionAffinity = spec?.SessionAffinity,
            SessionAffinityTimeoutSeconds = spec?.SessionAffinityConfig?.ClientIp?.TimeoutSeconds,
            AllocateLoadBalancerNodePorts = spec?.AllocateLoadBalancerNodePorts,
            LoadBalancerSourceRanges = Arr(spec?.LoadBalancerSourceRanges, s => s),
            HealthCheckNodePort = spec?.HealthCheckNodePort,
            PublishNotReadyAddresses = spec?.PublishNotReadyAddresses ?? false,
            LoadBalancerStatus = LoadBalancer(d.Status),
            IpFamilies = Arr(spec?.IpFamilies, f => f),
            IpFamilyPolicy = spec?.IpFamilyPolicy,
            TrafficDistribution = spec?.TrafficDistribution,
            LoadBalancerClass = spec?.LoadBalancerClass,
        };
    }

    private static ImmutableArray<LoadBalancerIngress> LoadBalancer(LoadBalancerHolderDto? status) =>
        Arr(status?.LoadBalancer?.Ingress?.FindAll(i => !string.IsNullOrEmpty(i.Ip) || !string.IsNullOrEmpty(i.Hostname)), i => new LoadBalancerIngress(i.Ip, i.Hostname));

    public static EndpointSlice ToModel(EndpointSliceDto d)
    {
        var meta = Meta(d.Metadata, clusterScoped: false);
        return new EndpointSlice(meta)
        {
            AddressType = d.AddressType ?? "IPv4",
            Ports = Arr(d.Ports, p => new EndpointSlicePort(p.Name, p.Protocol, p.Port, p.AppProtocol)),
            Endpoints = Arr(d.Endpoints, e => new Endpoint
            {
                Addresses = Arr(e.Addresses, a => a),
                Conditions = new EndpointConditions(e.Conditions?.Ready, e.Conditions?.Serving, e.Conditions?.Terminating),
                NodeName = e.NodeName,
                Zone = e.Zone,
                ForZones = Arr(e.Hints?.ForZones?.FindAll(z => !string.IsNullOrEmpty(z.Name)), z => z.Name!),
                ForNodes = Arr(e.Hints?.ForNodes?.FindAll(z => !string.IsNullOrEmpty(z.Name)), z => z.Name!),
                TargetRef = e.TargetRef is { } t ? new ObjectRef(t.Kind ?? "", t.Namespace ?? meta.Namespace, t.Name ?? "") : null,
            }),
        };
    }

    public static Ingress ToModel(IngressDto d)
    {
        var meta = Meta(d.Metadata, clusterScoped: false);
        var spec = d.Spec;
        return new Ingress(meta)
        {
            IngressClassName = spec?.IngressClassName ?? meta.Annotations.GetValueOrDefault("kubernetes.io/ingress.class"),
            DefaultBackend = spec?.DefaultBackend is { } db ? Backend(db, meta.Namespace) : null,
            Rules = Arr(spec?.Rules, r => new IngressRule(r.Host, Arr(r.Http?.Paths, p => new IngressPath(p.Path, p.PathType, Backend(p.Backend, meta.Namespace))))),
            Tls = Arr(spec?.Tls, t => new IngressTls(Arr(t.Hosts, h => h), t.SecretName)),
            LoadBalancerStatus = LoadBalancer(d.Status),
        };
    }

    private static IngressBackend Backend(BackendDto? b, string ns)
    {
        IntOrName? port = b?.Service?.Port switch
        {
            { Name: { } name } => IntOrName.FromName(name),
            { Number: { } number } => IntOrName.FromNumber(number),
            _ => null,
        };
        return new IngressBackend(
            b?.Service is { } s ? new IngressServiceBackend(s.Name ?? "", port) : null,
            b?.Resource is { } r ? new ObjectRef(r.Kind ?? "", ns, r.Name ?? "") : null);
    }

    public static IngressClass ToModel(IngressClassDto d) => new(Meta(d.Metadata, clusterScoped: true))
    {
        Controller = d.Spec?.Controller,
    };

    private static ImmutableArray<TOut> Arr<TIn, TOut>(List<TIn>? items, Func<TIn, TOut> map)
    {
        if (items is null || items.Count == 0)
        {
            return [];
        }

        var b = ImmutableArray.CreateBuilder<TOut>(items.Count);
        foreach (var item in items)
        {
            b.Add(map(item));
        }

        return b.MoveToImmutable();
    }
}
