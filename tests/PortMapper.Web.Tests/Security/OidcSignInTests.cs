using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using PortMapper.Web.Security;
using PortMapper.Web.Tests.Support;

namespace PortMapper.Web.Tests.Security;

/// <summary>
/// Sign-in with OpenID Connect against a real provider on 127.0.0.1 (LoopbackOidcProvider): PortMapper on Kestrel
/// behind the path base /portmapper (so apply needs a signed-in person), a client that follows every redirect between
/// the two like a browser, and the apply endpoint to show what the sign-in allows.
/// </summary>
public sealed class OidcSignInTests : IAsyncLifetime
{
    private static readonly System.Text.RegularExpressions.Regex Jwt = new(@"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}");

    private const string ClientSecret = "oidc-client-secret-7f3a9c";

    private readonly string _secretFile = Path.Combine(Path.GetTempPath(), $"portmapper-oidc-{Guid.NewGuid():N}");
    private LoopbackOidcProvider _provider = null!;
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        _provider = await LoopbackOidcProvider.StartAsync("portmapper", ClientSecret);
        await File.WriteAllTextAsync(_secretFile, ClientSecret);
        _app = await TestApp.StartAsync(
            ["--allow-apply", "--path-base", "/portmapper", "--oidc-authority", _provider.Issuer, "--oidc-client-id", "portmapper", "--oidc-client-secret-file", _secretFile],
            new FakeLiveCluster(), kestrel: true);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _provider.DisposeAsync();
        File.Delete(_secretFile);
    }

    [Fact]
    public async Task Challenge_SendsTheBrowserToTheProvidersAuthorizeEndpoint_WithPkceNonceAndState()
    {
        using var client = _app.CreateClient();

        using var response = await client.GetAsync("/portmapper/auth/oidc?returnUrl=designer");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal($"{_provider.Issuer}/authorize", location.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
        Assert.Equal("portmapper", query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        // The code comes back in the query (the default for response_type=code, so the handler leaves response_mode out).
        Assert.Equal("query", query.GetValueOrDefault("response_mode", "query"));
        Assert.Equal(["email", "openid", "profile"], query["scope"].Split(' ').Order(StringComparer.Ordinal));
        Assert.Equal(new Uri(_app.Address, "/portmapper/signin-oidc").ToString(), query["redirect_uri"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"].Length);
        Assert.NotEmpty(query["nonce"]);
        Assert.NotEmpty(query["state"]);
        Assert.DoesNotContain(ClientSecret, location.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ValidSignIn_EndsSignedIn_AndApplyIsAllowed()
    {
        using var client = _app.CreateClient();

        var (final, visited) = await SignInAsync(client, "designer");

        Assert.Equal(HttpStatusCode.OK, final.StatusCode);
        Assert.Equal(new Uri(_app.Address, "/portmapper/designer"), final.RequestMessage!.RequestUri);
        Assert.Contains(visited, u => u.StartsWith($"{_provider.Issuer}/authorize", StringComparison.Ordinal));
        var token = Assert.Single(_provider.TokenRequests);
        Assert.Equal(ClientSecret, token["client_secret"]);
        Assert.Equal(43, token["code_verifier"].Length);
        var access = await AccessAsync(client);
        Assert.True(access.GetProperty("applyAllowed").GetBoolean());
        Assert.Equal("alice", access.GetProperty("user").GetString());
        using var apply = await ApplyAsync(client);
        Assert.Equal(HttpStatusCode.OK, apply.StatusCode);
        Assert.Contains(_app.Logs.Entries, e => e.Message.StartsWith("Apply audit: user=alice via=oidc dryRun=False", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ValidSignIn_NoTokenReachesTheBrowser()
    {
        using var client = _app.CreateClient();
        var cookies = new CookieContainer();
        using var jar = _app.CreateClient(cookies);

        var (final, _) = await SignInAsync(jar, "signin");
        var page = await final.Content.ReadAsStringAsync();

        Assert.Contains("Signed in as", page, StringComparison.Ordinal);
        foreach (var cookie in cookies.GetAllCookies().Cast<Cookie>())
        {
            // Only PortMapper's own Data Protection cookie: no JWT (header.payload, both base64url JSON starting "eyJ";
            // a bare "eyJ" can occur by chance in the encrypted cookie).
            Assert.DoesNotMatch(Jwt, cookie.Value);
            Assert.True(cookie.HttpOnly, $"cookie {cookie.Name} is readable by scripts");
        }

        Assert.DoesNotMatch(Jwt, page);
        Assert.DoesNotContain(ClientSecret, page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(IdTokenKind.SignedByAnotherKey, "signature", "the ID token's signature does not match the provider's keys")]
    [InlineData(IdTokenKind.WrongAudience, "audience", "it was issued for another client (its audience is not PortMapper's --oidc-client-id)")]
    [InlineData(IdTokenKind.Unsigned, "signature", "the ID token's signature does not match the provider's keys")]
    [InlineData(IdTokenKind.WrongIssuer, "issuer", "its issuer is not the provider given as --oidc-authority")]
    [InlineData(IdTokenKind.WrongNonce, "nonce", "its nonce does not match this sign-in request")]
    [InlineData(IdTokenKind.Expired, "expired", "it has expired")]
    [InlineData(IdTokenKind.NotYetValid, "not-yet-valid", "it is not valid yet")]
    public async Task BadIdToken_IsRefusedWithItsReasonOnTheSignInPage_AndNothingIsApplied(IdTokenKind kind, string code, string message)
    {
        _provider.NextIdToken = kind;
        using var client = _app.CreateClient();

        var (final, _) = await SignInAsync(client, "designer");

        await AssertRefusedAsync(client, final, code, message);
        Assert.Equal(1, _provider.IdTokensIssued);
    }

    [Fact]
    public async Task WrongClientSecret_IsRefusedWithItsReason_AndNothingIsApplied()
    {
        _provider.ClientSecret = "the-provider-expects-another-secret";
        using var client = _app.CreateClient();

        var (final, _) = await SignInAsync(client, "designer");

        await AssertRefusedAsync(client, final, "client", "The provider refused PortMapper's client credentials (invalid_client)");
        Assert.Equal(0, _provider.IdTokensIssued);
    }

    [Fact]
    public async Task BehindAProxy_XForwardedPrefix_IsInTheRedirectUriAndTheWayBack()
    {
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-Prefix", "/tools/pm");

        var (final, visited) = await SignInAsync(client, "designer", prefix: "");

        var authorize = Assert.Single(_provider.AuthorizeRequests);
        Assert.Equal(new Uri(_app.Address, "/tools/pm/signin-oidc").ToString(), authorize["redirect_uri"]);
        // The proxy would strip /tools/pm again; Kestrel here answers the prefixed path with the app's not-found page.
        Assert.Contains(new Uri(_app.Address, "/tools/pm/signin-oidc").GetLeftPart(UriPartial.Path), visited[2], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, final.StatusCode);
    }

    [Fact]
    public async Task CallbackFromAnotherBrowser_WithoutTheCorrelationCookie_IsRefused()
    {
        using var browser = _app.CreateClient();
        using var challenge = await browser.GetAsync("/portmapper/auth/oidc");
        using var provider = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var approved = await provider.GetAsync(challenge.Headers.Location);
        using var attacker = _app.CreateClient();

        var (final, _) = await FollowAsync(attacker, approved.Headers.Location!);

        await AssertRefusedAsync(attacker, final, "state", "could not be matched to a request from this browser");
        Assert.Empty(_provider.TokenRequests);
    }

    [Fact]
    public async Task CodeWithAnotherPkceVerifier_IsRefusedByTheProvider()
    {
        // Two sign-ins in one browser; the code of the first is sent back with the state (and so the verifier) of the second.
        using var client = _app.CreateClient();
        using var provider = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false });
        using var first = await client.GetAsync("/portmapper/auth/oidc");
        using var firstApproved = await provider.GetAsync(first.Headers.Location);
        using var second = await client.GetAsync("/portmapper/auth/oidc");
        using var secondApproved = await provider.GetAsync(second.Headers.Location);
        var firstCode = QueryHelpers.ParseQuery(firstApproved.Headers.Location!.Query)["code"];
        var secondState = QueryHelpers.ParseQuery(secondApproved.Headers.Location!.Query)["state"];

        var (final, _) = await FollowAsync(client, new Uri(_app.Address, $"/portmapper/signin-oidc?code={firstCode}&state={Uri.EscapeDataString(secondState!)}"));

        await AssertRefusedAsync(client, final, "grant", "The provider refused the authorization code (invalid_grant)");
    }

    [Fact]
    public async Task SignInPage_WithOidc_OffersTheProvider_AndShowsOnlyKnownRefusals()
    {
        using var client = _app.CreateClient();

        var page = await client.GetStringAsync("/portmapper/signin?returnUrl=designer&error=%3Cscript%3E");

        Assert.Contains("href=\"auth/oidc?returnUrl=designer\"", page, StringComparison.Ordinal);
        Assert.Contains("Sign in with OpenID Connect", page, StringComparison.Ordinal);
        Assert.DoesNotContain("pm-signin-token", page, StringComparison.Ordinal);
        Assert.DoesNotContain("role=\"alert\"", page, StringComparison.Ordinal);
        var signIn = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page).QuerySelector(".pm-signin")!;
        Assert.Contains("mud-paper", signIn.InnerHtml, StringComparison.Ordinal);
        Assert.DoesNotContain("rz-", signIn.OuterHtml, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProviderUnreachable_TheChallengeSaysSoOnTheSignInPage()
    {
        await using var app = await TestApp.StartAsync(
            ["--allow-apply", "--path-base", "/portmapper", "--oidc-authority", "http://127.0.0.1:9", "--oidc-client-id", "portmapper", "--oidc-client-secret-file", _secretFile],
            new FakeLiveCluster(), kestrel: true);
        using var client = app.CreateClient();

        var (final, _) = await FollowAsync(client, new Uri(app.Address, "/portmapper/auth/oidc?returnUrl=designer"));

        Assert.Equal(HttpStatusCode.OK, final.StatusCode);
        Assert.Contains("cannot read the provider&#x27;s discovery document", await final.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("signature")]
    [InlineData("client")]
    [InlineData("oidc")]
    public void Refusal_KnownCodes_HaveAMessage(string code) => Assert.NotNull(OidcRefusal.Message(code));

    [Fact]
    public void Refusal_UnknownCode_HasNone() => Assert.Null(OidcRefusal.Message("<b>phish</b>"));

    private async Task AssertRefusedAsync(HttpClient client, HttpResponseMessage final, string code, string message)
    {
        Assert.Equal(HttpStatusCode.OK, final.StatusCode);
        Assert.Equal($"/portmapper/signin?error={code}", final.RequestMessage!.RequestUri!.PathAndQuery);
        var page = WebUtility.HtmlDecode(await final.Content.ReadAsStringAsync());
        Assert.Contains(message, page, StringComparison.Ordinal);
        Assert.Contains(_app.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.StartsWith($"OpenID Connect sign-in refused ({code})", StringComparison.Ordinal));
        var access = await AccessAsync(client);
        Assert.False(access.GetProperty("applyAllowed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, access.GetProperty("user").ValueKind);
        using var apply = await ApplyAsync(client);
        Assert.Equal(HttpStatusCode.Forbidden, apply.StatusCode);
        Assert.Contains("Sign in to apply", await apply.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.DoesNotContain(_app.Logs.Entries, e => e.Message.StartsWith("Apply audit:", StringComparison.Ordinal));
    }

    /// <summary>Starts at /auth/oidc and follows the redirects through the provider and back, as a browser would.</summary>
    private Task<(HttpResponseMessage Final, List<string> Visited)> SignInAsync(HttpClient client, string returnUrl, string prefix = "/portmapper") =>
        FollowAsync(client, new Uri(_app.Address, $"{prefix}/auth/oidc?returnUrl={returnUrl}"));

    private static async Task<(HttpResponseMessage Final, List<string> Visited)> FollowAsync(HttpClient client, Uri start)
    {
        var visited = new List<string>();
        var next = start;
        for (var hop = 0; hop < 10; hop++)
        {
            visited.Add(next.ToString());
            var response = await client.GetAsync(next);
            if (response.StatusCode is not (HttpStatusCode.Redirect or HttpStatusCode.Found or HttpStatusCode.SeeOther or HttpStatusCode.TemporaryRedirect))
            {
                return (response, visited);
            }

            next = new Uri(next, response.Headers.Location!);
            response.Dispose();
        }

        throw new InvalidOperationException($"More than 10 redirects: {string.Join(" -> ", visited)}");
    }

    private static async Task<JsonElement> AccessAsync(HttpClient client)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("/portmapper/api/access"));
        return json.RootElement.Clone();
    }

    private static Task<HttpResponseMessage> ApplyAsync(HttpClient client) =>
        client.PostAsync("/portmapper/api/manifests/apply?dryRun=false", new StringContent("""
            apiVersion: v1
            kind: Service
            metadata:
              name: oidc-test
              namespace: default
            spec:
              selector:
                app: oidc-test
              ports:
              - port: 80
            """, Encoding.UTF8, "application/yaml"));
}
