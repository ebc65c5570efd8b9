using System.Collections.Immutable;
using PortMapper.Kubernetes.Api;
using PortMapper.Kubernetes.Config;
using PortMapper.Kubernetes.Informers;

namespace PortMapper.Kubernetes;

/// <summary>Everything a <see cref="KubernetesClusterSource"/> can be told. Only <see cref="Connection"/> matters for most users.</summary>
public sealed record KubernetesSourceOptions
{
    /// <summary>Which kubeconfig and context (or the pod's service account) to use.</summary>
    public ConnectionOptions Connection { get; init; } = new();

    /// <summary>
    /// Where to look when a cluster-wide list is forbidden. Empty means the context's namespace (the pod's own
    /// in-cluster).
    /// </summary>
    public ImmutableArray<string> Namespaces { get; init; } = [];

    /// <summary>False (the default) makes the source read-only: every apply is refused.</summary>
    public bool AllowApply { get; init; }

    /// <summary>How long changes are gathered before subscribers see them as one batch.</summary>
    public TimeSpan BatchWindow { get; init; } = TimeSpan.FromMilliseconds(100);

    public InformerOptions Informer { get; init; } = new();

    public KubernetesClientOptions Client { get; init; } = new();

    public TimeProvider Time { get; init; } = TimeProvider.System;
}
