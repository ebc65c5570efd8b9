using System.Collections.Immutable;
using PortMapper.Kubernetes.Decoding;

namespace PortMapper.Kubernetes.Api;

/// <summary>
/// One REST resource of the Kubernetes API: where it lives (group, version, plural) and whether it is namespaced.
/// The resources PortMapper reads carry a codec that turns their JSON into the Core model.
/// </summary>
public sealed class ResourceType
{
    private ResourceType(string group, string version, string plural, string kind, bool namespaced, ResourceCodec? codec)
    {
        Group = group;
        Version = version;
        Plural = plural;
        Kind = kind;
        Namespaced = namespaced;
        Codec = codec;
    }

    /// <summary>"" for the core group.</summary>
    public string Group { get; }

    public string Version { get; }

    /// <summary>The resource name in URLs and RBAC rules: "pods", "endpointslices".</summary>
    public string Plural { get; }

    public string Kind { get; }

    public bool Namespaced { get; }

    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>"pods" for the core group, "ingresses.networking.k8s.io" otherwise: how kubectl names it.</summary>
    public string QualifiedName => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    internal ResourceCodec? Codec { get; }

    /// <summary>A <c>fieldSelector</c> every list and watch of this resource sends (one named object); null for all.</summary>
    public string? FieldSelector { get; private init; }

    /// <summary>
    /// The namespace this resource is always read in (kube-system for kube-proxy's ConfigMap); null when the source
    /// decides (cluster-wide, or per namespace).
    /// </summary>
    public string? FixedNamespace { get; private init; }

    /// <summary>
    /// Read for extra detail only: when it is forbidden, the feature it feeds quietly does without it, and the header
    /// does not list it among what PortMapper cannot see.
    /// </summary>
    public bool Supplementary { get; private init; }

    public static ResourceType Namespaces { get; } = new("", "v1", "namespaces", "Namespace", false, ResourceCodecs.Namespace);

    public static ResourceType Nodes { get; } = new("", "v1", "nodes", "Node", false, ResourceCodecs.Node);

    public static ResourceType Pods { get; } = new("", "v1", "pods", "Pod", true, ResourceCodecs.Pod);

    public static ResourceType Services { get; } = new("", "v1", "services", "Service", true, ResourceCodecs.Service);

