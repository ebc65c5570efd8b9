using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;

namespace PortMapper.Web.Tests.Support;

/// <summary>
/// An OpenID Connect provider's back channel as PortMapper's handler sees it: the discovery document and a token
/// endpoint that checks the client secret, the redirect URI and the PKCE verifier before it hands out an ID token.
/// </summary>
internal sealed class FakeOidcProvider(string issuer, string clientId, string clientSecret) : HttpMessageHandler
{
    private readonly ConcurrentDictionary<string, Grant> _grants = new(StringComparer.Ordinal);

    public string Issuer { get; } = issuer;

    /// <summary>What the token endpoint was sent, in order, for assertions.</summary>
    public ConcurrentQueue<Dictionary<string, string>> TokenRequests { get; } = new();

    /// <summary>Approves a sign-in: the code the provider would send back to the browser, for these request values.</summary>
    public string Approve(string codeChallenge, string redirectUri, Dictionary<string, object> idTokenClaims)
    {
        var code = Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        _grants[code] = new Grant(codeChallenge, redirectUri, idTokenClaims);
        return code;
    }

    /// <summary>An unsigned JWT with these claims: PortMapper trusts the back channel's TLS, not a signature.</summary>
    public static string IdToken(Dictionary<string, object> claims) =>
        string.Join('.', Encode(new Dictionary<string, object> { ["alg"] = "RS256", ["typ"] = "JWT" }), Encode(claims), "c2lnbmF0dXJl");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var path = request.RequestUri!.AbsolutePath;
        if (request.Method == HttpMethod.Get && path.EndsWith("/.well-known/openid-configuration", StringComparison.Ordinal))
        {
            return Json(HttpStatusCode.OK, new
            {
                issuer = Issuer,
                authorization_endpoint = $"{Issuer}/protocol/openid-connect/auth",
                token_endpoint = $"{Issuer}/protocol/openid-connect/token",
                response_types_supported = new[] { "code" },
                code_challenge_methods_supported = new[] { "S256" },
            });
        }

        if (request.Method == HttpMethod.Post && path.EndsWith("/protocol/openid-connect/token", StringComparison.Ordinal))
        {
            var form = QueryHelpers.ParseQuery(await request.Content!.ReadAsStringAsync(cancellationToken)).ToDictionary(p => p.Key, p => p.Value.ToString());
            TokenRequests.Enqueue(form);
            if (form.GetValueOrDefault("client_id") != clientId || form.GetValueOrDefault("client_secret") != clientSecret)
            {
                return Json(HttpStatusCode.Unauthorized, new { error = "invalid_client" });
            }

            if (form.GetValueOrDefault("grant_type") != "authorization_code" || !_grants.TryRemove(form.GetValueOrDefault("code") ?? "", out var grant)
                || grant.RedirectUri != form.GetValueOrDefault("redirect_uri")
                || WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(form.GetValueOrDefault("code_verifier") ?? ""))) != grant.CodeChallenge)
            {
                return Json(HttpStatusCode.BadRequest, new { error = "invalid_grant" });
            }

            return Json(HttpStatusCode.OK, new { access_token = "at-" + Guid.NewGuid(), token_type = "Bearer", expires_in = 300, id_token = IdToken(grant.Claims) });
        }

        return new HttpResponseMessage(HttpStatusCode.NotFound);
    }

    private static string Encode(Dictionary<string, object> value) => WebEncoders.Base64UrlEncode(JsonSerializer.SerializeToUtf8Bytes(value));

    private static HttpResponseMessage Json(HttpStatusCode status, object body) =>
        new(status) { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };

    private sealed record Grant(string CodeChallenge, string RedirectUri, Dictionary<string, object> Claims);
}
