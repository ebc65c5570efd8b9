using System.Collections.Immutable;

namespace PortMapper.Kubernetes.Config;

/// <summary>How to find the cluster. Everything is optional: by default PortMapper looks where kubectl looks.</summary>
public sealed record ConnectionOptions
{
    /// <summary>A kubeconfig file to use instead of KUBECONFIG and ~/.kube/config (a path list like KUBECONFIG works too).</summary>
    public string? KubeconfigPath { get; init; }

    /// <summary>The context to use instead of current-context.</summary>
    public string? Context { get; init; }

    public KubeEnvironment? Environment { get; init; }

    /// <summary>Where the pod's service-account files are mounted.</summary>
    public string InClusterRoot { get; init; } = InClusterConfig.DefaultRoot;

    public TimeProvider? Time { get; init; }

    /// <summary>How often token files (tokenFile, the service-account token) are re-read.</summary>
    public TimeSpan TokenFileRefresh { get; init; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Chooses where the live cluster comes from: an explicit kubeconfig or context first, then the pod's service
/// account when running in a pod, then KUBECONFIG or ~/.kube/config. Null means there is no cluster to connect to,
/// and the caller falls back to the demo cluster.
/// </summary>
public static class ConnectionResolver
{
    /// <exception cref="KubeconfigException">A kubeconfig was found or asked for but cannot be used.</exception>
    public static KubernetesConnection? Resolve(ConnectionOptions? options = null)
    {
        var o = options ?? new ConnectionOptions();
        var env = o.Environment ?? KubeEnvironment.Current;
        if (o.KubeconfigPath is null && o.Context is null && InClusterConfig.IsInCluster(env, o.InClusterRoot))
        {
            return InClusterConfig.Load(env, o.InClusterRoot, o.Time, o.TokenFileRefresh);
        }

        var config = LoadKubeconfig(o, env);
        if (config is null)
        {
            return o.Context is null
                ? null
                : throw new KubeconfigException($"Context \"{o.Context}\" was asked for, but there is no kubeconfig ({string.Join(", ", KubeconfigLoader.DefaultPaths(env))}).");
        }

        return KubeconfigResolver.Resolve(config, o.Context, o.Time, o.TokenFileRefresh);
    }

    /// <summary>The contexts of the kubeconfig PortMapper would read; empty when there is none.</summary>
    public static ImmutableArray<KubeContextInfo> ListContexts(ConnectionOptions? options = null)
    {
        var o = options ?? new ConnectionOptions();
        var config = LoadKubeconfig(o, o.Environment ?? KubeEnvironment.Current);
        return config is null ? [] : KubeconfigResolver.ListContexts(config);
    }

    private static Kubeconfig? LoadKubeconfig(ConnectionOptions o, KubeEnvironment env)
    {
        if (o.KubeconfigPath is { Length: > 0 } explicitPath)
        {
            var paths = explicitPath.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return KubeconfigLoader.LoadMerged(paths)
                   ?? throw new KubeconfigException($"The kubeconfig {explicitPath} does not exist.");
        }

        return KubeconfigLoader.LoadMerged(KubeconfigLoader.DefaultPaths(env));
    }
}
