using PortMapper.Kubernetes.Api;
using PortMapper.Kubernetes.Auth;
using PortMapper.Kubernetes.Config;
using PortMapper.Kubernetes.Tests.Support;
using PortMapper.TestApiServer;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Auth;

/// <summary>Every kubeconfig fixture connects to the test API server for real, and the server sees the intended user.</summary>
public class AuthVariantTests
{
    private static async Task<string?> ConnectAsUserAsync(ApiServer server, KubernetesConnection connection)
    {
        using var client = new KubernetesApiClient(connection);
        await client.ListAsync(ResourceType.Namespaces, null, CancellationToken.None);
        return server.Requests[^1].User;
    }

    [Theory]
    [InlineData("client-cert-files", KeyAlgorithm.Rsa)]
    [InlineData("client-cert-files", KeyAlgorithm.Ec)]
    [InlineData("client-cert-data", KeyAlgorithm.Rsa)]
    [InlineData("client-cert-data", KeyAlgorithm.Ec)]
    public async Task ClientCertificate_FileOrDataRsaOrEc_AuthenticatesAsTheCertificateSubject(string template, KeyAlgorithm algorithm)
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.UseClientCertificate(server.CreateClientCertificate("alice", ["system:masters"], algorithm));

        var user = await ConnectAsUserAsync(server, fixture.Resolve(template));

