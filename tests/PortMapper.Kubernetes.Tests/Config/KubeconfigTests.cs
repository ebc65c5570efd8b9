using PortMapper.Core.Cluster;
using PortMapper.Kubernetes.Auth;
using PortMapper.Kubernetes.Config;
using PortMapper.Kubernetes.Tests.Support;
using PortMapper.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Config;

public class KubeconfigTests
{
    private static string Config(string server, string context, string? current, string? ns = null) => $$"""
        apiVersion: v1
        kind: Config
        clusters:
        - name: {{context}}-cluster
          cluster:
            server: {{server}}
        users:
        - name: {{context}}-user
          user:
            token: token-of-{{context}}
        contexts:
        - name: {{context}}
          context:
            cluster: {{context}}-cluster
            user: {{context}}-user
        {{(ns is null ? "" : $"    namespace: {ns}")}}
        {{(current is null ? "" : $"current-context: {current}")}}
        """;

    [Fact]
    public void Merge_SameNameInTwoFiles_FirstFileWins()
    {
        var first = KubeconfigLoader.Parse(Config("https://first:6443", "dev", null), "/home/u/.kube/first");
        var second = KubeconfigLoader.Parse(Config("https://second:6443", "dev", "dev"), "/home/u/.kube/second");

        var merged = Kubeconfig.Merge([first, second]);

        Assert.Equal("https://first:6443", Assert.Single(merged.Clusters).Value.Server);
        Assert.Equal("/home/u/.kube/first", Assert.Single(merged.Contexts).SourceFile);
        Assert.Equal("dev", merged.CurrentContext);
    }

    [Fact]
    public void Merge_CurrentContext_ComesFromFirstFileThatSetsOne()
    {
        var a = KubeconfigLoader.Parse(Config("https://a:6443", "a", null), "/a");
        var b = KubeconfigLoader.Parse(Config("https://b:6443", "b", "b"), "/b");
        var c = KubeconfigLoader.Parse(Config("https://c:6443", "c", "c"), "/c");

        var merged = Kubeconfig.Merge([a, b, c]);

        Assert.Equal("b", merged.CurrentContext);
        Assert.Equal(["a", "b", "c"], merged.Contexts.Select(x => x.Name));
    }

    [Fact]
    public void DefaultPaths_KubeconfigList_SplitsOnPathSeparatorAndSkipsEmptyEntries()
    {
        var env = KubeEnvironment.From(new Dictionary<string, string> { ["KUBECONFIG"] = $"/x/one{Path.PathSeparator}{Path.PathSeparator}/x/two" }, "/home/u");

        Assert.Equal(["/x/one", "/x/two"], KubeconfigLoader.DefaultPaths(env).ToArray());
    }

    [Fact]
    public void DefaultPaths_NoKubeconfigVariable_UsesHomeKubeConfig()
    {
        var env = KubeEnvironment.From(new Dictionary<string, string>(), "/home/u");

        Assert.Equal([Path.Combine("/home/u", ".kube", "config")], KubeconfigLoader.DefaultPaths(env).ToArray());
    }

    [Fact]
    public void LoadMerged_MissingFileInList_IsSkipped()
    {
        using var dir = new TempDir();
        var present = dir.Write("config", Config("https://present:6443", "p", "p"));

        var merged = KubeconfigLoader.LoadMerged([Path.Combine(dir.Path, "missing"), present]);

        Assert.Equal("p", merged!.CurrentContext);
        Assert.Null(KubeconfigLoader.LoadMerged([Path.Combine(dir.Path, "missing")]));
    }

    [Fact]
    public void Resolve_RelativePaths_ResolveAgainstTheFileThatNamesThem()
    {
        using var dir = new TempDir();
        using var pki = TestPki.Create();
        dir.Write("elsewhere/certs/ca.crt", pki.CaPem);
        var file = dir.Write("elsewhere/config", """
            apiVersion: v1
            clusters:
            - name: c
              cluster:
                server: https://10.0.0.1:6443
                certificate-authority: certs/ca.crt
            users:
            - name: u
              user:
                tokenFile: secrets/token
            contexts:
            - name: ctx
              context: {cluster: c, user: u}
            current-context: ctx
            """);

        var connection = KubeconfigResolver.Resolve(KubeconfigLoader.LoadFile(file));

        Assert.Equal(Path.Combine(dir.Path, "elsewhere", "secrets", "token"), Assert.IsType<PortMapper.Kubernetes.Auth.TokenFileProvider>(connection.Credentials).Path);
        Assert.Single(connection.CertificateAuthorities!);
    }

    [Fact]
    public void Resolve_ContextWithoutNamespace_UsesDefault()
    {
        var config = KubeconfigLoader.Parse(Config("https://a:6443", "a", "a"), "/a");

        Assert.Equal("default", KubeconfigResolver.Resolve(config).Namespace);
    }

    [Fact]
    public void Resolve_ExplicitContext_OverridesCurrentContextAndKeepsItsNamespace()
    {
        var merged = Kubeconfig.Merge([
            KubeconfigLoader.Parse(Config("https://a:6443", "a", "a"), "/a"),
            KubeconfigLoader.Parse(Config("https://b:6443", "b", null, ns: "team-b"), "/b")]);

        var connection = KubeconfigResolver.Resolve(merged, "b");

        Assert.Equal(("b", "team-b", "https://b:6443"), (connection.ContextName, connection.Namespace, connection.DisplayServer));
        Assert.Equal(new ClusterSourceInfo(ClusterSourceKind.Kubeconfig, "b", "b", "https://b:6443"), connection.Info);
    }

