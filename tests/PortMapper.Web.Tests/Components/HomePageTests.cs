using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing;

namespace PortMapper.Web.Tests.Components;

/// <summary>The whole app in memory (TestServer): what a browser gets before Blazor starts.</summary>
public sealed class HomePageTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task GetRoot_RendersTheLayoutAndTheHomePage_Returns200()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Equal("PortMapper", page.Title);
        Assert.Equal("PortMapper", page.QuerySelector("[role=banner] .pm-brand-name")?.TextContent);
        Assert.Equal("Demo cluster", page.QuerySelector("[role=banner] .pm-source .pm-source-label")?.TextContent);
        Assert.Equal("Traffic paths", page.QuerySelector(".pm-body h1")?.TextContent);
        Assert.Equal("false", page.QuerySelector(".pm-layout")?.GetAttribute("data-interactive"));
    }

    [Fact]
    public async Task GetRoot_DemoCluster_ListsPathsAndDiagnosticsPerNamespace()
    {
        using var client = factory.CreateClient();

        var page = await ParseAsync(await client.GetAsync("/"));

        var nodePort = page.QuerySelector("[data-path-id='nodeport:default/nginx-service:30080/TCP']");
        Assert.NotNull(nodePort);
        Assert.Contains(":30001", nodePort.TextContent, StringComparison.Ordinal);
        Assert.Contains(":30080", nodePort.TextContent, StringComparison.Ordinal);
        Assert.Contains(":80", nodePort.TextContent, StringComparison.Ordinal);
        var shop = page.QuerySelector("[data-namespace=shop]");
        Assert.NotNull(shop);
        Assert.All(new[] { "PM001", "PM003", "PM004", "PM008", "PM009", "PM010" }, code => Assert.NotNull(shop.QuerySelector($"[data-code={code}]")));
        Assert.NotNull(page.QuerySelector("[data-namespace=web] [data-code=PM002]"));
    }

    [Fact]
    public async Task GetRoot_ReferencesStylesAndScripts_AllOfThemAreServed()
    {
        using var client = factory.CreateClient();
        var page = await ParseAsync(await client.GetAsync("/"));
        var stylesheets = page.QuerySelectorAll("link[rel=stylesheet]").Select(l => l.GetAttribute("href")!).ToList();
        var scripts = page.QuerySelectorAll("script[src]").Select(s => s.GetAttribute("src")!).ToList();

        Assert.Contains(stylesheets, href => href.StartsWith("_content/Radzen.Blazor/css/material-base", StringComparison.Ordinal));
        Assert.Contains(stylesheets, href => href.StartsWith("css/app", StringComparison.Ordinal));
        Assert.Contains("_framework/blazor.web.js", scripts);
        foreach (var url in stylesheets.Concat(scripts))
        {
            using var asset = await client.GetAsync(url);
            Assert.True(asset.IsSuccessStatusCode, $"{url} answered {(int)asset.StatusCode}");
        }
    }

    [Theory]
    [InlineData("/lib/cytoscape/cytoscape.esm.min.mjs", "text/javascript")]
    [InlineData("/lib/cytoscape-dagre/cytoscape-dagre.min.mjs", "text/javascript")]
    [InlineData("/lib/cytoscape-svg/cytoscape-svg.js", "text/javascript")]
    [InlineData("/lib/popper/popper.min.js", "text/javascript")]
    [InlineData("/lib/tippy/tippy-bundle.umd.min.js", "text/javascript")]
    [InlineData("/js/vendor.js", "text/javascript")]
    [InlineData("/css/app.css", "text/css")]
    [InlineData("/img/portmapper.svg", "image/svg+xml")]
    public async Task GetFrontEndFile_FromTheTopLevelWwwroot_IsServedWithItsType(string url, string contentType)
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
        Assert.True((await response.Content.ReadAsByteArrayAsync()).Length > 0);
    }

    [Theory]
    [InlineData("/package.json")]
    [InlineData("/package-lock.json")]
    [InlineData("/node_modules/cytoscape/package.json")]
    public async Task GetNpmFile_IsNotPartOfTheSite_Returns404(string url)
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task GetUnknownPage_ShowsTheNotFoundPage_Returns404()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/no/such/page");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Equal("Page not found", page.QuerySelector("h1")?.TextContent);
        Assert.NotNull(page.QuerySelector("[role=banner] .pm-brand"));
    }

    [Fact]
    public async Task GetErrorPage_RendersWithoutACircuit_Returns200()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/Error");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var html = await response.Content.ReadAsStringAsync();
        Assert.Equal("Something went wrong", new HtmlParser().ParseDocument(html).QuerySelector("h1")?.TextContent);
        Assert.DoesNotContain("\"type\":\"server\"", html, StringComparison.Ordinal);
    }

    private static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response) =>
        new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
}
