using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PortMapper.EndToEnd;

/// <summary>The app as an Ingress serves it: under /portmapper, started with --path-base.</summary>
public sealed class PathBaseAppFixture : PortMapperAppFixture
{
    protected override IEnumerable<string> Arguments => ["--path-base", "/portmapper"];
}

[CollectionDefinition(Name)]
public sealed class PathBaseCollection : ICollectionFixture<PathBaseAppFixture>
{
    public const string Name = "browser under a path base";
}

[Collection(PathBaseCollection.Name)]
public sealed class PathBaseTests(PathBaseAppFixture app)
{
    [Fact]
    public async Task Open_UnderThePathBase_LoadsBecomesInteractiveAndUsesOnlyPrefixedUrls()
    {
        await using var tab = await app.OpenAsync("portmapper/healthz");
        var requests = new List<string>();
        tab.Page.Request += (_, request) => requests.Add(request.Url);

        var response = await tab.Page.GotoAsync("portmapper/");

        Assert.Equal(200, response?.Status);
        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Traffic graph", Level = 1 })).ToBeVisibleAsync();
        await tab.WaitForInteractiveAsync();

        // The circuit works through the prefix: a click is handled on the server and renders the dialog.
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "About PortMapper" }).ClickAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("About PortMapper");

        await tab.SaveScreenshotAsync("path-base");
        Assert.Empty(tab.Problems);
        var prefix = new Uri(app.BaseAddress, "portmapper/").ToString();
        Assert.Contains(requests, url => url.StartsWith(prefix + "_blazor", StringComparison.Ordinal));
        Assert.All(requests, url => Assert.StartsWith(prefix, url, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Open_SignInPageUnderThePathBase_RendersWithItsStyles()
    {
        await using var tab = await app.OpenAsync("portmapper/signin");

        Assert.Equal(200, tab.Response?.Status);
        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Sign in", Level = 1 })).ToBeVisibleAsync();
        await Expect(tab.Page.Locator("base")).ToHaveAttributeAsync("href", "/portmapper/");
        Assert.Empty(tab.Problems);
    }
}