    public static ResourceType EndpointSlices { get; } = new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true, ResourceCodecs.EndpointSlice);

    public static ResourceType Ingresses { get; } = new("networking.k8s.io", "v1", "ingresses", "Ingress", true, ResourceCodecs.Ingress);

    public static ResourceType IngressClasses { get; } = new("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false, ResourceCodecs.IngressClass);

    public static ResourceType NetworkPolicies { get; } = new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true, new ManifestCodec("networking.k8s.io/v1", "NetworkPolicy"));

    /// <summary>The successor of AdminNetworkPolicy/BaselineAdminNetworkPolicy (sigs.k8s.io/network-policy-api), a CRD: watched only where served.</summary>
    public static ResourceType ClusterNetworkPolicies { get; } = new("policy.networking.k8s.io", "v1alpha2", "clusternetworkpolicies", "ClusterNetworkPolicy", false, new ManifestCodec("policy.networking.k8s.io/v1alpha2", "ClusterNetworkPolicy"));

    /// <summary>The Gateway API (v1.3.0): CRDs, watched only where served. ReferenceGrant is still v1beta1 there; TLSRoute and TCPRoute are v1alpha2 (experimental).</summary>
    public static ImmutableArray<ResourceType> GatewayApi { get; } =
    [
        new("gateway.networking.k8s.io", "v1", "gatewayclasses", "GatewayClass", false, new ManifestCodec("gateway.networking.k8s.io/v1", "GatewayClass")),
        new("gateway.networking.k8s.io", "v1", "gateways", "Gateway", true, new ManifestCodec("gateway.networking.k8s.io/v1", "Gateway")),
        new("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", true, new ManifestCodec("gateway.networking.k8s.io/v1", "HTTPRoute")),
        new("gateway.networking.k8s.io", "v1", "grpcroutes", "GRPCRoute", true, new ManifestCodec("gateway.networking.k8s.io/v1", "GRPCRoute")),
        new("gateway.networking.k8s.io", "v1beta1", "referencegrants", "ReferenceGrant", true, new ManifestCodec("gateway.networking.k8s.io/v1beta1", "ReferenceGrant")),

        // The experimental channel's connection routes, served only where its CRDs are installed.
        new("gateway.networking.k8s.io", "v1alpha2", "tlsroutes", "TLSRoute", true, new ManifestCodec("gateway.networking.k8s.io/v1alpha2", "TLSRoute")),
        new("gateway.networking.k8s.io", "v1alpha2", "tcproutes", "TCPRoute", true, new ManifestCodec("gateway.networking.k8s.io/v1alpha2", "TCPRoute")),
    ];

    /// <summary>
    /// kube-proxy's ConfigMaps (kube-system/kube-proxy on kubeadm clusters, kube-proxy-config on EKS), each watched by
    /// name, so that a Role limited to those resourceNames suffices: they tell kube-proxy's mode and cluster CIDR.
    /// </summary>
    public static ImmutableArray<ResourceType> KubeProxyConfigMaps { get; } =
    [
        .. Core.Model.KubeProxyConfig.Names.Select(name => new ResourceType("", "v1", "configmaps", "ConfigMap", true, new ManifestCodec("v1", "ConfigMap"))
        {
            FieldSelector = $"metadata.name={name}",
            FixedNamespace = Core.Model.KubeProxyConfig.Namespace,
            Supplementary = true,
        }),
    ];

    /// <summary>
    /// The ServiceCIDRs (GA in 1.33): which address families the API server allocates cluster IPs in, and the range
    /// kube-proxy's nftables proxier drops unallocated addresses of. Extra detail: forbidden, PortMapper infers the families.
    /// </summary>
    public static ResourceType ServiceCidrs { get; } = new("networking.k8s.io", "v1", "servicecidrs", "ServiceCIDR", false, new ManifestCodec("networking.k8s.io/v1", "ServiceCIDR"))
    {
        Supplementary = true,
    };

    /// <summary>What the live cache lists and watches: everything that decides how traffic flows, pods included.</summary>
    public static ImmutableArray<ResourceType> Watched { get; } = [Namespaces, Nodes, Pods, Services, EndpointSlices, Ingresses, IngressClasses, NetworkPolicies];

    /// <summary>Watched too, but only where discovery says the cluster serves them (CRDs): missing is not an error.</summary>
    public static ImmutableArray<ResourceType> Optional { get; } = [ClusterNetworkPolicies, ServiceCidrs, .. GatewayApi];

    /// <summary>Kinds PortMapper can apply, by kind. Workloads are written but not watched: their pods are.</summary>
    public static ImmutableDictionary<string, ResourceType> Applicable { get; } = new[]
    {
        Namespaces, Pods, Services, EndpointSlices, Ingresses, IngressClasses,
        new ResourceType("apps", "v1", "deployments", "Deployment", true, null),
        new ResourceType("apps", "v1", "statefulsets", "StatefulSet", true, null),
        new ResourceType("apps", "v1", "daemonsets", "DaemonSet", true, null),
        new ResourceType("apps", "v1", "replicasets", "ReplicaSet", true, null),
        new ResourceType("batch", "v1", "jobs", "Job", true, null),
        new ResourceType("batch", "v1", "cronjobs", "CronJob", true, null),
        new ResourceType("", "v1", "configmaps", "ConfigMap", true, null),
        NetworkPolicies,
    }.ToImmutableDictionary(r => r.Kind, StringComparer.Ordinal);

    /// <summary>The collection URL: /api/v1/pods, /api/v1/namespaces/demo/pods, /apis/networking.k8s.io/v1/ingresses.</summary>
    public string CollectionPath(string? ns) => CollectionPath(ApiVersion, ns);

    /// <summary>The collection URL for another version of the same resource (apply sends what the manifest says).</summary>
    public string CollectionPath(string apiVersion, string? ns)
    {
        var root = apiVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{apiVersion}" : $"/api/{apiVersion}";
        return Namespaced && !string.IsNullOrEmpty(ns)
            ? $"{root}/namespaces/{Uri.EscapeDataString(ns)}/{Plural}"
            : $"{root}/{Plural}";
    }

    public string ObjectPath(string? ns, string name) => $"{CollectionPath(ns)}/{Uri.EscapeDataString(name)}";

    public override string ToString() => QualifiedName;
}
