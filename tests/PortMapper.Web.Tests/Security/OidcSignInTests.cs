using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;
using PortMapper.Web.Security;
using PortMapper.Web.Tests.Support;

namespace PortMapper.Web.Tests.Security;

/// <summary>Sign-in with OpenID Connect: the browser's round trip to the provider, and the back channel to its token endpoint.</summary>
public sealed class OidcSignInTests : IAsyncLifetime
{
    private const string Issuer = "https://idp.example/realms/main";
    private const string ClientId = "portmapper";
    private const string ClientSecret = "oidc-client-secret-7f3a9c";

    private readonly string _secretFile = Path.Combine(Path.GetTempPath(), $"portmapper-oidc-{Guid.NewGuid():N}");
    private readonly FakeOidcProvider _provider = new(Issuer, ClientId, ClientSecret);
    private TestApp _app = null!;

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(_secretFile, ClientSecret);
        _app = await TestApp.StartAsync(
            ["--allow-apply", "--urls", "http://0.0.0.0:8080", "--oidc-authority", Issuer, "--oidc-client-id", ClientId, "--oidc-client-secret-file", _secretFile],
            new FakeLiveCluster(),
            configure: b => b.Services.Configure<OidcOptions>(SecurityHosting.OidcScheme, o => o.BackchannelHttpHandler = _provider));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        File.Delete(_secretFile);
    }

    [Fact]
    public async Task Challenge_RedirectsToTheProviderWithPkceNonceAndState()
    {
        using var client = _app.CreateClient();

        var query = await ChallengeAsync(client);

        Assert.Equal(ClientId, query["client_id"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("openid profile email", query["scope"]);
        Assert.Equal("https://localhost/signin-oidc", query["redirect_uri"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"].Length);
        Assert.NotEmpty(query["nonce"]);
        Assert.NotEmpty(query["state"]);
    }

    [Fact]
    public async Task Callback_WithTheProvidersCode_SignsThePersonInForApply()
    {
        using var client = _app.CreateClient();
        var query = await ChallengeAsync(client, returnUrl: "signin");
        var code = _provider.Approve(query["code_challenge"], query["redirect_uri"], Claims(query["nonce"]));

        using var callback = await client.GetAsync($"/signin-oidc?code={code}&state={Uri.EscapeDataString(query["state"])}");

        Assert.Equal(HttpStatusCode.Redirect, callback.StatusCode);
        Assert.Equal("/signin", callback.Headers.Location?.ToString());
        var request = Assert.Single(_provider.TokenRequests);
        Assert.Equal(ClientSecret, request["client_secret"]);
        using var access = JsonDocument.Parse(await client.GetStringAsync("/api/access"));
        Assert.True(access.RootElement.GetProperty("applyAllowed").GetBoolean());
        Assert.Equal("alice", access.RootElement.GetProperty("user").GetString());
    }

    [Fact]
    public async Task Callback_IdTokenWithAnotherNonce_IsRefusedAndLogged()
    {
        using var client = _app.CreateClient();
        var query = await ChallengeAsync(client);
        var code = _provider.Approve(query["code_challenge"], query["redirect_uri"], Claims("replayed-nonce"));

        using var callback = await client.GetAsync($"/signin-oidc?code={code}&state={Uri.EscapeDataString(query["state"])}");

        Assert.Equal("/signin?error=oidc", callback.Headers.Location?.ToString());
        using var access = JsonDocument.Parse(await client.GetStringAsync("/api/access"));
        Assert.False(access.RootElement.GetProperty("applyAllowed").GetBoolean());
        Assert.Contains(_app.Logs.Entries, e => e.Level == LogLevel.Warning && e.Message.Contains("its nonce does not match the sign-in request", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Callback_WithoutTheCorrelationCookie_IsRefused()
    {
        using var browser = _app.CreateClient();
        var query = await ChallengeAsync(browser);
        var code = _provider.Approve(query["code_challenge"], query["redirect_uri"], Claims(query["nonce"]));
        using var attacker = _app.CreateClient();

        using var callback = await attacker.GetAsync($"/signin-oidc?code={code}&state={Uri.EscapeDataString(query["state"])}");

        Assert.Equal("/signin?error=oidc", callback.Headers.Location?.ToString());
        Assert.Empty(_provider.TokenRequests);
    }

    [Fact]
    public async Task SignInPage_WithOidc_OffersTheProvider()
    {
        using var client = _app.CreateClient();

        var page = await client.GetStringAsync("/signin?returnUrl=designer");

        Assert.Contains("href=\"auth/oidc?returnUrl=designer\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("pm-signin-token", page, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("iss", "https://other.example", "its issuer is not https://idp.example/realms/main")]
    [InlineData("aud", "someone-else", "it was not issued to the client portmapper")]
    [InlineData("nonce", "n2", "its nonce does not match the sign-in request")]
    [InlineData("exp", 1_000_000_000L, "it has expired")]
    public void Validate_WrongClaim_SaysWhichCheckFailed(string claim, object value, string expected)
    {
        var claims = Claims("n1");
        claims[claim] = value;

        var e = Assert.Throws<AuthenticationFailureException>(() => IdToken.Validate(FakeOidcProvider.IdToken(claims), Issuer, ClientId, "n1", DateTimeOffset.UtcNow));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_GoodToken_KeepsSubjectNameAndEmail()
    {
        var claims = IdToken.Validate(FakeOidcProvider.IdToken(Claims("n1")), Issuer, ClientId, "n1", DateTimeOffset.UtcNow);

        Assert.Equal(["sub-123", "alice", "alice@example.com"], claims.Select(c => c.Value));
    }

    private static Dictionary<string, object> Claims(string nonce) => new()
    {
        ["iss"] = Issuer,
        ["aud"] = ClientId,
        ["sub"] = "sub-123",
        ["preferred_username"] = "alice",
        ["email"] = "alice@example.com",
        ["nonce"] = nonce,
        ["exp"] = DateTimeOffset.UtcNow.AddMinutes(5).ToUnixTimeSeconds(),
    };

    private static async Task<Dictionary<string, string>> ChallengeAsync(HttpClient client, string returnUrl = "")
    {
        using var response = await client.GetAsync($"/auth/oidc?returnUrl={returnUrl}");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        var location = response.Headers.Location!;
        Assert.Equal($"{Issuer}/protocol/openid-connect/auth", location.GetLeftPart(UriPartial.Path));
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString());
    }
}
