using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PortMapper.Core.Model;

namespace PortMapper.Kubernetes.Decoding;

// Wire shapes of the fields PortMapper reads. Everything not declared here (managedFields, volumes, container
// statuses, node images...) is skipped by the reader without being materialised: that is what makes lists fast.
// Property names follow the API's JSON through the context's camelCase policy; explicit names mark the exceptions.
#pragma warning disable CA1812 // instantiated by the source-generated serializer

internal sealed class ListMetaDto
{
    public string? ResourceVersion { get; set; }

    public string? Continue { get; set; }

    public long? RemainingItemCount { get; set; }
}

internal sealed class KubeListDto<T>
{
    public ListMetaDto? Metadata { get; set; }

    public List<T>? Items { get; set; }
}

internal sealed class OwnerReferenceDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Kind { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? Name { get; set; }

    public string? Uid { get; set; }

    public bool? Controller { get; set; }
}

internal sealed class ObjectMetaDto
{
    public string? Name { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? GenerateName { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? Namespace { get; set; }

    public string? Uid { get; set; }

    public string? ResourceVersion { get; set; }

    public string? CreationTimestamp { get; set; }

    public string? DeletionTimestamp { get; set; }

    [JsonConverter(typeof(StringMapConverter))]
    public ImmutableDictionary<string, string>? Labels { get; set; }

    [JsonConverter(typeof(AnnotationsConverter))]
    public ImmutableDictionary<string, string>? Annotations { get; set; }

    public List<OwnerReferenceDto>? OwnerReferences { get; set; }
}

/// <summary>Just enough of any object to read its resourceVersion (BOOKMARK events).</summary>
internal sealed class PartialObjectDto
{
    public ObjectMetaDto? Metadata { get; set; }
}

internal sealed class NamespaceDto
{
    public ObjectMetaDto? Metadata { get; set; }
}

internal sealed class ConditionDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Type { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? Status { get; set; }
}

internal sealed class NodeAddressDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Type { get; set; }

    public string? Address { get; set; }
}

internal sealed class NodeSpecDto
{
    [JsonPropertyName("podCIDR")]
    public string? PodCidr { get; set; }

    [JsonPropertyName("podCIDRs")]
    public List<string>? PodCidrs { get; set; }

    public bool? Unschedulable { get; set; }
}

internal sealed class NodeStatusDto
{
    public List<NodeAddressDto>? Addresses { get; set; }

    public List<ConditionDto>? Conditions { get; set; }
}

internal sealed class NodeDto
{
    public ObjectMetaDto? Metadata { get; set; }

    public NodeSpecDto? Spec { get; set; }

    public NodeStatusDto? Status { get; set; }
}

internal sealed class ContainerPortDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Name { get; set; }

    public int? ContainerPort { get; set; }

    public int? HostPort { get; set; }

    [JsonPropertyName("hostIP")]
    [JsonConverter(typeof(PooledStringConverter))]
    public string? HostIp { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? Protocol { get; set; }
}

internal sealed class ContainerDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Name { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? RestartPolicy { get; set; }

    public List<ContainerPortDto>? Ports { get; set; }
}

internal sealed class PodSpecDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? NodeName { get; set; }

    public bool? HostNetwork { get; set; }

    public List<ContainerDto>? Containers { get; set; }

    public List<ContainerDto>? InitContainers { get; set; }

    [JsonConverter(typeof(StringMapConverter))]
    public ImmutableDictionary<string, string>? NodeSelector { get; set; }
}

internal sealed class PodIpDto
{
    public string? Ip { get; set; }
}

internal sealed class PodStatusDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Phase { get; set; }

    [JsonPropertyName("podIP")]
    public string? PodIp { get; set; }

    [JsonPropertyName("podIPs")]
    public List<PodIpDto>? PodIps { get; set; }

    [JsonPropertyName("hostIP")]
    [JsonConverter(typeof(PooledStringConverter))]
    public string? HostIp { get; set; }

    public List<ConditionDto>? Conditions { get; set; }
}

internal sealed class PodDto
{
    public ObjectMetaDto? Metadata { get; set; }

    public PodSpecDto? Spec { get; set; }

    public PodStatusDto? Status { get; set; }
}

internal sealed class ServicePortDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Name { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? Protocol { get; set; }

    public int? Port { get; set; }

    [JsonConverter(typeof(IntOrNameConverter))]
    public IntOrName? TargetPort { get; set; }

    public int? NodePort { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? AppProtocol { get; set; }
}

internal sealed class ClientIpConfigDto
{
    public int? TimeoutSeconds { get; set; }
}

internal sealed class SessionAffinityConfigDto
{
    [JsonPropertyName("clientIP")]
    public ClientIpConfigDto? ClientIp { get; set; }
}

internal sealed class ServiceSpecDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Type { get; set; }

    [JsonPropertyName("clusterIP")]
    public string? ClusterIp { get; set; }

    [JsonPropertyName("clusterIPs")]
    public List<string>? ClusterIps { get; set; }

    public List<ServicePortDto>? Ports { get; set; }

    [JsonConverter(typeof(StringMapConverter))]
    public ImmutableDictionary<string, string>? Selector { get; set; }

    [JsonPropertyName("externalIPs")]
    public List<string>? ExternalIps { get; set; }