        Assert.Equal("alice", user);
    }

    [Fact]
    public async Task Token_InKubeconfig_AuthenticatesAndKeepsTheContextNamespace()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = server.CreateToken("bob", "system:masters");
        var connection = fixture.Resolve("token");

        var user = await ConnectAsUserAsync(server, connection);

        Assert.Equal(("bob", "demo", "bearer token"), (user, connection.Namespace, connection.AuthDescription));
    }

    [Fact]
    public async Task TokenFile_RelativePath_IsReadFromBesideTheKubeconfig()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.Dir.Write("secrets/token", server.CreateToken("carol", "system:masters") + "\n");

        var user = await ConnectAsUserAsync(server, fixture.Resolve("token-file"));

        Assert.Equal("carol", user);
    }

    [Fact]
    public async Task ExecPluginV1_TokenWithExpiry_IsCachedUntilItExpires()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = server.CreateToken("dave", "system:masters");
        var time = new ManualTime();
        var connection = fixture.Resolve("exec-v1", time);
        using var client = new KubernetesApiClient(connection);

        await client.ListAsync(ResourceType.Namespaces, null, CancellationToken.None);
        await client.ListAsync(ResourceType.Pods, null, CancellationToken.None);
        var runsWhileValid = fixture.PluginRuns;
        time.Advance(TimeSpan.FromHours(2));
        await client.ListAsync(ResourceType.Services, null, CancellationToken.None);

        Assert.Equal((1, 2), (runsWhileValid, fixture.PluginRuns));
        Assert.All(server.Requests, r => Assert.Equal("dave", r.User));
    }

    [Fact]
    public async Task ExecPluginV1Beta1_RelativeCommand_RunsThePluginBesideTheKubeconfig()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.InstallPlugin();
        fixture.Values["TOKEN"] = server.CreateToken("erin", "system:masters");

        var user = await ConnectAsUserAsync(server, fixture.Resolve("exec-v1beta1"));

        Assert.Equal(("erin", 1), (user, fixture.PluginRuns));
    }

    [Fact]
    public async Task ExecPlugin_ReturnsClientCertificate_AuthenticatesWithIt()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.UseClientCertificate(server.CreateClientCertificate("plugin-cert-user", ["system:masters"], KeyAlgorithm.Rsa));

        var user = await ConnectAsUserAsync(server, fixture.Resolve("exec-cert"));

        Assert.Equal("plugin-cert-user", user);
    }

    [Fact]
    public async Task ExecPlugin_ConcurrentRequests_RunThePluginOnce()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = server.CreateToken("frank", "system:masters");
        var provider = (ExecCredentialProvider)fixture.Resolve("exec-v1").Credentials!;

        var credentials = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => provider.GetCredentialAsync(CancellationToken.None).AsTask()));

        Assert.Equal(1, fixture.PluginRuns);
        Assert.Single(credentials.Distinct());
    }

    [Fact]
    public async Task ExecPlugin_Fails_ErrorCarriesExitCodeStderrAndInstallHint()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        using var client = new KubernetesApiClient(fixture.Resolve("exec-failing"));

        var e = await Assert.ThrowsAsync<KubernetesConnectionException>(() => client.ListAsync(ResourceType.Pods, null, CancellationToken.None));

        Assert.Equal(ConnectionFailure.Credentials, e.Failure);
        Assert.Contains("user \"expired-user\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("exit code 3", e.Message, StringComparison.Ordinal);
        Assert.Contains("the refresh token for user dev@example.com has expired", e.Message, StringComparison.Ordinal);
        Assert.Contains("Install example-login", e.Message, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task InsecureSkipTlsVerify_NoCa_ConnectsAnyway()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = server.CreateToken("gina", "system:masters");

        Assert.Equal("gina", await ConnectAsUserAsync(server, fixture.Resolve("insecure")));
    }

    [Fact]
    public async Task NoCaAndNoInsecureFlag_ServerNotTrusted_ExplainsTheTlsFailure()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = server.CreateToken("gina", "system:masters");
        var path = fixture.Render("insecure");
        File.WriteAllText(path, File.ReadAllText(path).Replace("insecure-skip-tls-verify: true", "insecure-skip-tls-verify: false", StringComparison.Ordinal));
        using var client = new KubernetesApiClient(ConnectionResolver.Resolve(new ConnectionOptions { KubeconfigPath = path })!);

        var e = await Assert.ThrowsAsync<KubernetesConnectionException>(() => client.ListAsync(ResourceType.Pods, null, CancellationToken.None));

        Assert.Equal(ConnectionFailure.Tls, e.Failure);
        Assert.Contains("not trusted by this machine", e.Message, StringComparison.Ordinal);
        Assert.Contains("certificate-authority", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WrongCa_ServerCertificate_IsRejectedWithTheReason()
    {
        await using var server = await ApiServer.StartAsync();
        using var otherPki = TestPki.Create("some-other-ca");
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = server.CreateToken("gina", "system:masters");
        fixture.Values["CA_DATA"] = KubeconfigFixture.Base64(otherPki.CaPem);
        using var client = new KubernetesApiClient(fixture.Resolve("token"));

        var e = await Assert.ThrowsAsync<KubernetesConnectionException>(() => client.ListAsync(ResourceType.Pods, null, CancellationToken.None));

        Assert.Contains("not signed by the cluster's certificate authority", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TlsServerName_CertificateWithoutTheIp_ValidatesAgainstTheConfiguredName()
    {
        await using var server = await ApiServer.StartAsync(new TestApiServerOptions { DnsNames = ["api.portmapper.test"], CertificateCoversLoopback = false });
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = server.CreateToken("hank", "system:masters");

        Assert.Equal("hank", await ConnectAsUserAsync(server, fixture.Resolve("tls-server-name")));
    }

    [Fact]
    public async Task WithoutTlsServerName_CertificateForAnotherName_FailsAndSuggestsIt()
    {
        await using var server = await ApiServer.StartAsync(new TestApiServerOptions { DnsNames = ["api.portmapper.test"], CertificateCoversLoopback = false });
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = server.CreateToken("hank", "system:masters");
        using var client = new KubernetesApiClient(fixture.Resolve("token"));

        var e = await Assert.ThrowsAsync<KubernetesConnectionException>(() => client.ListAsync(ResourceType.Pods, null, CancellationToken.None));

        Assert.Contains("is not valid for \"127.0.0.1\"", e.Message, StringComparison.Ordinal);
        Assert.Contains("tls-server-name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProxyUrl_RequestsGoThroughTheProxy()
    {
        await using var server = await ApiServer.StartAsync();
        await using var proxy = new ConnectProxy();
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = server.CreateToken("ivy", "system:masters");
        fixture.Values["PROXY"] = proxy.Url.ToString();

        var user = await ConnectAsUserAsync(server, fixture.Resolve("proxy"));

        Assert.Equal("ivy", user);
        Assert.Equal([$"127.0.0.1:{server.BaseAddress.Port}"], proxy.Targets);
    }

    [Fact]
    public async Task KubeconfigList_TwoFiles_MergesLikeKubectl()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = server.CreateToken("judy", "system:masters");
        var first = fixture.Render("merge-first");
        var second = fixture.Render("merge-second");
        var env = KubeEnvironment.From(new Dictionary<string, string> { ["KUBECONFIG"] = $"{first}{Path.PathSeparator}{second}" }, fixture.Dir.Path);

        var connection = ConnectionResolver.Resolve(new ConnectionOptions { Environment = env, InClusterRoot = fixture.Dir.Path })!;
        var user = await ConnectAsUserAsync(server, connection);

        Assert.Equal(("dev", "dev-good", "team-a", "judy"), (connection.ContextName, connection.ClusterName, connection.Namespace, user));
        Assert.Equal(["dev", "staging"], ConnectionResolver.ListContexts(new ConnectionOptions { Environment = env }).Select(c => c.Name));
    }

    [Fact]
    public async Task RevokedToken_Answers401_ExplainedWithoutTheToken()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        var token = server.CreateToken("kim", "system:masters");
        fixture.Values["TOKEN"] = token;
        using var client = new KubernetesApiClient(fixture.Resolve("token"));
        server.Access.RemoveToken(token);

        var e = await Assert.ThrowsAsync<KubernetesApiException>(() => client.ListAsync(ResourceType.Pods, null, CancellationToken.None));

        Assert.True(e.IsUnauthorized);
        Assert.Contains("did not accept PortMapper's credentials (401 Unauthorized) for list pods", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(token, e.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task OidcAuthProvider_ExpiredIdToken_IsRefreshedAtTheIssuerAndAccepted()
    {
        await using var server = await ApiServer.StartAsync();
        var fresh = LoopbackOidcIssuer.Jwt("olga", DateTimeOffset.UtcNow.AddHours(1));
        server.Access.AddToken(fresh, "olga", "system:masters");
        await using var issuer = new LoopbackOidcIssuer("refresh-1", () => fresh);
        using var fixture = new KubeconfigFixture(server);
        var expired = LoopbackOidcIssuer.Jwt("olga", DateTimeOffset.UtcNow.AddHours(-1));
        server.Access.AddToken(expired, "stale-olga", "system:masters");
        fixture.Values["ISSUER"] = issuer.Issuer;
        fixture.Values["ID_TOKEN"] = expired;
        fixture.Values["REFRESH_TOKEN"] = "refresh-1";
        var connection = fixture.Resolve("oidc");

        var user = await ConnectAsUserAsync(server, connection);

        Assert.Equal("olga", user);
        Assert.Equal("auth-provider oidc", connection.AuthDescription);
        var request = Assert.Single(issuer.TokenRequests);
        Assert.Equal(("refresh_token", "refresh-1"), (request["grant_type"], request["refresh_token"]));
    }

    [Fact]
    public async Task OidcAuthProvider_ValidIdToken_IsSentWithoutAskingTheIssuer()
    {
        await using var server = await ApiServer.StartAsync();
        await using var issuer = new LoopbackOidcIssuer("refresh-1", () => throw new InvalidOperationException("no refresh expected"));
        using var fixture = new KubeconfigFixture(server);
        var valid = LoopbackOidcIssuer.Jwt("pia", DateTimeOffset.UtcNow.AddHours(1));
        server.Access.AddToken(valid, "pia", "system:masters");
        fixture.Values["ISSUER"] = issuer.Issuer;
        fixture.Values["ID_TOKEN"] = valid;
        fixture.Values["REFRESH_TOKEN"] = "refresh-1";

        var user = await ConnectAsUserAsync(server, fixture.Resolve("oidc"));

        Assert.Equal("pia", user);
        Assert.Empty(issuer.TokenRequests);
    }

    [Fact]
    public async Task OidcAuthProvider_RefreshTokenRejected_SaysWhoMustLogInAgainWithoutTheTokens()
    {
        await using var server = await ApiServer.StartAsync();
        await using var issuer = new LoopbackOidcIssuer("the-valid-one", () => "never");
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["ISSUER"] = issuer.Issuer;
        fixture.Values["ID_TOKEN"] = LoopbackOidcIssuer.Jwt("quinn", DateTimeOffset.UtcNow.AddMinutes(-5));
        fixture.Values["REFRESH_TOKEN"] = "revoked-refresh";
        using var client = new KubernetesApiClient(fixture.Resolve("oidc"));

        var e = await Assert.ThrowsAsync<KubernetesConnectionException>(() => client.ListAsync(ResourceType.Namespaces, null, CancellationToken.None));

        Assert.Equal(ConnectionFailure.Credentials, e.Failure);
        Assert.Contains("user \"oidc-user\" (auth-provider oidc) has expired", e.Message, StringComparison.Ordinal);
        Assert.Contains("400 Bad Request (invalid_grant)", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("revoked-refresh", e.ToString(), StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }
}
