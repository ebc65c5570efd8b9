using Bunit;
using Microsoft.AspNetCore.Components;
using PortMapper.Web.Components.Layout;
using PortMapper.Web.Hosting;
using Radzen;

namespace PortMapper.Web.Tests.Components;

public sealed class MainLayoutTests : BunitContext
{
    public MainLayoutTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddRadzenComponents();
    }

    [Fact]
    public void Render_WithABody_ShowsProductNameSourceAndBody()
    {
        Use(new PortMapperOptions());

        var layout = Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id=\"page\">the page</p>"))));

        Assert.Equal("PortMapper", layout.Find("[role=banner] .pm-brand-name").TextContent);
        Assert.Equal("Demo cluster", layout.Find("[role=banner] .pm-source-label").TextContent);
        Assert.Equal("the page", layout.Find(".pm-body #page").TextContent);
        Assert.Equal("true", layout.Find(".pm-layout").GetAttribute("data-interactive"));
    }

    [Fact]
    public void ClickAbout_OpensTheAboutDialogWithTheVersion()
    {
        Use(new PortMapperOptions());
        var layout = Render<MainLayout>();

        layout.Find("button.pm-about-button").Click();

        layout.WaitForAssertion(() => Assert.Matches(@"^\d+\.\d+\.\d+", layout.Find(".pm-about-version").TextContent));
        Assert.Contains("About PortMapper", layout.Markup, StringComparison.Ordinal);
    }

    [Fact]
    public void SourceStatus_OneManifestDirectory_ShowsItsName()
    {
        Use(new PortMapperOptions { Manifests = ["/srv/deploy/shop/"] });

        var status = Render<ClusterSourceStatus>();

        status.Find(".pm-source-label").MarkupMatches("""<span class="pm-source-label">Manifests · shop</span>""");
        Assert.Equal("manifests", status.Find(".pm-source").GetAttribute("data-source"));
    }

    [Fact]
    public void SourceStatus_Context_ShowsTheContextName()
    {
        Use(new PortMapperOptions { Context = "prod-eu" });

        var status = Render<ClusterSourceStatus>();

        Assert.Equal("Cluster · prod-eu", status.Find(".pm-source-label").TextContent);
        Assert.Equal("kubeconfig", status.Find(".pm-source").GetAttribute("data-source"));
    }

    private void Use(PortMapperOptions options)
    {
        Services.AddSingleton(options);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }
}
