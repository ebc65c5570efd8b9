using System.Security.Claims;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.OAuth;
using Microsoft.AspNetCore.WebUtilities;
using Base64UrlTextEncoder = Microsoft.AspNetCore.WebUtilities.Base64UrlTextEncoder;
using Microsoft.Extensions.Options;

namespace PortMapper.Web.Security;

/// <summary>
/// Sign-in with an OpenID Connect provider (authorization code flow with PKCE and a nonce, confidential client).
/// The package Microsoft.AspNetCore.Authentication.OpenIdConnect is not on the NuGet feed this project builds from, so
/// this builds on the OAuth 2.0 handler of the shared framework and adds what OpenID Connect needs on top: discovery
/// and ID token checks. The ID token comes straight from the token endpoint over TLS, so, as OpenID Connect Core 1.0
/// §3.1.3.7 allows, its issuer is trusted through TLS instead of a JWKS signature check (docs/security.md).
/// </summary>
public sealed class OidcOptions : OAuthOptions
{
    /// <summary>The issuer URL; its /.well-known/openid-configuration names the endpoints.</summary>
    public Uri Authority { get; set; } = null!;
}

/// <summary>The parts of the provider's discovery document PortMapper uses.</summary>
public sealed record OidcEndpoints(string Issuer, string AuthorizationEndpoint, string TokenEndpoint);

/// <summary>Fetches the discovery document once (retrying after a failure) and shares it between requests.</summary>
public sealed class OidcDiscovery
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private OidcEndpoints? _endpoints;

    public async Task<OidcEndpoints> GetAsync(OidcOptions options, CancellationToken cancellationToken)
    {
        if (_endpoints is { } known)
        {
            return known;
        }

        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _endpoints ??= await FetchAsync(options, cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static async Task<OidcEndpoints> FetchAsync(OidcOptions options, CancellationToken cancellationToken)
    {
        var issuer = options.Authority.ToString().TrimEnd('/');
        var address = issuer + "/.well-known/openid-configuration";
        using var response = await options.Backchannel.GetAsync(address, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new AuthenticationFailureException($"The OpenID Connect discovery document {address} answered {(int)response.StatusCode}; check --oidc-authority.");
        }

        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
        var root = document.RootElement;
        var endpoints = new OidcEndpoints(
            Text(root, "issuer", address), Endpoint(root, "authorization_endpoint", address), Endpoint(root, "token_endpoint", address));
        if (endpoints.Issuer.TrimEnd('/') != issuer)
        {
            throw new AuthenticationFailureException($"The discovery document {address} names the issuer {endpoints.Issuer}, not {issuer}; give --oidc-authority exactly as the provider's issuer.");
        }

        return endpoints;
    }

    private static string Text(JsonElement root, string name, string address) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 } text
            ? text
            : throw new AuthenticationFailureException($"The discovery document {address} has no {name}.");

    private static string Endpoint(JsonElement root, string name, string address)
    {
        var text = Text(root, name, address);
        return Uri.TryCreate(text, UriKind.Absolute, out var uri) && (uri.Scheme == "https" || (uri.Scheme == "http" && uri.IsLoopback))
            ? text
            : throw new AuthenticationFailureException($"The discovery document {address} gives {name} {text}, which is not an https:// URL.");
    }
}

