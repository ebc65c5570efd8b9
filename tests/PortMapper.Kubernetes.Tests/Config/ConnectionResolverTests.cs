using PortMapper.Core.Cluster;
using PortMapper.Kubernetes.Api;
using PortMapper.Kubernetes.Config;
using PortMapper.Kubernetes.Tests.Support;
using PortMapper.TestApiServer;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Config;

public class ConnectionResolverTests
{
    private const string Kubeconfig = """
        apiVersion: v1
        clusters: [{name: c, cluster: {server: "https://from-kubeconfig:6443", insecure-skip-tls-verify: true}}]
        users: [{name: u, user: {token: abc}}]
        contexts: [{name: laptop, context: {cluster: c, user: u, namespace: team}}, {name: other, context: {cluster: c, user: u}}]
        current-context: laptop
        """;

    private static (TempDir Dir, string Root) PodFiles(string? caPem = null, string token = "pod-token", string ns = "portmapper")
    {
        var dir = new TempDir();
        var root = Path.Combine(dir.Path, "serviceaccount");
        dir.Write("serviceaccount/token", token);
        dir.Write("serviceaccount/namespace", ns);
        if (caPem is not null)
        {
            dir.Write("serviceaccount/ca.crt", caPem);
        }

        return (dir, root);
    }

    [Fact]
    public void Resolve_InAPod_ChoosesInClusterOverTheHomeKubeconfig()
    {
        var (dir, root) = PodFiles();
        using var _ = dir;
        dir.Write(".kube/config", Kubeconfig);
        var env = KubeEnvironment.From(new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" }, dir.Path);

        var connection = ConnectionResolver.Resolve(new ConnectionOptions { Environment = env, InClusterRoot = root })!;

        Assert.Equal(ClusterSourceKind.InCluster, connection.Kind);
        Assert.Equal("https://10.96.0.1/", connection.Server.ToString());
        Assert.Equal("portmapper", connection.Namespace);
        Assert.Equal(new ClusterSourceInfo(ClusterSourceKind.InCluster, "in-cluster", null, "https://10.96.0.1"), connection.Info);
    }

    [Fact]
    public void Resolve_InAPodWithExplicitKubeconfig_UsesTheKubeconfig()
    {
        var (dir, root) = PodFiles();
        using var _ = dir;
        var path = dir.Write("explicit.yaml", Kubeconfig);
        var env = KubeEnvironment.From(new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "10.96.0.1", ["KUBERNETES_SERVICE_PORT"] = "443" }, dir.Path);

        var connection = ConnectionResolver.Resolve(new ConnectionOptions { KubeconfigPath = path, Environment = env, InClusterRoot = root })!;

        Assert.Equal((ClusterSourceKind.Kubeconfig, "laptop", "team"), (connection.Kind, connection.ContextName, connection.Namespace));
    }

    [Fact]
    public void Resolve_InClusterIpv6Host_BracketsTheAddress()
    {
        var (dir, root) = PodFiles();
        using var _ = dir;
        var env = KubeEnvironment.From(new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "fd00::1", ["KUBERNETES_SERVICE_PORT"] = "443" }, dir.Path);

        Assert.Equal("https://[fd00::1]/", ConnectionResolver.Resolve(new ConnectionOptions { Environment = env, InClusterRoot = root })!.Server.ToString());
    }

    [Fact]
    public void Resolve_KubeconfigVariable_IsUsedWhenNotInAPod()
    {
        using var dir = new TempDir();
        var path = dir.Write("cfg", Kubeconfig);
        var env = KubeEnvironment.From(new Dictionary<string, string> { ["KUBECONFIG"] = path }, dir.Path);

        var connection = ConnectionResolver.Resolve(new ConnectionOptions { Environment = env, Context = "other", InClusterRoot = Path.Combine(dir.Path, "none") })!;

        Assert.Equal(("other", "default"), (connection.ContextName, connection.Namespace));
    }

    [Fact]
    public void Resolve_NothingFound_ReturnsNullForTheDemoCluster()
    {
        using var dir = new TempDir();
        var env = KubeEnvironment.From(new Dictionary<string, string>(), dir.Path);

        Assert.Null(ConnectionResolver.Resolve(new ConnectionOptions { Environment = env, InClusterRoot = Path.Combine(dir.Path, "none") }));
        Assert.Empty(ConnectionResolver.ListContexts(new ConnectionOptions { Environment = env }));
    }

    [Fact]
    public void Resolve_ContextAskedForWithoutKubeconfig_Throws()
    {
        using var dir = new TempDir();
        var env = KubeEnvironment.From(new Dictionary<string, string>(), dir.Path);

        var e = Assert.Throws<KubeconfigException>(() => ConnectionResolver.Resolve(new ConnectionOptions { Environment = env, Context = "prod", InClusterRoot = dir.Path }));

        Assert.Contains("\"prod\"", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ExplicitKubeconfigMissing_SaysSo()
    {
        var e = Assert.Throws<KubeconfigException>(() => ConnectionResolver.Resolve(new ConnectionOptions { KubeconfigPath = "/nonexistent/kubeconfig" }));

        Assert.Contains("/nonexistent/kubeconfig does not exist", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListContexts_HomeKubeconfig_ListsEveryContext()
    {
        using var dir = new TempDir();
        dir.Write(".kube/config", Kubeconfig);

        var contexts = ConnectionResolver.ListContexts(new ConnectionOptions { Environment = KubeEnvironment.From(new Dictionary<string, string>(), dir.Path) });

        Assert.Equal(["laptop", "other"], contexts.Select(c => c.Name));
        Assert.True(contexts[0].IsCurrent);
    }

    [Fact]
    public async Task InCluster_TokenRotated_NextRequestUsesTheNewToken()
    {
        await using var server = await ApiServer.StartAsync();
        server.Access.AddToken("first-token", "system:serviceaccount:portmapper:portmapper", "system:masters");
        var (dir, root) = PodFiles(server.CaPem, "first-token");
        using var _ = dir;
        var env = KubeEnvironment.From(new Dictionary<string, string> { ["KUBERNETES_SERVICE_HOST"] = "127.0.0.1", ["KUBERNETES_SERVICE_PORT"] = server.BaseAddress.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) }, dir.Path);
        var connection = ConnectionResolver.Resolve(new ConnectionOptions { Environment = env, InClusterRoot = root })!;
        using var client = new KubernetesApiClient(connection);
        await client.ListAsync(ResourceType.Namespaces, null, CancellationToken.None);

        // The kubelet rotates the projected token; the old one stops working.
        server.Access.RemoveToken("first-token");
        server.Access.AddToken("second-token", "system:serviceaccount:portmapper:portmapper", "system:masters");
        File.WriteAllText(Path.Combine(root, "token"), "second-token");
        var list = await client.ListAsync(ResourceType.Namespaces, null, CancellationToken.None);

        Assert.Empty(list.Items);
        Assert.Equal(["system:serviceaccount:portmapper:portmapper", null, "system:serviceaccount:portmapper:portmapper"], server.Requests.Select(r => r.User));
    }
}
