using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace PortMapper.EndToEnd;

/// <summary>The demo cluster with kube-proxy in nftables mode (--proxy-mode nftables, as a cluster without a readable ConfigMap is told).</summary>
public sealed class NftablesAppFixture : PortMapperAppFixture
{
    protected override IEnumerable<string> Arguments => ["--proxy-mode", "nftables"];
}

[CollectionDefinition(Name)]
public sealed class NftablesCollection : ICollectionFixture<NftablesAppFixture>
{
    public const string Name = "browser, kube-proxy in nftables mode";
}

[Collection(NftablesCollection.Name)]
public sealed class NftablesModeTests(NftablesAppFixture app)
{
    private const string Search = "svc:shop/search:80/TCP";

    /// <summary>
    /// The header names the mode; the dual-stack search Service's side panel lists its nftables chains for the IPv4
    /// table and folds the ip6 table below; a trace from a frontend pod names the chains it passes.
    /// </summary>
    [Fact]
    public async Task DualStackService_RulesAreTheNftablesTablesOfEachFamily_AndTheTraceNamesItsChains()
    {
        await using var tab = await app.OpenAsync();
        await tab.WaitForInteractiveAsync();
        await tab.Page.Locator("[data-testid=graph-canvas][data-rendered-version]").WaitForAsync();
        await Expect(tab.Page.Locator("[data-testid=dataplane]")).ToHaveAttributeAsync("data-mode", "nftables");
        await Expect(tab.Page.Locator("[data-testid=dataplane]")).ToHaveTextAsync("kube-proxy · nftables");

        await GraphTests.ClickElementAsync(tab, Search);
        var mode = tab.Page.Locator("[data-testid=kubeproxy-mode]");
        await Expect(mode).ToHaveAttributeAsync("data-mode", "nftables");
        await Expect(mode).ToContainTextAsync("ip kube-proxy table");
        var rules = tab.Page.Locator("[data-testid=kubeproxy-section] .pm-rule-text");
        await Expect(rules.Filter(new() { HasText = "service-ips" }).First).ToContainTextAsync("goto service-");
        await Expect(rules.Filter(new() { HasText = "endpoint-" }).First).ToBeVisibleAsync();
        var other = tab.Page.Locator("[data-testid=kubeproxy-other-family]");
        await Expect(other.Locator("summary")).ToContainTextAsync("IPv6 rules (table ip6 kube-proxy)");
        await other.Locator("summary").ClickAsync();
        await Expect(other.Locator("pre")).ToContainTextAsync("table ip6 kube-proxy {");
        // The demo's default ServiceCIDR gives the real IPv6 range, not a stand-in.
        await Expect(other.Locator("pre")).ToContainTextAsync("ip6 daddr { fd00:10:96::/112 } drop");
        await other.Locator("summary").ScrollIntoViewIfNeededAsync();
        await tab.SaveScreenshotAsync("graph-side-panel-nftables");

        await GraphTests.ChooseTracePodAsync(tab, "shop/frontend");
        await tab.Page.Locator("[data-testid=trace-selected]").Filter(new() { HasText = "[fd00:10:96::" }).ClickAsync();
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Trace", Exact = true }).ClickAsync();

        var result = tab.Page.Locator("[data-testid=trace-result]");
        await Expect(result).ToHaveAttributeAsync("data-reachable", "true");
        await Expect(result).ToContainTextAsync("table ip6 kube-proxy");
        await Expect(result).ToContainTextAsync(new Regex(@"service-[A-Z2-7]{8}-shop/search/tcp/http"));
        // An IPv6 endpoint's colons become dots in its chain name, as kube-proxy writes it.
        await Expect(result).ToContainTextAsync(new Regex(@"endpoint-[A-Z2-7]{8}-shop/search/tcp/http__fd00\.10\.244\.\d\.\.[0-9a-f]+/7700"));
        await GraphTests.WaitForClassAsync(tab, "pods:shop/search:80/TCP", "lit");
        await result.Locator(".pm-step-address").Last.ScrollIntoViewIfNeededAsync();
        await GraphTests.NextFramesAsync(tab);
        await tab.SaveScreenshotAsync("graph-trace-nftables");
        Assert.Empty(tab.Problems);
    }
}