internal sealed class OidcHandler(IOptionsMonitor<OidcOptions> options, ILoggerFactory logger, UrlEncoder encoder, OidcDiscovery discovery)
    : OAuthHandler<OidcOptions>(options, logger, encoder)
{
    /// <summary>The identity's authentication type, shown as "via" in the audit log.</summary>
    public const string AuthenticationType = "oidc";

    private const string NonceKey = ".oidc.nonce";

    private OidcEndpoints? _endpoints;

    protected override async Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        _endpoints = await discovery.GetAsync(Options, Context.RequestAborted);
        await base.HandleChallengeAsync(properties);
    }

    protected override string BuildChallengeUrl(AuthenticationProperties properties, string redirectUri)
    {
        // The nonce goes into the protected state with the PKCE verifier, and comes back inside the ID token.
        var nonce = Base64UrlTextEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        properties.Items[NonceKey] = nonce;
        var oauth = new Uri(base.BuildChallengeUrl(properties, redirectUri));
        var parameters = QueryHelpers.ParseQuery(oauth.Query).ToDictionary(p => p.Key, p => (string?)p.Value.ToString(), StringComparer.Ordinal);
        parameters["nonce"] = nonce;
        return QueryHelpers.AddQueryString(_endpoints!.AuthorizationEndpoint, parameters);
    }

    protected override async Task<OAuthTokenResponse> ExchangeCodeAsync(OAuthCodeExchangeContext context)
    {
        var endpoints = await discovery.GetAsync(Options, Context.RequestAborted);
        var form = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["grant_type"] = "authorization_code",
            ["code"] = context.Code,
            ["redirect_uri"] = context.RedirectUri,
            ["client_id"] = Options.ClientId,
            ["client_secret"] = Options.ClientSecret,
        };
        if (context.Properties.Items.TryGetValue(OAuthConstants.CodeVerifierKey, out var verifier) && verifier is not null)
        {
            form[OAuthConstants.CodeVerifierKey] = verifier;
            context.Properties.Items.Remove(OAuthConstants.CodeVerifierKey);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, endpoints.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.ParseAdd("application/json");
        using var response = await Backchannel.SendAsync(request, Context.RequestAborted);
        var body = await response.Content.ReadAsStringAsync(Context.RequestAborted);
        if (!response.IsSuccessStatusCode)
        {
            return OAuthTokenResponse.Failed(new AuthenticationFailureException(
                $"The token endpoint {endpoints.TokenEndpoint} answered {(int)response.StatusCode} {ErrorCode(body)}; check --oidc-client-id, the client secret and the redirect URI registered at the provider."));
        }

        return OAuthTokenResponse.Success(JsonDocument.Parse(body));
    }

    protected override async Task<AuthenticationTicket> CreateTicketAsync(ClaimsIdentity identity, AuthenticationProperties properties, OAuthTokenResponse tokens)
    {
        var endpoints = await discovery.GetAsync(Options, Context.RequestAborted);
        var idToken = tokens.Response?.RootElement.TryGetProperty("id_token", out var value) == true ? value.GetString() : null;
        if (string.IsNullOrEmpty(idToken))
        {
            throw new AuthenticationFailureException($"The provider returned no ID token; allow the scope 'openid' for the client {Options.ClientId}.");
        }

        properties.Items.TryGetValue(NonceKey, out var nonce);
        properties.Items.Remove(NonceKey);
        var claims = IdToken.Validate(idToken, endpoints.Issuer, Options.ClientId, nonce, TimeProvider.GetUtcNow());
        var user = new ClaimsIdentity(claims, AuthenticationType, ClaimTypes.Name, ClaimTypes.Role);
        return new AuthenticationTicket(new ClaimsPrincipal(user), properties, Scheme.Name);
    }

    private static string ErrorCode(string body)
    {
        try
        {
            using var json = JsonDocument.Parse(body);
            return json.RootElement.TryGetProperty("error", out var error) ? $"({error.GetString()})" : "";
        }
        catch (JsonException)
        {
            return "";
        }
    }
}

/// <summary>The ID token checks of OpenID Connect Core 1.0 §3.1.3.7 that apply to a token from the token endpoint.</summary>
public static class IdToken
{
    private static readonly TimeSpan ClockSkew = TimeSpan.FromMinutes(5);

    /// <returns>The claims PortMapper keeps: the subject, a display name and the e-mail address.</returns>
    /// <exception cref="AuthenticationFailureException">The token is malformed or not meant for this client.</exception>
    public static IReadOnlyList<Claim> Validate(string idToken, string issuer, string clientId, string? nonce, DateTimeOffset now)
    {
        var parts = idToken.Split('.');
        if (parts.Length != 3)
        {
            throw Failure("it is not a JWT");
        }

        JsonElement payload;
        try
        {
            using var json = JsonDocument.Parse(Base64UrlTextEncoder.Decode(parts[1]));
            payload = json.RootElement.Clone();
        }
        catch (Exception e) when (e is JsonException or FormatException)
        {
            throw Failure("its payload is not JSON");
        }

        if (String(payload, "iss") != issuer)
        {
            throw Failure($"its issuer is not {issuer}");
        }

        var audiences = payload.TryGetProperty("aud", out var aud)
            ? aud.ValueKind == JsonValueKind.Array ? aud.EnumerateArray().Select(a => a.GetString()).ToList() : [aud.GetString()]
            : [];
        if (!audiences.Contains(clientId) || (audiences.Count > 1 && String(payload, "azp") is { } azp && azp != clientId))
        {
            throw Failure($"it was not issued to the client {clientId}");
        }

        if (!payload.TryGetProperty("exp", out var exp) || exp.ValueKind != JsonValueKind.Number || DateTimeOffset.FromUnixTimeSeconds(exp.GetInt64()) + ClockSkew < now)
        {
            throw Failure("it has expired (or has no exp)");
        }

        if (nonce is null || String(payload, "nonce") != nonce)
        {
            throw Failure("its nonce does not match the sign-in request");
        }

        var subject = String(payload, "sub") ?? throw Failure("it has no sub");
        var name = String(payload, "preferred_username") ?? String(payload, "email") ?? String(payload, "name") ?? subject;
        var claims = new List<Claim> { new(ClaimTypes.NameIdentifier, subject, ClaimValueTypes.String, issuer), new(ClaimTypes.Name, name, ClaimValueTypes.String, issuer) };
        if (String(payload, "email") is { } email)
        {
            claims.Add(new Claim(ClaimTypes.Email, email, ClaimValueTypes.String, issuer));
        }

        return claims;
    }

    private static string? String(JsonElement payload, string name) =>
        payload.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static AuthenticationFailureException Failure(string why) => new($"The provider's ID token was refused: {why}.");
}
