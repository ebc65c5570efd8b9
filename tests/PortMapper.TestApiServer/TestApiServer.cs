using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PortMapper.TestApiServer;

public sealed record TestApiServerOptions
{
    /// <summary>DNS names in the server certificate.</summary>
    public IReadOnlyList<string> DnsNames { get; init; } = ["localhost"];

    /// <summary>Whether 127.0.0.1 is in the server certificate (turn off to need tls-server-name).</summary>
    public bool CertificateCoversLoopback { get; init; } = true;

    /// <summary>How often an idle watch that asked for bookmarks gets one (the API server: about a minute).</summary>
    public TimeSpan BookmarkInterval { get; init; } = TimeSpan.FromMinutes(1);

    /// <summary>A CA to share between servers; each server makes its own otherwise.</summary>
    public TestPki? Pki { get; init; }

    public string GitVersion { get; init; } = "v1.32.13";

    /// <summary>Group/versions this server leaves out, as a cluster without that API (or its CRDs) does: "networking.k8s.io/v1".</summary>
    public IReadOnlySet<string> Unserved { get; init; } = new HashSet<string>();

    /// <summary>Single resources this server leaves out of a group/version it serves, as an older release does: "servicecidrs.networking.k8s.io".</summary>
    public IReadOnlySet<string> UnservedResources { get; init; } = new HashSet<string>();

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

/// <summary>One request as the server saw it (never the credentials).</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string? User, string UserAgent);

/// <summary>
/// A kube-apiserver stand-in on 127.0.0.1 (a free port) over HTTPS with its own CA: client-certificate and
/// bearer-token authentication, RBAC, resourceVersions, paged lists, watches, server-side apply and Status errors
/// shaped like the recordings in tests/fixtures/k8s-recordings, plus fault injection.
/// </summary>
public sealed class TestApiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly bool _ownsPki;
    private readonly ConcurrentQueue<RecordedRequest> _requests = new();

    private TestApiServer(WebApplication app, TestApiServerOptions options, TestPki pki, bool ownsPki)
    {
        _app = app;
        Options = options;
        Pki = pki;
        _ownsPki = ownsPki;
        Store = new ObjectStore(options.Time);
    }

    public TestApiServerOptions Options { get; }

    public TestPki Pki { get; }

    /// <summary>The CA that signed the server certificate, for certificate-authority(-data).</summary>
    public string CaPem => Pki.CaPem;

    public Uri BaseAddress { get; private set; } = null!;

    public ObjectStore Store { get; }

    public AccessControl Access { get; } = new();

    public FaultInjector Faults { get; } = new();

    public IReadOnlyList<RecordedRequest> Requests => [.. _requests];

    public static async Task<TestApiServer> StartAsync(TestApiServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        options ??= new TestApiServerOptions();
        var pki = options.Pki ?? TestPki.Create();
        var certificate = pki.IssueServerCertificate(options.DnsNames, options.CertificateCoversLoopback ? [IPAddress.Loopback] : []);
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ApplicationName = typeof(TestApiServer).Assembly.GetName().Name, ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrelHttpsConfiguration();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, 0, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;
                listen.UseHttps(new HttpsConnectionAdapterOptions
                {
                    ServerCertificate = certificate,
                    ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                    ClientCertificateValidation = (cert, _, _) => pki.Issued(cert),
                    CheckCertificateRevocation = false,
                });
            });
        });
        var app = builder.Build();
        var server = new TestApiServer(app, options, pki, options.Pki is null);
        var handler = new ApiHandler(server);
        app.Run(handler.HandleAsync);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseAddress = new Uri(address);
        return server;
    }

    /// <summary>Registers a new random bearer token for a user; "system:masters" in groups makes it an admin.</summary>
    public string CreateToken(string user, params string[] groups)
    {
        var token = $"{user}-{Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant()}";
        Access.AddToken(token, user, groups);
        return token;
    }

    public ClientCertificatePem CreateClientCertificate(string user, IEnumerable<string> groups, KeyAlgorithm algorithm = KeyAlgorithm.Ec) =>
        Pki.IssueClientCertificate(user, groups, algorithm);

    /// <summary>A kubeconfig (YAML) for this server: CA inline, one context "test" authenticating with <paramref name="token"/>.</summary>
    public string Kubeconfig(string token, string? ns = null)
    {
        var sb = new StringBuilder();
        sb.AppendLine("apiVersion: v1").AppendLine("kind: Config");
        sb.AppendLine("clusters:").AppendLine("- name: test").AppendLine("  cluster:");
        sb.AppendLine($"    server: {BaseAddress.GetLeftPart(UriPartial.Authority)}");
        sb.AppendLine($"    certificate-authority-data: {Convert.ToBase64String(Encoding.UTF8.GetBytes(CaPem))}");
        sb.AppendLine("users:").AppendLine("- name: test").AppendLine("  user:").AppendLine($"    token: {token}");
        sb.AppendLine("contexts:").AppendLine("- name: test").AppendLine("  context:").AppendLine("    cluster: test").AppendLine("    user: test");
        if (ns is not null)
        {
            sb.AppendLine($"    namespace: {ns}");
        }

        sb.AppendLine("current-context: test");
        return sb.ToString();
    }

    internal void Record(RecordedRequest request) => _requests.Enqueue(request);

    public async ValueTask DisposeAsync()
    {
        Faults.DropWatches();
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        if (_ownsPki)
        {
            Pki.Dispose();
        }
    }

    public override string ToString() => $"test API server at {BaseAddress}";
}
