using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using PortMapper.Kubernetes.Auth;
using PortMapper.Kubernetes.Config;

namespace PortMapper.Kubernetes.Http;

/// <summary>
/// Builds the one HttpClient a connection uses. Its Timeout is infinite because a healthy watch lasts minutes;
/// every non-streaming call brings its own deadline instead.
/// </summary>
internal static class KubernetesHttp
{
    public const string UserAgent = "portmapper/1.0 (linux/amd64) kubernetes-client";

    public static HttpClient CreateClient(KubernetesConnection connection, ServerCertificateValidator validator, TimeSpan connectTimeout)
    {
        var clientCerts = new ClientCertificateHolder(connection.ClientCertificate);
        var sockets = new SocketsHttpHandler
        {
            ConnectTimeout = connectTimeout,
            AutomaticDecompression = DecompressionMethods.GZip,
            PooledConnectionIdleTimeout = TimeSpan.FromSeconds(90),
            SslOptions = ClientTlsOptions(connection.Server.IdnHost, validator, clientCerts),
        };
        if (connection.ProxyUrl is { } proxy)
        {
            sockets.Proxy = new WebProxy(proxy);
            sockets.UseProxy = true;
        }
        else if (connection.TlsServerName is { } serverName && connection.Server.Scheme == "https")
        {
            // SocketsHttpHandler takes SNI and the expected certificate name from the URL (or Host header). To send
            // tls-server-name without touching the Host header, do the TLS handshake here (supported since .NET 7).
            sockets.ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken).ConfigureAwait(false);
                    var ssl = new SslStream(new NetworkStream(socket, ownsSocket: true));
                    await ssl.AuthenticateAsClientAsync(ClientTlsOptions(serverName, validator, clientCerts), cancellationToken).ConfigureAwait(false);
                    return ssl;
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            };
        }

        HttpMessageHandler handler = sockets;
        if (connection.Credentials is { } credentials)
        {
            handler = new AuthenticationHandler(credentials, clientCerts) { InnerHandler = sockets };
        }

        var client = new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
        client.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        client.DefaultRequestHeaders.UserAgent.ParseAdd(UserAgent);
        return client;
    }

    private static SslClientAuthenticationOptions ClientTlsOptions(string targetHost, ServerCertificateValidator validator, ClientCertificateHolder certs) => new()
    {
        TargetHost = targetHost,
        RemoteCertificateValidationCallback = validator.Validate,
        LocalCertificateSelectionCallback = (_, _, _, _, _) => certs.Current!,
        ApplicationProtocols = [SslApplicationProtocol.Http11],
    };
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
/// Adds the bearer token to every request. After a 401 it asks the provider for a fresh credential and, when that
/// differs (a rotated token file, a re-run plugin), sends the request once more.
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
        request.Headers.Authorization = credential.Token is { } token ? new AuthenticationHeaderValue("Bearer", token) : null;
        if (credential.ClientCertificate is { } cert)
        {
            clientCertificates.Current = cert;
        }
    }
}
