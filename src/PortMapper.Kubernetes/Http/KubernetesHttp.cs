using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using k8s;
using k8s.Authentication;
using PortMapper.Kubernetes.Auth;
using PortMapper.Kubernetes.Config;

namespace PortMapper.Kubernetes.Http;

/// <summary>
/// The HTTP pipeline of one connection, built by KubernetesClient (<see cref="k8s.Kubernetes"/>): its
/// SocketsHttpHandler, its CA trust and insecure-skip-tls-verify handling, its bearer-token and OIDC credentials.
/// Our list/watch requests and the library's typed calls (apply, version, discovery) go through the same
/// <see cref="HttpClient"/> and the same credentials, so TLS and authentication live in one place.
/// <para>
/// What PortMapper adds on top, and why: a DelegatingHandler for token files and exec plugins that re-reads the
/// credential after a 401 (the library's token providers only refresh on a timer, so a revoked or rotated token
/// fails until the timer runs out); the client certificate an exec plugin returns (the library presents only the
/// kubeconfig's); proxy-url and tls-server-name as SNI; the server-certificate check; and the reason a server certificate was refused, which SslStream's
/// own error does not say.
/// </para>
/// </summary>
internal sealed class KubernetesHttp : IDisposable
{
    public const string UserAgent = "portmapper/1.0 (linux/amd64) kubernetes-client";

    private readonly ServerCertificateValidator _validator;

    private KubernetesHttp(k8s.Kubernetes library, ServerCertificateValidator validator)
    {
        Library = library;
        _validator = validator;
    }

    /// <summary>The library client: typed calls (server-side apply, version, discovery) use it.</summary>
    public k8s.Kubernetes Library { get; }

    public HttpClient Client => Library.HttpClient;

    /// <summary>Why the last TLS handshake was refused, when the certificate check said no.</summary>
    public string? LastTlsFailure => _validator.LastFailure;

    /// <exception cref="CredentialException">The library refused the configuration (for example an unreadable client certificate).</exception>
    public static KubernetesHttp Create(KubernetesConnection connection, TimeSpan connectTimeout)
    {
        var validator = new ServerCertificateValidator(connection);
        var clientCerts = new ClientCertificateHolder(connection.ClientCertificate);
        SocketsHttpHandler? sockets = null;
        var config = new KubernetesClientConfiguration
        {
            Host = connection.Server.ToString(),
            SslCaCerts = connection.CertificateAuthorities,
            SkipTlsVerify = connection.InsecureSkipTlsVerify,
            TlsServerName = connection.TlsServerName,
            UserAgent = UserAgent,

            // A healthy watch lasts minutes: every non-streaming call brings its own deadline instead.
            HttpClientTimeout = Timeout.InfiniteTimeSpan,

            // The API server speaks HTTP/2, but a watch per resource multiplexed on one connection shares its flow
            // control window with 50k-pod lists; HTTP/1.1 gives each its own connection, as client-go's watches get.
            DisableHttp2 = true,
            AccessToken = (connection.Credentials as StaticTokenProvider)?.Token,
            TokenProvider = connection.TokenProvider,
            FirstMessageHandlerSetup = handler =>
            {
                sockets = handler;
                handler.ConnectTimeout = connectTimeout;
                handler.AutomaticDecompression = DecompressionMethods.GZip;
                handler.PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90);
                handler.SslOptions.LocalCertificateSelectionCallback = (_, _, _, _, _) => clientCerts.Current!;
                if (connection.ProxyUrl is { } proxy)
                {
                    // The library does not read proxy-url from the kubeconfig.
                    handler.Proxy = new WebProxy(proxy);
                    handler.UseProxy = true;
                }
                else if (connection.TlsServerName is { } serverName && connection.Server.Scheme == "https")
                {
                    // SocketsHttpHandler takes SNI from the URL (or the Host header); to send tls-server-name without
                    // touching the Host header, the TLS handshake is done here (supported since .NET 7).
                    handler.ConnectCallback = (context, cancellationToken) => ConnectTlsAsync(context, serverName, validator, clientCerts, cancellationToken);
                }
            },
        };

        k8s.Kubernetes library;
        DelegatingHandler[] ours = connection.Credentials is { } credentials and not StaticTokenProvider ? [new AuthenticationHandler(credentials, clientCerts)] : [];
        try
        {
            library = new k8s.Kubernetes(config, ours);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            throw new CredentialException($"KubernetesClient cannot use {connection}: {e.Message}", e);
        }

        // The library installs its own certificate check after FirstMessageHandlerSetup. With a kubeconfig CA it only
        // rebuilds the chain when the chain failed, and then never looks at the name: a certificate for another host
        // signed by the cluster CA passes (AuthVariantTests.WithoutTlsServerName_* fails with it). client-go checks
        // both, so ours replaces it, and it also says why it refused.
        if (sockets is { } s && connection.Server.Scheme == "https")
        {
            s.SslOptions.RemoteCertificateValidationCallback = validator.Validate;
        }

        return new KubernetesHttp(library, validator);
    }

    /// <summary>Sends a request with the library's credentials applied, as its own typed calls do.</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        if (Library.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken).ConfigureAwait(false);
        }

        return await Client.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
    }

    private static async ValueTask<Stream> ConnectTlsAsync(
        SocketsHttpConnectionContext context, string serverName, ServerCertificateValidator validator, ClientCertificateHolder certs, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
            var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
            await ssl.AuthenticateAsClientAsync(
                new SslClientAuthenticationOptions
                {
                    TargetHost = serverName,
                    RemoteCertificateValidationCallback = validator.Validate,
                    LocalCertificateSelectionCallback = (_, _, _, _, _) => certs.Current!,
                    ApplicationProtocols = [SslApplicationProtocol.Http11],
                },
                cancellationToken).ConfigureAwait(false);
            return ssl;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public void Dispose() => Library.Dispose();
}

/// <summary>The client certificate to present: the kubeconfig's, or the latest one an exec plugin returned.</summary>
internal sealed class ClientCertificateHolder(X509Certificate2? initial)
{
    private volatile X509Certificate2? _current = initial;

    public X509Certificate2? Current
    {
        get => _current;
        set => _current = value;
    }
}

/// <summary>
/// Adds the bearer token of a token file or exec plugin to every request. After a 401 it asks the provider for a
/// fresh credential and, when that differs (a rotated token file, a re-run plugin), sends the request once more.
/// </summary>
internal sealed class AuthenticationHandler(ICredentialProvider provider, ClientCertificateHolder clientCertificates) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var credential = await provider.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
        Apply(request, credential);
        var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != HttpStatusCode.Unauthorized)
        {
            return response;
        }

        provider.Invalidate();
        var fresh = await provider.GetCredentialAsync(cancellationToken).ConfigureAwait(false);
        if (fresh.Token == credential.Token && ReferenceEquals(fresh.ClientCertificate, credential.ClientCertificate))
        {
            return response;
        }

        response.Dispose();
        Apply(request, fresh);
        return await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
    }

    private void Apply(HttpRequestMessage request, ClusterCredential credential)
    {
        if (credential.Token is { } token)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (credential.ClientCertificate is { } cert)
        {
            clientCertificates.Current = cert;
        }
    }
}
