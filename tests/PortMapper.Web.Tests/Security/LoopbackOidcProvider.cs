using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace PortMapper.Web.Tests.Security;

/// <summary>What kind of ID token the provider hands out next.</summary>
public enum IdTokenKind
{
    Valid,

    /// <summary>Signed by another RSA key under the provider's key id: the signature does not match the JWKS.</summary>
    SignedByAnotherKey,
    WrongAudience,
    WrongIssuer,

    /// <summary>A nonce other than the one in the authorization request (a replayed token).</summary>
    WrongNonce,
    Expired,
    NotYetValid,

    /// <summary>alg "none" and no signature.</summary>
    Unsigned,
}

/// <summary>
/// A small OpenID Connect provider on Kestrel at 127.0.0.1 (a free port), for tests: discovery, a JWKS with its own RSA
/// signing key, an authorize endpoint that approves at once (PKCE S256 required) and a token endpoint that checks the
/// client secret, the redirect URI and the PKCE code_verifier before it signs an RS256 ID token.
/// Shared by PortMapper.Web.Tests and PortMapper.EndToEnd (linked there).
/// </summary>
internal sealed class LoopbackOidcProvider : IAsyncDisposable
{
    private const string KeyId = "loopback-key-1";

    private readonly RSA _key = RSA.Create(2048);
    private readonly RSA _otherKey = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, Grant> _grants = new(StringComparer.Ordinal);
    private readonly WebApplication _app;

    private LoopbackOidcProvider(string clientId, string clientSecret)
    {
        ClientId = clientId;
        ClientSecret = clientSecret;
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        _app = builder.Build();
        _app.MapGet("/.well-known/openid-configuration", Discovery);
        _app.MapGet("/jwks", Jwks);
        _app.MapGet("/authorize", Authorize);
        _app.MapPost("/token", TokenAsync);
    }

    /// <summary>The issuer, e.g. http://127.0.0.1:41234 (no trailing slash).</summary>
    public string Issuer { get; private set; } = "";

    public string ClientId { get; }

    /// <summary>The secret the token endpoint accepts; change it to make PortMapper's secret wrong.</summary>
    public string ClientSecret { get; set; }

    /// <summary>The ID token the next code is redeemed for.</summary>
    public IdTokenKind NextIdToken { get; set; } = IdTokenKind.Valid;

    /// <summary>The claims of the signed-in person.</summary>
    public string UserName { get; set; } = "alice";

    /// <summary>Authorization requests received, as their query parameters.</summary>
    public ConcurrentQueue<Dictionary<string, string>> AuthorizeRequests { get; } = new();

    /// <summary>Token requests received, as their form fields.</summary>
    public ConcurrentQueue<Dictionary<string, string>> TokenRequests { get; } = new();

    /// <summary>ID tokens signed and sent.</summary>
    public int IdTokensIssued => _issued;

    private int _issued;

    public static async Task<LoopbackOidcProvider> StartAsync(string clientId = "portmapper", string clientSecret = "loopback-client-secret-3c9d1e")
    {
        var provider = new LoopbackOidcProvider(clientId, clientSecret);
        await provider._app.StartAsync();
        provider.Issuer = provider._app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single().TrimEnd('/');
        return provider;
    }

    private IResult Discovery() => Results.Json(new Dictionary<string, object>
    {
        ["issuer"] = Issuer,
        ["authorization_endpoint"] = $"{Issuer}/authorize",
        ["token_endpoint"] = $"{Issuer}/token",
        ["jwks_uri"] = $"{Issuer}/jwks",
        ["response_types_supported"] = new[] { "code" },
        ["subject_types_supported"] = new[] { "public" },
        ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        ["code_challenge_methods_supported"] = new[] { "S256" },
        ["token_endpoint_auth_methods_supported"] = new[] { "client_secret_post", "client_secret_basic" },
        ["scopes_supported"] = new[] { "openid", "profile", "email" },
    });

    private IResult Jwks()
    {
        var key = _key.ExportParameters(includePrivateParameters: false);
        return Results.Json(new
        {
            keys = new[]
            {
                new Dictionary<string, string>
                {
                    ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = KeyId,
                    ["n"] = WebEncoders.Base64UrlEncode(key.Modulus!), ["e"] = WebEncoders.Base64UrlEncode(key.Exponent!),
                },
            },
        });
    }

