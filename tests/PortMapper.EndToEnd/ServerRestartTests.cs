using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PortMapper.EndToEnd;

/// <summary>An app of its own: these tests stop and restart it under an open page.</summary>
public sealed class RestartableAppFixture : PortMapperAppFixture;

[CollectionDefinition(Name)]
public sealed class RestartableAppCollection : ICollectionFixture<RestartableAppFixture>
{
    public const string Name = "browser on an app that restarts";
}

[Collection(RestartableAppCollection.Name)]
public sealed class ServerRestartTests(RestartableAppFixture app)
{
    [Fact]
    public async Task ServerGoesAwayAndComesBack_PageSaysSoThenRecoversByItself()
    {
        await using var tab = await app.OpenAsync();
        await tab.WaitForInteractiveAsync();
        var canvas = tab.Page.Locator("[data-testid=graph-canvas][data-rendered-version]");
        await Expect(canvas).ToHaveAttributeAsync("data-node-count", new System.Text.RegularExpressions.Regex("^[1-9]"));
        var modal = tab.Page.Locator("#components-reconnect-modal");
        await Expect(modal).Not.ToBeVisibleAsync();

        await tab.Page.EvaluateAsync("() => { window.portmapperBeforeRestart = true; }");

        await app.StopAppAsync();

        // Blazor notices the closed circuit and our dialog says so, in words, over the last picture of the graph.
        await Expect(modal).ToBeVisibleAsync();
        await Expect(modal.GetByRole(AriaRole.Alertdialog)).ToContainTextAsync(new System.Text.RegularExpressions.Regex("Connection to PortMapper lost|PortMapper is not answering"));
        await tab.SaveScreenshotAsync("server-gone");

        await app.RestartAppAsync();

        // The new server knows nothing of the old circuit: the page reloads by itself and draws the graph again.
        await Expect(tab.Page.Locator(".pm-layout[data-interactive=true]")).ToBeVisibleAsync();
        await Expect(canvas).ToHaveAttributeAsync("data-node-count", new System.Text.RegularExpressions.Regex("^[1-9]"));
        await Expect(modal).Not.ToBeVisibleAsync();
        Assert.False(await tab.Page.EvaluateAsync<bool>("() => window.portmapperBeforeRestart === true"), "the page was not reloaded");

        // And it is live again: a click is answered by the new server.
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "About PortMapper" }).ClickAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("About PortMapper");
    }
}
