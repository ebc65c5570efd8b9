using System.Net;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing;

namespace PortMapper.Web.Tests.Components;

/// <summary>The whole app in memory (TestServer): what a browser gets before Blazor starts. The graph is the home page; the paths table is at /paths.</summary>
public sealed class HomePageTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task GetRoot_RendersTheLayoutAndTheGraphPage_Returns200()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Equal("PortMapper", page.Title);
        Assert.Equal("PortMapper", page.QuerySelector("[role=banner] .pm-brand-name")?.TextContent);
        Assert.Equal("Demo cluster", page.QuerySelector("[role=banner] .pm-source .pm-source-label")?.TextContent);
        Assert.Equal("Traffic graph", page.QuerySelector(".pm-body h1")?.TextContent);
        Assert.NotNull(page.QuerySelector("[data-testid=graph-canvas][tabindex='0']"));
        Assert.NotNull(page.QuerySelector("[role=toolbar] [data-testid=graph-search]"));
        Assert.Equal($"{PortMapper.Web.Tests.Graph.GraphBuilderTests.DemoPathCount} paths", page.QuerySelector("[data-testid=graph-counts]")?.TextContent.Trim());
        Assert.Equal(["Graph", "Paths", "Designer"], page.QuerySelectorAll("[role=banner] nav a").Select(a => a.TextContent));
        Assert.Equal("live", page.QuerySelector("[data-testid=connection-state]")?.GetAttribute("data-state"));
        Assert.Contains("✕ 8", page.QuerySelector("[data-testid=findings-badge]")?.TextContent, StringComparison.Ordinal);
        Assert.NotNull(page.QuerySelector("#components-reconnect-modal"));
        Assert.Equal("false", page.QuerySelector(".pm-layout")?.GetAttribute("data-interactive"));
    }

    [Fact]
    public async Task GetPaths_RendersTheLayoutAndThePathsTable_Returns200()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/paths");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Equal("Traffic paths · PortMapper", page.Title);
        Assert.Equal("PortMapper", page.QuerySelector("[role=banner] .pm-brand-name")?.TextContent);
        Assert.Equal("Demo cluster", page.QuerySelector("[role=banner] .pm-source .pm-source-label")?.TextContent);
        Assert.Equal("Traffic paths", page.QuerySelector(".pm-body h1")?.TextContent);
        Assert.Equal("false", page.QuerySelector(".pm-layout")?.GetAttribute("data-interactive"));
    }

    [Fact]
    public async Task GetPaths_DemoCluster_ListsPathsAndDiagnosticsPerNamespace()
    {
        using var client = factory.CreateClient();

        var page = await ParseAsync(await client.GetAsync("/paths"));

        var nodePort = page.QuerySelector("[data-path-id='nodeport:default/nginx-service:30080/TCP']")?.Closest("tr");
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
    public async Task GetPaths_EachRow_IsFocusableAndLinksToThePathOnTheGraph()
    {
        using var client = factory.CreateClient();

        var page = await ParseAsync(await client.GetAsync("/paths"));

        // One grid row per path; the row's link carries the path id and is what the keyboard focuses.
        var rows = page.QuerySelectorAll("tr.pm-path-row");
        Assert.Equal(PortMapper.Web.Tests.Graph.GraphBuilderTests.DemoPathCount, rows.Length);
        Assert.All(rows, row => Assert.Equal("0", row.QuerySelector("a[data-path-id]")?.GetAttribute("tabindex")));
        var row = page.QuerySelector("[data-path-id='nodeport:default/nginx-service:30080/TCP']")!.Closest("tr")!;
        Assert.Equal("?path=nodeport%3Adefault%2Fnginx-service%3A30080%2FTCP", row.QuerySelector("a")?.GetAttribute("href"));
    }

    [Fact]
    public async Task GetGraphApi_DemoCluster_AnswersTheElementsTheGraphDraws()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/api/graph");
        using var json = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(PortMapper.Web.Tests.Graph.GraphBuilderTests.DemoPathCount, json.RootElement.GetProperty("paths").GetInt32());
        Assert.Equal(Graph.GraphBuilderTests.DemoNodeCount, json.RootElement.GetProperty("nodes").GetArrayLength());
        Assert.Equal(Graph.GraphBuilderTests.DemoEdgeCount, json.RootElement.GetProperty("edges").GetArrayLength());
        var nodePort = json.RootElement.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetString() == "nodeport:default/nginx-service:30080/TCP");
        Assert.Equal("nodePort", nodePort.GetProperty("kind").GetString());
        Assert.Equal("nodes", nodePort.GetProperty("column").GetString());
        Assert.Equal("ok", nodePort.GetProperty("status").GetString());
        Assert.Equal(3, nodePort.GetProperty("count").GetInt32());
    }

    [Theory]
    [InlineData("/api/graph?namespace=shop", HttpStatusCode.OK)]
    [InlineData("/api/graph?namespace=nope", HttpStatusCode.NotFound)]
    [InlineData("/api/graph?namespace=Not_Valid", HttpStatusCode.BadRequest)]
    public async Task GetGraphApi_NamespaceFilter_IsCheckedLikeTheOtherEndpoints(string url, HttpStatusCode expected)
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(url);

        Assert.Equal(expected, response.StatusCode);
    }

    [Fact]
    public async Task GetRoot_ReferencesStylesAndScripts_AllOfThemAreServed()
    {
        using var client = factory.CreateClient();
        var page = await ParseAsync(await client.GetAsync("/"));
        var stylesheets = page.QuerySelectorAll("link[rel=stylesheet]").Select(l => l.GetAttribute("href")!).ToList();
        var scripts = page.QuerySelectorAll("script[src]").Select(s => s.GetAttribute("src")!).ToList();

        Assert.Contains(stylesheets, href => href.StartsWith("_content/MudBlazor/MudBlazor.min", StringComparison.Ordinal));
        Assert.Contains(stylesheets, href => href.StartsWith("css/app", StringComparison.Ordinal));
        Assert.Contains(stylesheets, href => href.StartsWith("css/graph", StringComparison.Ordinal));
        Assert.Contains("_framework/blazor.web.js", scripts);
        foreach (var url in stylesheets.Concat(scripts))
        {
            using var asset = await client.GetAsync(url);
            Assert.True(asset.IsSuccessStatusCode, $"{url} answered {(int)asset.StatusCode}");
        }
    }

    [Fact]
    public async Task GetPage_AsksChromiumForTheColourScheme_AndVariesOnIt()
    {
        using var client = factory.CreateClient();
        using var response = await client.GetAsync("/paths");

        Assert.Equal("Sec-CH-Prefers-Color-Scheme", Assert.Single(response.Headers.GetValues("Accept-CH")));
        Assert.Equal("Sec-CH-Prefers-Color-Scheme", Assert.Single(response.Headers.GetValues("Critical-CH")));
        Assert.Contains("Sec-CH-Prefers-Color-Scheme", response.Headers.Vary);
    }

    [Fact]
    public async Task GetPage_WithTheDarkHint_PrerendersDark()
    {
        using var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/paths");
        request.Headers.Add("Sec-CH-Prefers-Color-Scheme", "\"dark\"");

        var page = await ParseAsync(await client.SendAsync(request));

        Assert.Equal("dark", page.QuerySelector(".pm-layout")?.GetAttribute("data-theme"));
    }

    [Theory]
    [InlineData("/lib/cytoscape/cytoscape.esm.min.mjs", "text/javascript")]
    [InlineData("/lib/cytoscape-dagre/cytoscape-dagre.min.mjs", "text/javascript")]
    [InlineData("/lib/popper/popper.min.js", "text/javascript")]
    [InlineData("/lib/tippy/tippy-bundle.umd.min.js", "text/javascript")]
    [InlineData("/js/vendor.js", "text/javascript")]
    [InlineData("/js/reconnect.js", "text/javascript")]
    [InlineData("/Components/Graph/GraphCanvas.razor.js", "text/javascript")]
    [InlineData("/css/graph.css", "text/css")]
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
