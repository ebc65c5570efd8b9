namespace PortMapper.Core.Model;

/// <summary>
/// kube-proxy's configuration as the cluster stores it: the ConfigMap kube-system/kube-proxy (kubeadm, key
/// <c>config.conf</c>) or kube-system/kube-proxy-config (EKS, key <c>config</c>), a KubeProxyConfiguration document.
/// Only what changes the rules is kept; every other ConfigMap is not read.
/// </summary>
public sealed record KubeProxyConfig(ObjectMeta Metadata) : IKubeObject
{
    public const string Namespace = "kube-system";

    /// <summary>The ConfigMap names that hold kube-proxy's configuration, by distribution.</summary>
    public static readonly string[] Names = ["kube-proxy", "kube-proxy-config"];

    /// <summary>The data keys that hold the KubeProxyConfiguration, in the order kube-proxy's deployments use them.</summary>
    public static readonly string[] Keys = ["config.conf", "config"];

    public string Kind => "ConfigMap";

    /// <summary>The data key the configuration was read from; null when the ConfigMap has none of <see cref="Keys"/>.</summary>
    public string? DataKey { get; init; }

    /// <summary>
    /// <c>mode:</c> as written: "" (or absent) means kube-proxy's default, iptables on Linux. Null when the
    /// configuration could not be read (see <see cref="Problem"/>).
    /// </summary>
    public string? Mode { get; init; }

    /// <summary><c>clusterCIDR:</c>, the pod network kube-proxy's local-traffic detector uses; null when unset.</summary>
    public string? ClusterCidr { get; init; }

    /// <summary>Why the configuration could not be read: no known key, or YAML that does not parse.</summary>
    public string? Problem { get; init; }

    /// <summary>The snapshot's kube-proxy configuration: the first of <see cref="Names"/> present, or null.</summary>
    public static KubeProxyConfig? Of(ClusterSnapshot snapshot) =>
        Names.Select(n => snapshot.KubeProxyConfigs.GetValueOrDefault(new ObjectKey(Namespace, n))).FirstOrDefault(c => c is not null);

    public static bool IsKubeProxyConfigMap(string? ns, string? name) =>
        ns == Namespace && name is not null && Names.Contains(name, StringComparer.Ordinal);
}

/// <summary>
/// A networking.k8s.io/v1 ServiceCIDR (GA in Kubernetes 1.33): a range the API server allocates cluster IPs from. The
/// one named <see cref="DefaultName"/> is written by the API server from its <c>--service-cluster-ip-range</c>: its
/// cidrs, primary first, are the address families the cluster serves Services in.
/// </summary>
public sealed record ServiceCidr(ObjectMeta Metadata) : IKubeObject
{
    public const string DefaultName = "kubernetes";

    public string Kind => "ServiceCIDR";

    /// <summary>spec.cidrs: at most one range per family.</summary>
    public System.Collections.Immutable.ImmutableArray<string> Cidrs { get; init; } = [];
}
