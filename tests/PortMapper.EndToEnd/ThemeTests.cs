using Microsoft.Playwright;
using PortMapper.Web.Components.Layout;
using static Microsoft.Playwright.Assertions;

namespace PortMapper.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class ThemeTests(PortMapperAppFixture app)
{
    [Fact]
    public async Task OpenGraph_SystemPrefersDark_DrawsPageAndGraphDark()
    {
        await using var tab = await app.OpenAsync("", ColorScheme.Dark);
        await tab.WaitForInteractiveAsync();

        await Expect(tab.Page.Locator(".pm-layout")).ToHaveAttributeAsync("data-theme", "dark");
        var canvas = tab.Page.GetByTestId("graph-canvas");
        await Expect(canvas).ToHaveAttributeAsync("data-rendered-version", new System.Text.RegularExpressions.Regex(@"\d"));
        await Expect(canvas).ToHaveAttributeAsync("data-theme", "dark");
        var background = await tab.Page.EvaluateAsync<string>("() => getComputedStyle(document.body).backgroundColor");
        Assert.Equal("rgb(18, 22, 28)", background);

        await tab.SaveScreenshotAsync("graph-dark");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task ClickThemeToggle_ThenReload_StaysDark()
    {
        await using var tab = await app.OpenAsync("", ColorScheme.Light);
        await tab.WaitForInteractiveAsync();
        var canvas = tab.Page.GetByTestId("graph-canvas");
        await Expect(canvas).ToHaveAttributeAsync("data-theme", "light");
        var toggle = tab.Page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" });
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "false");

        await toggle.ClickAsync();

        await Expect(tab.Page.Locator(".pm-layout")).ToHaveAttributeAsync("data-theme", "dark");
        await Expect(toggle).ToHaveAttributeAsync("aria-pressed", "true");
        await Expect(canvas).ToHaveAttributeAsync("data-theme", "dark");

        // The page switches at once; the choice is written to its cookie by a script call right after. Reload once it is.
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!(await tab.Page.Context.CookiesAsync()).Any(c => c.Name == PortMapperTheme.Cookie && c.Value == "dark") && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        await tab.Page.ReloadAsync();
        // Dark from the first paint: the prerendered page already has it, before the circuit starts.
        await Expect(tab.Page.Locator(".pm-layout")).ToHaveAttributeAsync("data-theme", "dark");
        await tab.WaitForInteractiveAsync();
        await Expect(tab.Page.GetByTestId("graph-canvas")).ToHaveAttributeAsync("data-theme", "dark");

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Dark theme" }).ClickAsync();
        await Expect(tab.Page.Locator(".pm-layout")).ToHaveAttributeAsync("data-theme", "light");
        Assert.Empty(tab.Problems);
    }
}
