using System.Text.Json;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PortMapper.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class HomePageTests(PortMapperAppFixture app)
{
    [Fact]
    public async Task Open_PathsPage_BecomesInteractiveWithoutErrors()
    {
        await using var tab = await app.OpenAsync("/paths");

        Assert.Equal(200, tab.Response?.Status);
        await Expect(tab.Page).ToHaveTitleAsync("Traffic paths · PortMapper");
        await Expect(tab.Page.GetByRole(AriaRole.Heading, new() { Name = "Traffic paths", Level = 1 })).ToBeVisibleAsync();
        await Expect(tab.Page.Locator("tr:has([data-path-id='nodeport:default/nginx-service:30080/TCP'])")).ToContainTextAsync(":30001");
        await Expect(tab.Page.GetByRole(AriaRole.Banner)).ToContainTextAsync("Demo cluster");
        await tab.WaitForInteractiveAsync();

        await tab.SaveScreenshotAsync("paths");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task TypeInTheObjectFilter_OverTheCircuit_KeepsOnlyMatchingPaths()
    {
        await using var tab = await app.OpenAsync("/paths");
        await tab.WaitForInteractiveAsync();
        var rows = tab.Page.Locator("tr:has([data-path-id])");
        var all = int.Parse(await tab.Page.GetByTestId("path-count").InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        await Expect(rows).ToHaveCountAsync(all);

        await tab.Page.GetByLabel("Object contains").FillAsync("nginx");

        await Expect(tab.Page.GetByTestId("path-count")).Not.ToHaveTextAsync(all.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var shown = await rows.CountAsync();
        Assert.InRange(shown, 1, all - 1);
        foreach (var text in await rows.Locator("[data-path-id]").AllInnerTextsAsync())
        {
            Assert.Contains("nginx", text, StringComparison.OrdinalIgnoreCase);
        }

        await tab.SaveScreenshotAsync("paths-filtered");
        await tab.Page.GetByTestId("clear-filters").ClickAsync();
        await Expect(rows).ToHaveCountAsync(all);
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task ClickAbout_OverTheCircuit_OpensAndClosesTheDialog()
    {
        await using var tab = await app.OpenAsync();
        await tab.WaitForInteractiveAsync();

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "About PortMapper" }).ClickAsync();

        var dialog = tab.Page.GetByRole(AriaRole.Dialog);
        await Expect(dialog).ToContainTextAsync("About PortMapper");
        await Expect(dialog.Locator(".pm-about-version")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+\.\d+\.\d+"));
        await tab.SaveScreenshotAsync("about-dialog");

        await tab.Page.Keyboard.PressAsync("Escape");
        await Expect(dialog).ToHaveCountAsync(0);
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task LoadGraphLibraries_FromLib_LaysOutAGraph()
    {
        await using var tab = await app.OpenAsync();

        // Everything the graph needs, fetched from /lib as the browser would: cytoscape (ESM), dagre layout,
        // popper and tippy (UMD).
        var result = await tab.Page.EvaluateAsync<JsonElement>("""
            async () => {
              const { loadGraphLibraries } = await import('/js/vendor.js');
              const { cytoscape, tippy } = await loadGraphLibraries();
              const container = document.createElement('div');
              container.style.cssText = 'width:400px;height:300px;position:absolute;left:-10000px';
              document.body.append(container);
              const cy = cytoscape({
                container,
                elements: [
                  { data: { id: 'ingress' } }, { data: { id: 'service' } }, { data: { id: 'pod' } },
                  { data: { id: 'a', source: 'ingress', target: 'service' } },
                  { data: { id: 'b', source: 'service', target: 'pod' } },
                ],
                layout: { name: 'dagre', rankDir: 'LR' },
              });
              const x = (id) => cy.getElementById(id).position('x');
              const tip = tippy(container, { content: 'port 80' });
              const result = { version: cytoscape.version, leftToRight: x('ingress') < x('service') && x('service') < x('pod'), tippy: typeof tip.show };
              tip.destroy();
              cy.destroy();
              container.remove();
              return result;
            }
            """);

        Assert.Equal("3.34.4", result.GetProperty("version").GetString());
        Assert.True(result.GetProperty("leftToRight").GetBoolean());
        Assert.Equal("function", result.GetProperty("tippy").GetString());
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task Get_CytoscapeFromLib_IsServedAsJavaScript()
    {
        await using var tab = await app.OpenAsync();

        var response = await tab.Page.APIRequest.GetAsync("lib/cytoscape/cytoscape.esm.min.mjs");

        Assert.Equal(200, response.Status);
        Assert.StartsWith("text/javascript", response.Headers["content-type"], StringComparison.Ordinal);
        Assert.Contains("3.34.4", await response.TextAsync(), StringComparison.Ordinal);
    }
}