    [Fact]
    public void Resolve_UnknownContext_SaysWhichContextsExist()
    {
        var config = KubeconfigLoader.Parse(Config("https://a:6443", "kind-dev", "kind-dev"), "/home/u/.kube/config");

        var e = Assert.Throws<KubeconfigException>(() => KubeconfigResolver.Resolve(config, "prod"));

        Assert.Contains("no context \"prod\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("kind-dev", e.Message, StringComparison.Ordinal);
        Assert.Contains("/home/u/.kube/config", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_NoCurrentContext_AsksToPickOne()
    {
        var config = KubeconfigLoader.Parse(Config("https://a:6443", "a", null), "/a");

        var e = Assert.Throws<KubeconfigException>(() => KubeconfigResolver.Resolve(config));

        Assert.Contains("use-context", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_OidcAuthProviderWithoutRefreshToken_NamesTheUserAndTheMissingKey()
    {
        var config = KubeconfigLoader.Parse("""
            clusters: [{name: c, cluster: {server: "https://sso:443"}}]
            users: [{name: dana, user: {auth-provider: {name: oidc, config: {idp-issuer-url: "https://idp.example.com", client-id: k8s}}}}]
            contexts: [{name: x, context: {cluster: c, user: dana}}]
            current-context: x
            """, "/k");

        var e = Assert.Throws<KubeconfigException>(() => KubeconfigResolver.Resolve(config));

        Assert.Contains("User \"dana\" (/k)", e.Message, StringComparison.Ordinal);
        Assert.Contains("without refresh-token", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_OidcAuthProvider_IsATokenProviderAndNoSecretInItsDescription()
    {
        var config = KubeconfigLoader.Parse("""
            clusters: [{name: c, cluster: {server: "https://sso:443"}}]
            users: [{name: dana, user: {auth-provider: {name: oidc, config: {idp-issuer-url: "https://idp.example.com", client-id: k8s, client-secret: hush, refresh-token: r-secret}}}}]
            contexts: [{name: x, context: {cluster: c, user: dana}}]
            current-context: x
            """, "/k");

        var connection = KubeconfigResolver.Resolve(config);

        Assert.IsType<OidcAuthProvider>(connection.TokenProvider);
        Assert.DoesNotContain("r-secret", connection.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("hush", connection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_AuthProvider_IsRefusedWithTheExecAlternative()
    {
        var config = KubeconfigLoader.Parse("""
            clusters: [{name: c, cluster: {server: "https://gke:443"}}]
            users: [{name: u, user: {auth-provider: {name: gcp}}}]
            contexts: [{name: x, context: {cluster: c, user: u}}]
            current-context: x
            """, "/k");

        var e = Assert.Throws<KubeconfigException>(() => KubeconfigResolver.Resolve(config));

        Assert.Contains("auth-provider \"gcp\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("exec credential plugin", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Resolve_ServerWithoutScheme_AssumesHttps()
    {
        var config = KubeconfigLoader.Parse(Config("10.0.0.1:6443", "a", "a"), "/a");

        Assert.Equal("https://10.0.0.1:6443/", KubeconfigResolver.Resolve(config).Server.ToString());
    }

    [Fact]
    public void Parse_JsonKubeconfigWithNumericToken_ReadsTheTokenAsText()
    {
        var config = KubeconfigLoader.Parse("""
            {"clusters":[{"name":"c","cluster":{"server":"https://a:6443","insecure-skip-tls-verify":true}}],
             "users":[{"name":"u","user":{"token":12345}}],
             "contexts":[{"name":"x","context":{"cluster":"c","user":"u"}}],"current-context":"x"}
            """, "/json");

        Assert.Equal("12345", config.Users[0].Value.Token);
        Assert.True(config.Clusters[0].Value.InsecureSkipTlsVerify);
    }

    [Fact]
    public void Parse_EmptyFile_IsAnEmptyConfig()
    {
        var config = KubeconfigLoader.Parse("", "/empty");

        Assert.Empty(config.Contexts);
        Assert.Equal(["/empty"], config.Files.ToArray());
    }

    [Fact]
    public void Parse_MalformedYaml_NamesTheFileAndLine()
    {
        var e = Assert.Throws<KubeconfigException>(() => KubeconfigLoader.Parse("clusters:\n  - name: [unclosed\n", "/bad/config"));

        Assert.Contains("/bad/config", e.Message, StringComparison.Ordinal);
        Assert.Contains("line", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ListContexts_MergedConfig_MarksTheCurrentOneAndShowsServers()
    {
        var merged = Kubeconfig.Merge([
            KubeconfigLoader.Parse(Config("https://a:6443", "a", null), "/a"),
            KubeconfigLoader.Parse(Config("https://b:6443", "b", "b", ns: "team-b"), "/b")]);

        var contexts = KubeconfigResolver.ListContexts(merged);

        Assert.Equal(
            [new KubeContextInfo("a", "a-cluster", "a-user", null, "https://a:6443", false), new KubeContextInfo("b", "b-cluster", "b-user", "team-b", "https://b:6443", true)],
            contexts.ToArray());
    }
}
