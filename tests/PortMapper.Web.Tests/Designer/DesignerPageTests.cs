using System.Net;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Mvc.Testing;

namespace PortMapper.Web.Tests.Designer;

/// <summary>/designer through the whole app, before Blazor starts.</summary>
public sealed class DesignerPageTests(WebApplicationFactory<Program> factory) : IClassFixture<WebApplicationFactory<Program>>
{
    [Fact]
    public async Task GetDesigner_RendersThePaneAndTheHeaderLink_Returns200()
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync("/designer?from=Service/default/nginx-service");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
        Assert.Equal("Designer · PortMapper", page.Title);
        Assert.Equal("Manifest designer", page.QuerySelector(".pm-body h1")?.TextContent);
        Assert.NotNull(page.QuerySelector("[data-testid=designer]"));
        Assert.Equal("designer", page.QuerySelector("[role=banner] nav a[href=designer]")?.GetAttribute("href"));
        Assert.Contains(page.QuerySelectorAll("link[rel=stylesheet]"), l => l.GetAttribute("href")!.StartsWith("css/designer", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("/css/designer.css", "text/css")]
    [InlineData("/Components/Designer/DesignerPane.razor.js", "text/javascript")]
    public async Task GetDesignerAsset_IsServed(string url, string contentType)
    {
        using var client = factory.CreateClient();

        using var response = await client.GetAsync(url);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(contentType, response.Content.Headers.ContentType?.MediaType);
    }
}
