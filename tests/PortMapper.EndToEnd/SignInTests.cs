using Microsoft.Playwright;
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
        Assert.Empty(tab.Problems);
    }
}
