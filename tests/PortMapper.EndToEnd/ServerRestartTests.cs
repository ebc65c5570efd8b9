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

        // The new server knows nothing of the old circuit: the page reloads by itself (the marker set on the old page is
        // gone) and, once the new circuit is up, draws the graph again. Until the reload, the old page's DOM still
        // says interactive, so the reload is waited for first.
        await WaitForReloadAsync(tab.Page);
        await tab.WaitForInteractiveAsync();
        await Expect(tab.Page.Locator(".pm-layout[data-interactive=true]")).ToBeVisibleAsync();
        await Expect(canvas).ToHaveAttributeAsync("data-node-count", new System.Text.RegularExpressions.Regex("^[1-9]"));
        await Expect(modal).Not.ToBeVisibleAsync();
        Assert.False(await tab.Page.EvaluateAsync<bool>("() => window.portmapperBeforeRestart === true"), "the page was not reloaded");

        // And it is live again: a click is answered by the new server.
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "About PortMapper" }).ClickAsync();
        await Expect(tab.Page.GetByRole(AriaRole.Dialog)).ToContainTextAsync("About PortMapper");
    }

    /// <summary>Until the page no longer carries the marker set before the restart, i.e. it has been reloaded.</summary>
    private static async Task WaitForReloadAsync(IPage page)
    {
        var limit = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < limit)
        {
            try
            {
                if (!await page.EvaluateAsync<bool>("() => window.portmapperBeforeRestart === true"))
                {
                    return;
                }
            }
            catch (PlaywrightException)
            {
                // The old document went away under the evaluation: the reload is under way.
            }

            await Task.Delay(100);
        }

        throw new TimeoutException("the page did not reload within 90 s of the server coming back");
    }
}
