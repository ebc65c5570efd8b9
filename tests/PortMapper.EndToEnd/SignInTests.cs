using Microsoft.Playwright;
using PortMapper.Web.Tests.Security;
using static Microsoft.Playwright.Assertions;

namespace PortMapper.EndToEnd;

/// <summary>The app behind a proxy at /portmapper with --allow-apply and --apply-token-file.</summary>
public sealed class TokenSignInAppFixture : PortMapperAppFixture, IDisposable
{
    public string Token { get; } = "e2e-" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(20));

    private readonly string _tokenFile = Path.Combine(Path.GetTempPath(), $"portmapper-e2e-token-{Guid.NewGuid():N}");

    public TokenSignInAppFixture() => File.WriteAllText(_tokenFile, Token);

    protected override IEnumerable<string> Arguments => ["--allow-apply", "--path-base", "/portmapper", "--apply-token-file", _tokenFile];

    public void Dispose() => File.Delete(_tokenFile);
}

[CollectionDefinition(Name)]
public sealed class TokenSignInCollection : ICollectionFixture<TokenSignInAppFixture>
{
    public const string Name = "browser with token sign-in";
}

[Collection(TokenSignInCollection.Name)]
public sealed class SignInTests(TokenSignInAppFixture app)
{
    [Fact]
    public async Task SignInWithTheToken_UnderThePathBase_TheLiveHeaderShowsThePersonUntilSignOut()
    {
        await using var tab = await app.OpenAsync("portmapper/signin");

        await tab.Page.GetByLabel("Apply token").FillAsync(app.Token);
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in with the token" }).ClickAsync();

        await Expect(tab.Page).ToHaveURLAsync(new Uri(app.BaseAddress, "portmapper/").ToString());
        await tab.WaitForInteractiveAsync();
        // Rendered by the circuit: the WebSocket connection carried the sign-in cookie.
        await Expect(tab.Page.Locator("[role=banner] .pm-signin-name")).ToHaveTextAsync("token holder");
        await tab.SaveScreenshotAsync("signed-in");

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(tab.Page.Locator("[role=banner] .pm-signin-name")).ToHaveCountAsync(0);
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task SignInWithAWrongToken_ShowsWhyAndStaysSignedOut()
    {
        await using var tab = await app.OpenAsync("portmapper/signin");

        await tab.Page.GetByLabel("Apply token").FillAsync("definitely-not-the-token");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Sign in with the token" }).ClickAsync();

        await Expect(tab.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("That token does not match");
        await Expect(tab.Page.GetByLabel("Apply token")).ToHaveValueAsync("");
        await tab.SaveScreenshotAsync("token-refused");
        Assert.Empty(tab.Problems);
    }
}

/// <summary>The app behind a proxy at /portmapper with --allow-apply and OpenID Connect through a provider on 127.0.0.1.</summary>
public sealed class OidcSignInAppFixture : PortMapperAppFixture
{
    private const string ClientSecret = "e2e-oidc-client-secret-51d7";

    private readonly string _secretFile = Path.Combine(Path.GetTempPath(), $"portmapper-e2e-oidc-{Guid.NewGuid():N}");

    internal LoopbackOidcProvider Provider { get; private set; } = null!;

    protected override IEnumerable<string> Arguments =>
        ["--allow-apply", "--path-base", "/portmapper", "--oidc-authority", Provider.Issuer, "--oidc-client-id", Provider.ClientId, "--oidc-client-secret-file", _secretFile];

    protected override async Task BeforeStartAsync()
    {
        Provider = await LoopbackOidcProvider.StartAsync("portmapper", ClientSecret);
        await File.WriteAllTextAsync(_secretFile, ClientSecret);
    }

    protected override async Task AfterStopAsync()
    {
        await Provider.DisposeAsync();
        File.Delete(_secretFile);
    }
}

[CollectionDefinition(Name)]
public sealed class OidcSignInCollection : ICollectionFixture<OidcSignInAppFixture>
{
    public const string Name = "browser with OpenID Connect sign-in";
}

[Collection(OidcSignInCollection.Name)]
public sealed class OidcSignInTests(OidcSignInAppFixture app)
{
    [Theory]
    [InlineData("portmapper/")]
    [InlineData("")]
    public async Task SignInThroughTheProvider_TheLiveHeaderShowsThePersonUntilSignOut(string pathBase)
    {
        await using var tab = await app.OpenAsync($"{pathBase}signin");

        await tab.Page.GetByRole(AriaRole.Link, new() { Name = "Sign in with OpenID Connect" }).ClickAsync();

        // Through the provider's authorize endpoint and back to /signin-oidc, then home.
        await Expect(tab.Page).ToHaveURLAsync(new Uri(app.BaseAddress, pathBase).ToString());
        Assert.Contains(app.Provider.AuthorizeRequests, r => r["redirect_uri"] == new Uri(app.BaseAddress, $"{pathBase}signin-oidc").ToString());
        await tab.WaitForInteractiveAsync();
        await Expect(tab.Page.Locator("[role=banner] .pm-signin-name")).ToHaveTextAsync("alice");
        await tab.SaveScreenshotAsync($"oidc-signed-in{(pathBase.Length > 0 ? "-path-base" : "")}");
        var cookies = await tab.Page.Context.CookiesAsync();
        // No token in a cookie: a JWT is header.payload, both base64url JSON ("eyJ" + ... + ".eyJ"). A bare "eyJ" can
        // occur by chance in the encrypted cookie (about once in a hundred runs), so the whole shape is looked for.
        Assert.DoesNotContain(cookies, c => System.Text.RegularExpressions.Regex.IsMatch(c.Value, @"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}"));

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
        await Expect(tab.Page.Locator("[role=banner] .pm-signin-name")).ToHaveCountAsync(0);
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task AnIdTokenSignedByAnotherKey_IsRefusedWithItsReasonOnTheSignInPage()
    {
        app.Provider.NextIdToken = IdTokenKind.SignedByAnotherKey;
        try
        {
            await using var tab = await app.OpenAsync("portmapper/signin");

            await tab.Page.GetByRole(AriaRole.Link, new() { Name = "Sign in with OpenID Connect" }).ClickAsync();

            await Expect(tab.Page).ToHaveURLAsync(new Uri(app.BaseAddress, "portmapper/signin?error=signature").ToString());
            await Expect(tab.Page.GetByRole(AriaRole.Alert)).ToContainTextAsync("the ID token's signature does not match the provider's keys");
            await Expect(tab.Page.Locator(".pm-signin-user")).ToHaveCountAsync(0);
            await Expect(tab.Page.Locator("[role=banner] .pm-signin-name")).ToHaveCountAsync(0);
            await tab.SaveScreenshotAsync("oidc-refused-signature");
            var access = await tab.Page.APIRequest.GetAsync("portmapper/api/access");
            Assert.Contains("\"user\":null", await access.TextAsync(), StringComparison.Ordinal);
            Assert.Empty(tab.Problems);
        }
        finally
        {
            app.Provider.NextIdToken = IdTokenKind.Valid;
        }
    }
}