    public string? ExternalName { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? ExternalTrafficPolicy { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? InternalTrafficPolicy { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? SessionAffinity { get; set; }

    public SessionAffinityConfigDto? SessionAffinityConfig { get; set; }

    public bool? AllocateLoadBalancerNodePorts { get; set; }

    public List<string>? LoadBalancerSourceRanges { get; set; }

    public int? HealthCheckNodePort { get; set; }

    public bool? PublishNotReadyAddresses { get; set; }

    public List<string>? IpFamilies { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? IpFamilyPolicy { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? TrafficDistribution { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? LoadBalancerClass { get; set; }
}

internal sealed class LoadBalancerIngressDto
{
    public string? Ip { get; set; }

    public string? Hostname { get; set; }
}

internal sealed class LoadBalancerStatusDto
{
    public List<LoadBalancerIngressDto>? Ingress { get; set; }
}

internal sealed class LoadBalancerHolderDto
{
    public LoadBalancerStatusDto? LoadBalancer { get; set; }
}

internal sealed class ServiceDto
{
    public ObjectMetaDto? Metadata { get; set; }

    public ServiceSpecDto? Spec { get; set; }

    public LoadBalancerHolderDto? Status { get; set; }
}

internal sealed class EndpointPortDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Name { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? Protocol { get; set; }

    public int? Port { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? AppProtocol { get; set; }
}

internal sealed class EndpointConditionsDto
{
    public bool? Ready { get; set; }

    public bool? Serving { get; set; }

    public bool? Terminating { get; set; }
}

internal sealed class TargetRefDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Kind { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? Namespace { get; set; }

    public string? Name { get; set; }
}

internal sealed class EndpointDto
{
    public List<string>? Addresses { get; set; }

    public EndpointConditionsDto? Conditions { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? NodeName { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? Zone { get; set; }

    public EndpointHintsDto? Hints { get; set; }

    public TargetRefDto? TargetRef { get; set; }
}

internal sealed class EndpointHintsDto
{
    public List<HintNameDto>? ForZones { get; set; }

    public List<HintNameDto>? ForNodes { get; set; }
}

internal sealed class HintNameDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Name { get; set; }
}

internal sealed class EndpointSliceDto
{
    public ObjectMetaDto? Metadata { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? AddressType { get; set; }

    public List<EndpointPortDto>? Ports { get; set; }

    public List<EndpointDto>? Endpoints { get; set; }
}

internal sealed class BackendPortDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Name { get; set; }

    public int? Number { get; set; }
}

internal sealed class ServiceBackendDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Name { get; set; }

    public BackendPortDto? Port { get; set; }
}

internal sealed class ResourceBackendDto
{
    public string? Kind { get; set; }

    public string? Name { get; set; }
}

internal sealed class BackendDto
{
    public ServiceBackendDto? Service { get; set; }

    public ResourceBackendDto? Resource { get; set; }
}

internal sealed class IngressPathDto
{
    public string? Path { get; set; }

    [JsonConverter(typeof(PooledStringConverter))]
    public string? PathType { get; set; }

    public BackendDto? Backend { get; set; }
}

internal sealed class HttpRuleDto
{
    public List<IngressPathDto>? Paths { get; set; }
}

internal sealed class IngressRuleDto
{
    public string? Host { get; set; }

    public HttpRuleDto? Http { get; set; }
}

internal sealed class IngressTlsDto
{
    public List<string>? Hosts { get; set; }

    public string? SecretName { get; set; }
}

internal sealed class IngressSpecDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? IngressClassName { get; set; }

    public BackendDto? DefaultBackend { get; set; }

    public List<IngressRuleDto>? Rules { get; set; }

    public List<IngressTlsDto>? Tls { get; set; }
}

internal sealed class IngressDto
{
    public ObjectMetaDto? Metadata { get; set; }

    public IngressSpecDto? Spec { get; set; }

    public LoadBalancerHolderDto? Status { get; set; }
}

internal sealed class IngressClassSpecDto
{
    [JsonConverter(typeof(PooledStringConverter))]
    public string? Controller { get; set; }
}

internal sealed class IngressClassDto
{
    public ObjectMetaDto? Metadata { get; set; }

    public IngressClassSpecDto? Spec { get; set; }
}

internal sealed class StatusCauseDto
{
    public string? Reason { get; set; }

    public string? Message { get; set; }

    public string? Field { get; set; }
}

internal sealed class StatusDetailsDto
{
    public string? Name { get; set; }

    public string? Group { get; set; }

    public string? Kind { get; set; }

    public List<StatusCauseDto>? Causes { get; set; }

    public int? RetryAfterSeconds { get; set; }
}

internal sealed class StatusDto
{
    public string? Kind { get; set; }

    public string? Status { get; set; }

    public string? Message { get; set; }

    public string? Reason { get; set; }

    public StatusDetailsDto? Details { get; set; }

    public int? Code { get; set; }
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(StatusDto))]
[JsonSerializable(typeof(PartialObjectDto))]
[JsonSerializable(typeof(NamespaceDto))]
[JsonSerializable(typeof(KubeListDto<NamespaceDto>))]
[JsonSerializable(typeof(NodeDto))]
[JsonSerializable(typeof(KubeListDto<NodeDto>))]
[JsonSerializable(typeof(PodDto))]
[JsonSerializable(typeof(KubeListDto<PodDto>))]
[JsonSerializable(typeof(ServiceDto))]
[JsonSerializable(typeof(KubeListDto<ServiceDto>))]
[JsonSerializable(typeof(EndpointSliceDto))]
[JsonSerializable(typeof(KubeListDto<EndpointSliceDto>))]
[JsonSerializable(typeof(IngressDto))]
[JsonSerializable(typeof(KubeListDto<IngressDto>))]
[JsonSerializable(typeof(IngressClassDto))]
[JsonSerializable(typeof(KubeListDto<IngressClassDto>))]
internal sealed partial class KubeJsonContext : JsonSerializerContext;