    private IResult Authorize(HttpRequest request)
    {
        var query = request.Query.ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        AuthorizeRequests.Enqueue(query);
        string Get(string name) => query.GetValueOrDefault(name) ?? "";
        if (Get("client_id") != ClientId || Get("response_type") != "code" || !Get("scope").Split(' ').Contains("openid")
            || Get("code_challenge_method") != "S256" || Get("code_challenge").Length != 43 || !Uri.TryCreate(Get("redirect_uri"), UriKind.Absolute, out var redirect))
        {
            return Results.BadRequest($"bad authorization request: {request.QueryString}");
        }

        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _grants[code] = new Grant(Get("code_challenge"), redirect.ToString(), Get("nonce"));
        return Results.Redirect(QueryHelpers.AddQueryString(redirect.ToString(), new Dictionary<string, string?> { ["code"] = code, ["state"] = Get("state"), ["iss"] = Issuer }));
    }

    private async Task<IResult> TokenAsync(HttpRequest request)
    {
        var form = (await request.ReadFormAsync()).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
        TokenRequests.Enqueue(form);
        var (id, secret) = (form.GetValueOrDefault("client_id"), form.GetValueOrDefault("client_secret"));
        if (request.Headers.Authorization.ToString() is { } basic && basic.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(basic["Basic ".Length..])).Split(':', 2);
            (id, secret) = (Uri.UnescapeDataString(pair[0]), Uri.UnescapeDataString(pair[1]));
        }

        if (id != ClientId || secret != ClientSecret)
        {
            return Results.Json(new { error = "invalid_client", error_description = "client authentication failed" }, statusCode: StatusCodes.Status401Unauthorized);
        }

        var verifier = form.GetValueOrDefault("code_verifier") ?? "";
        if (form.GetValueOrDefault("grant_type") != "authorization_code" || !_grants.TryRemove(form.GetValueOrDefault("code") ?? "", out var grant)
            || grant.RedirectUri != form.GetValueOrDefault("redirect_uri")
            || WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != grant.CodeChallenge)
        {
            return Results.Json(new { error = "invalid_grant", error_description = "unknown code, or its redirect_uri or PKCE code_verifier does not match" }, statusCode: StatusCodes.Status400BadRequest);
        }

        Interlocked.Increment(ref _issued);
        return Results.Json(new { access_token = "at-" + Guid.NewGuid().ToString("N"), token_type = "Bearer", expires_in = 300, id_token = IdToken(grant.Nonce, NextIdToken) });
    }

    /// <summary>An RS256-signed ID token of the given kind.</summary>
    public string IdToken(string nonce, IdTokenKind kind)
    {
        var now = DateTimeOffset.UtcNow;
        var (notBefore, expires) = kind switch
        {
            IdTokenKind.Expired => (now.AddHours(-2), now.AddHours(-1)),
            IdTokenKind.NotYetValid => (now.AddHours(1), now.AddHours(2)),
            _ => (now.AddSeconds(-5), now.AddMinutes(10)),
        };
        var claims = new Dictionary<string, object>
        {
            ["iss"] = kind == IdTokenKind.WrongIssuer ? "https://other-issuer.example" : Issuer,
            ["aud"] = kind == IdTokenKind.WrongAudience ? "someone-else" : ClientId,
            ["sub"] = $"sub-{UserName}",
            ["preferred_username"] = UserName,
            ["email"] = $"{UserName}@example.com",
            ["nonce"] = kind == IdTokenKind.WrongNonce ? "replayed-nonce" : nonce,
            ["iat"] = notBefore.ToUnixTimeSeconds(),
            ["nbf"] = notBefore.ToUnixTimeSeconds(),
            ["exp"] = expires.ToUnixTimeSeconds(),
        };
        if (kind == IdTokenKind.Unsigned)
        {
            return $"{Encode(new Dictionary<string, object> { ["alg"] = "none", ["typ"] = "JWT" })}.{Encode(claims)}.";
        }

        var header = new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "JWT", ["kid"] = KeyId };
        var signed = $"{Encode(header)}.{Encode(claims)}";
        var key = kind == IdTokenKind.SignedByAnotherKey ? _otherKey : _key;
        var signature = key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        return $"{signed}.{WebEncoders.Base64UrlEncode(signature)}";
    }

    private static string Encode(Dictionary<string, object> value) => WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(value));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _key.Dispose();
        _otherKey.Dispose();
    }

    private sealed record Grant(string CodeChallenge, string RedirectUri, string Nonce);
}
