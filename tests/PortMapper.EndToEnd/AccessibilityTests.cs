using System.Text;
using System.Text.Json;
using Microsoft.Playwright;

namespace PortMapper.EndToEnd;

/// <summary>
/// axe-core (the engine behind Lighthouse's and the browsers' accessibility audits) run inside the live page, in the
/// light and in the dark theme: names on every control, no duplicate ids, landmarks, and WCAG 2.1 AA colour contrast.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class AccessibilityTests(PortMapperAppFixture app)
{
    // What the checks cover: WCAG 2.0/2.1 levels A and AA, plus axe's best practices (landmarks, one h1, ...).
    private static readonly string[] Tags = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"];

    [Theory]
    [InlineData("", ColorScheme.Light)]
    [InlineData("", ColorScheme.Dark)]
    [InlineData("paths", ColorScheme.Light)]
    [InlineData("paths", ColorScheme.Dark)]
    [InlineData("designer", ColorScheme.Light)]
    [InlineData("designer", ColorScheme.Dark)]
    public async Task Axe_FindsNoViolations(string path, ColorScheme scheme)
    {
        await using var tab = await app.OpenAsync(path, scheme);
        await tab.WaitForInteractiveAsync();
        await tab.Page.Locator("h1").First.WaitForAsync();

        var violations = await RunAxeAsync(tab.Page);

        Assert.True(violations.Count == 0, $"axe-core on /{path} ({scheme}):\n{Describe(violations)}");
        Assert.Empty(tab.Problems);
    }

    internal static async Task<List<JsonElement>> RunAxeAsync(IPage page)
    {
        var axe = Path.Combine(PortMapperAppFixture.RepositoryRoot(), "tests", "PortMapper.EndToEnd", "node_modules", "axe-core", "axe.min.js");
        if (!File.Exists(axe))
        {
            throw new FileNotFoundException($"{axe} is missing: run `npm ci` in tests/PortMapper.EndToEnd (test.sh does).", axe);
        }

        // The theme is applied once the circuit is up, and MudBlazor's inputs fade their colours in: contrast measured
        // mid-transition is a mix of the two themes (a CI run saw it), so wait until every finite animation is done.
        await page.WaitForFunctionAsync(
            "() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)",
            null, new PageWaitForFunctionOptions { Timeout = 10_000 });
        await page.AddScriptTagAsync(new PageAddScriptTagOptions { Path = axe });
        var result = await page.EvaluateAsync<JsonElement>(
            "async (tags) => { const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] }); return r.violations; }",
            Tags);
        return [.. result.EnumerateArray()];
    }

    internal static string Describe(IEnumerable<JsonElement> violations)
    {
        var text = new StringBuilder();
        foreach (var v in violations)
        {
            text.Append($"- {v.GetProperty("id").GetString()} ({v.GetProperty("impact").GetString()}): {v.GetProperty("help").GetString()}\n");
            foreach (var node in v.GetProperty("nodes").EnumerateArray().Take(8))
            {
                var target = string.Join(" ", node.GetProperty("target").EnumerateArray().Select(t => t.ToString()));
                var summary = node.TryGetProperty("failureSummary", out var f) ? f.GetString()?.ReplaceLineEndings(" ") : "";
                text.Append($"    at {target}: {summary}\n");
            }
        }

        return text.ToString();
    }
}
