using System.Net.Http.Headers;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using k8s.Authentication;

namespace PortMapper.Kubernetes.Auth;

/// <summary>
/// The kubeconfig's oidc auth-provider, as client-go ran it: the id-token is the bearer token while it is valid;
/// once it has expired the refresh-token is traded for a new one at the token endpoint named by the issuer's
/// discovery document (<c>{idp-issuer-url}/.well-known/openid-configuration</c>), trusting idp-certificate-authority.
/// <para>
/// It plugs into KubernetesClient's credential pipeline (<see cref="ITokenProvider"/>), but is ours: the library's
/// <see cref="OidcTokenProvider"/> posts the refresh straight to idp-issuer-url without discovery (a conformant
/// issuer answers 404: AuthVariantTests.OidcAuthProvider_ExpiredIdToken_* failed with it), ignores
/// idp-certificate-authority, and its refresh cannot be cancelled.
/// </para>
/// </summary>
public sealed class OidcAuthProvider : ITokenProvider, IDisposable
{
    private static readonly TimeSpan ExpirySkew = TimeSpan.FromSeconds(10);
    private readonly string _issuer;
    private readonly string _clientId;
    private readonly string? _clientSecret;
    private readonly string _user;
    private readonly TimeProvider _time;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _refresh = new(1, 1);
    private string _idToken;
    private string _refreshToken;
    private Uri? _tokenEndpoint;

    /// <param name="user">The kubeconfig user, for messages.</param>
    /// <param name="idpCertificateAuthorities">idp-certificate-authority(-data); null trusts the system store.</param>
    public OidcAuthProvider(
        string issuer, string clientId, string? clientSecret, string? idToken, string refreshToken, string user,
        X509Certificate2Collection? idpCertificateAuthorities = null, TimeProvider? time = null)
    {
        _issuer = issuer.TrimEnd('/');
        _clientId = clientId;
        _clientSecret = clientSecret is { Length: > 0 } ? clientSecret : null;
        _idToken = idToken ?? "";
        _refreshToken = refreshToken;
        _user = user;
        _time = time ?? TimeProvider.System;
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(10) };
        if (idpCertificateAuthorities is { Count: > 0 } cas)
        {
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.AddRange(cas);
        }

        _http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(30) };
    }

    /// <summary>How many times the refresh-token was traded (for the UI's connection details and tests).</summary>
    public int Refreshes { get; private set; }

    public async Task<AuthenticationHeaderValue> GetAuthenticationHeaderAsync(CancellationToken cancellationToken)
    {
        if (!IsValid(_idToken))
        {
            await _refresh.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                if (!IsValid(_idToken))
                {
                    await RefreshAsync(cancellationToken).ConfigureAwait(false);
                }
            }
            finally
            {
                _refresh.Release();
            }
        }

        return new AuthenticationHeaderValue("Bearer", _idToken);
    }

    private bool IsValid(string jwt) => Expiry(jwt) is { } exp && exp - ExpirySkew > _time.GetUtcNow();

    /// <summary>The exp claim of a JWT, read without verifying it (the API server verifies; we only decide when to refresh).</summary>
    internal static DateTimeOffset? Expiry(string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length != 3)
        {
            return null;
        }

        try
        {
            var b64 = parts[1].Replace('-', '+').Replace('_', '/');
            var json = Convert.FromBase64String(b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '='));
            using var doc = JsonDocument.Parse(json);
            return doc.RootElement.TryGetProperty("exp", out var exp) && exp.TryGetInt64(out var seconds) ? DateTimeOffset.FromUnixTimeSeconds(seconds) : null;
        }
        catch (Exception e) when (e is FormatException or JsonException or ArgumentOutOfRangeException or InvalidOperationException)
        {
            return null;
        }
    }

    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        try
        {
            _tokenEndpoint ??= await DiscoverAsync(cancellationToken).ConfigureAwait(false);
            var form = new Dictionary<string, string>
            {
                ["grant_type"] = "refresh_token",
                ["refresh_token"] = _refreshToken,
                ["client_id"] = _clientId,
            };
            if (_clientSecret is not null)
            {
                form["client_secret"] = _clientSecret;
            }

            using var response = await _http.PostAsync(_tokenEndpoint, new FormUrlEncodedContent(form), cancellationToken).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                throw Fail($"its token endpoint {_tokenEndpoint} answered {(int)response.StatusCode} {response.ReasonPhrase}{OAuthError(body)}. Log in again (for example with kubelogin) to get a new refresh-token");
            }

            using var doc = JsonDocument.Parse(body);
            var root = doc.RootElement;
            if (!root.TryGetProperty("id_token", out var id) || id.GetString() is not { Length: > 0 } idToken)
            {
                throw Fail($"its token endpoint {_tokenEndpoint} returned no id_token");
            }

            _idToken = idToken;
            if (root.TryGetProperty("refresh_token", out var rt) && rt.GetString() is { Length: > 0 } refresh)
            {
                _refreshToken = refresh;
            }

            Refreshes++;
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
        {
            throw Fail($"{_issuer} cannot be reached: {e.Message}", e);
        }
    }

    private async Task<Uri> DiscoverAsync(CancellationToken cancellationToken)
    {
        var url = $"{_issuer}/.well-known/openid-configuration";
        using var response = await _http.GetAsync(url, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw Fail($"its discovery document {url} answered {(int)response.StatusCode} {response.ReasonPhrase}; check idp-issuer-url");
        }

        using var doc = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return doc.RootElement.TryGetProperty("token_endpoint", out var te) && Uri.TryCreate(te.GetString(), UriKind.Absolute, out var endpoint)
            ? endpoint
            : throw Fail($"its discovery document {url} names no token_endpoint");
    }

    private CredentialException Fail(string why, Exception? inner = null) =>
        new($"The id-token of user \"{_user}\" (auth-provider oidc) has expired and cannot be refreshed: {why}.", inner);

    private static string OAuthError(string body)
    {
        try
        {
            using var doc = JsonDocument.Parse(body);
            return doc.RootElement.TryGetProperty("error", out var error) ? $" ({error.GetString()})" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }

    public override string ToString() => $"oidc auth-provider of user \"{_user}\" at {_issuer}";

    public void Dispose()
    {
        _http.Dispose();
        _refresh.Dispose();
    }
}
