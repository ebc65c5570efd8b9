namespace PortMapper.TestApiServer;

/// <summary>A REST resource the stand-in serves.</summary>
public sealed record ServedResource(string Group, string Version, string Plural, string Kind, bool Namespaced)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";

    /// <summary>How the API server names the resource in messages: "services", "ingresses.networking.k8s.io".</summary>
    public string Qualified => Group.Length == 0 ? Plural : $"{Plural}.{Group}";

    public static IReadOnlyList<ServedResource> All { get; } =
    [
        new("", "v1", "namespaces", "Namespace", false),
        new("", "v1", "nodes", "Node", false),
        new("", "v1", "pods", "Pod", true),
        new("", "v1", "services", "Service", true),
        new("", "v1", "configmaps", "ConfigMap", true),
        new("discovery.k8s.io", "v1", "endpointslices", "EndpointSlice", true),
        new("networking.k8s.io", "v1", "ingresses", "Ingress", true),
        new("networking.k8s.io", "v1", "ingressclasses", "IngressClass", false),
        new("networking.k8s.io", "v1", "networkpolicies", "NetworkPolicy", true),
        new("networking.k8s.io", "v1", "servicecidrs", "ServiceCIDR", false),
        new("policy.networking.k8s.io", "v1alpha2", "clusternetworkpolicies", "ClusterNetworkPolicy", false),
        new("gateway.networking.k8s.io", "v1", "gatewayclasses", "GatewayClass", false),
        new("gateway.networking.k8s.io", "v1", "gateways", "Gateway", true),
        new("gateway.networking.k8s.io", "v1", "httproutes", "HTTPRoute", true),
        new("gateway.networking.k8s.io", "v1", "grpcroutes", "GRPCRoute", true),
        new("gateway.networking.k8s.io", "v1beta1", "referencegrants", "ReferenceGrant", true),
        new("gateway.networking.k8s.io", "v1alpha2", "tlsroutes", "TLSRoute", true),
        new("gateway.networking.k8s.io", "v1alpha2", "tcproutes", "TCPRoute", true),
        new("apps", "v1", "deployments", "Deployment", true),
        new("apps", "v1", "statefulsets", "StatefulSet", true),
        new("apps", "v1", "daemonsets", "DaemonSet", true),
        new("apps", "v1", "replicasets", "ReplicaSet", true),
        new("batch", "v1", "jobs", "Job", true),
        new("batch", "v1", "cronjobs", "CronJob", true),
    ];

    public static ServedResource ByKind(string kind) =>
        All.FirstOrDefault(r => r.Kind == kind) ?? throw new ArgumentException($"The stand-in API server does not serve kind {kind}.", nameof(kind));

    public static ServedResource? Find(string group, string version, string plural) =>
        All.FirstOrDefault(r => r.Group == group && r.Version == version && r.Plural == plural);
}
