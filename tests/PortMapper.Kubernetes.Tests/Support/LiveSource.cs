using PortMapper.Core.Model;
using PortMapper.Kubernetes.Api;
using PortMapper.Kubernetes.Config;
using PortMapper.Kubernetes.Informers;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Support;

/// <summary>Clients and live sources wired to a test API server, with timings shrunk so faults heal quickly.</summary>
public static class LiveSource
{
    public static KubernetesSourceOptions Fast { get; } = new()
    {
        BatchWindow = TimeSpan.FromMilliseconds(20),
        Informer = new InformerOptions
        {
            InitialBackoff = TimeSpan.FromMilliseconds(20),
            MaxBackoff = TimeSpan.FromMilliseconds(250),
            WatchTimeout = TimeSpan.FromSeconds(5),
            WatchIdleTimeout = TimeSpan.FromSeconds(1),
            ForbiddenRetry = TimeSpan.FromMilliseconds(500),
            JitterSeed = 7,
        },
        Client = new KubernetesClientOptions { RequestTimeout = TimeSpan.FromSeconds(10), PageSize = 5 },
    };

    public static KubernetesConnection Connection(ApiServer server, string token, string? ns = null) =>
        KubeconfigResolver.Resolve(KubeconfigLoader.Parse(server.Kubeconfig(token, ns), Path.Combine(Path.GetTempPath(), "kubeconfig")));

    public static KubernetesClusterSource For(ApiServer server, string token, KubernetesSourceOptions? options = null, string? ns = null, Microsoft.Extensions.Logging.ILoggerFactory? logs = null) =>
        new(Connection(server, token, ns), options ?? Fast, logs);

    /// <summary>What the server holds, as kind/namespace/name@resourceVersion lines.</summary>
    public static List<string> StateOf(ApiServer server) =>
        ResourceType.Watched
            .SelectMany(r => server.Store.List(r.Kind).Select(o =>
                $"{r.Kind}/{(string?)o["metadata"]!["namespace"] ?? ""}/{(string?)o["metadata"]!["name"]}@{(string?)o["metadata"]!["resourceVersion"]}"))
            .Order(StringComparer.Ordinal)
            .ToList();

    /// <summary>What a snapshot holds, in the same form.</summary>
    public static List<string> StateOf(ClusterSnapshot snapshot) =>
        snapshot.AllObjects()
            .Select(o => $"{o.Kind}/{o.Metadata.Namespace}/{o.Metadata.Name}@{o.Metadata.ResourceVersion}")
            .Order(StringComparer.Ordinal)
            .ToList();
}
