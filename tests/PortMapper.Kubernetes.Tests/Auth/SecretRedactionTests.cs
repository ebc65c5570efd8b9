using PortMapper.Core.Cluster;
using PortMapper.Kubernetes.Api;
using PortMapper.Kubernetes.Auth;
using PortMapper.Kubernetes.Config;
using PortMapper.Kubernetes.Tests.Support;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.Kubernetes.Tests.Auth;

/// <summary>Tokens and keys never appear in messages, ToString() or logs, whatever goes wrong.</summary>
public class SecretRedactionTests
{
    private const string Token = "tkn-SECRET-3f9a1c7e";

    [Fact]
    public async Task Errors_EveryFailure_NeverCarryTheToken()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = Token;
        var connection = fixture.Resolve("token");
        using var client = new KubernetesApiClient(connection, new KubernetesClientOptions { RequestTimeout = TimeSpan.FromSeconds(2) });
        var failures = new List<Exception>();

        failures.Add(await Assert.ThrowsAnyAsync<Exception>(() => client.ListAsync(ResourceType.Pods, null, CancellationToken.None)));
        server.Access.AddToken(Token, "limited");
        failures.Add(await Assert.ThrowsAnyAsync<Exception>(() => client.ListAsync(ResourceType.Pods, null, CancellationToken.None)));
        server.Faults.FailNext(1, 500);
        failures.Add(await Assert.ThrowsAnyAsync<Exception>(() => client.ListAsync(ResourceType.Pods, "demo", CancellationToken.None)));
        server.Faults.Latency = TimeSpan.FromSeconds(10);
        failures.Add(await Assert.ThrowsAnyAsync<Exception>(() => client.ListAsync(ResourceType.Pods, "demo", CancellationToken.None)));

        Assert.Equal(["KubernetesApiException", "KubernetesApiException", "KubernetesApiException", "KubernetesConnectionException"], failures.Select(f => f.GetType().Name).ToArray());
        Assert.All(failures, f => Assert.DoesNotContain(Token, f.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task ToString_ConfigConnectionAndCredentials_ShowNoSecrets()
    {
        await using var server = await ApiServer.StartAsync();
        using var fixture = new KubeconfigFixture(server);
        fixture.Values["TOKEN"] = Token;
        fixture.UseClientCertificate(server.CreateClientCertificate("alice", ["system:masters"]));
        var keyData = fixture.Values["KEY_DATA"];
        var config = KubeconfigLoader.LoadFile(fixture.Render("token"));
        var certConfig = KubeconfigLoader.LoadFile(fixture.Render("client-cert-data"));
        var execConfig = KubeconfigLoader.LoadFile(fixture.Render("exec-v1beta1"));
        var connection = KubeconfigResolver.Resolve(config);
        var credential = await connection.Credentials!.GetCredentialAsync(CancellationToken.None);
        await using var source = new KubernetesClusterSource(connection);

        string[] printed =
        [
            config.ToString(), certConfig.ToString(), execConfig.ToString(), connection.ToString(), connection.Credentials.ToString()!,
            credential.ToString(), source.ToString(), source.Info.ToString(), KubeconfigResolver.Resolve(certConfig).ToString(),
        ];

        Assert.All(printed, p => Assert.DoesNotContain(Token, p, StringComparison.Ordinal));
        Assert.All(printed, p => Assert.DoesNotContain(keyData, p, StringComparison.Ordinal));
        Assert.All(printed, p => Assert.DoesNotContain("do-not-print-me", p, StringComparison.Ordinal));
        Assert.Equal(Token, credential.Token);
        Assert.Contains("bearer token", connection.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Source_RejectedToken_StateAndLogsNeverCarryIt()
    {
        await using var server = await ApiServer.StartAsync();
        var logs = new CapturingLoggerFactory();
        await using var source = LiveSource.For(server, Token, logs: logs);

        await source.StartAsync(CancellationToken.None);
        Assert.True(await Eventually.TrueAsync(() => source.State.Status == ConnectionStatus.Failed));

        Assert.DoesNotContain(Token, source.State.LastError, StringComparison.Ordinal);
        Assert.NotEmpty(logs.Lines);
        Assert.All(logs.Lines, l => Assert.DoesNotContain(Token, l, StringComparison.Ordinal));
        Assert.DoesNotContain(server.Requests, r => r.ToString().Contains(Token, StringComparison.Ordinal));
    }
}
