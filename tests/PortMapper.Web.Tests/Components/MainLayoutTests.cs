using Bunit;
using Microsoft.AspNetCore.Components;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Web.Components.Layout;
using PortMapper.Web.Hosting;
using PortMapper.Web.Tests.Support;
using Microsoft.Extensions.Logging.Abstractions;
using MudBlazor.Services;
using Microsoft.AspNetCore.Http;

namespace PortMapper.Web.Tests.Components;

// MudBlazor's services dispose only asynchronously, so xUnit disposes the context through IAsyncLifetime.
public sealed class MainLayoutTests : BunitContext, IAsyncLifetime
{
    public MainLayoutTests()
    {
        JSInterop.Mode = JSRuntimeMode.Loose;
        Services.AddMudServices();
    }

    public Task InitializeAsync() => Task.CompletedTask;

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    [Fact]
    public void Render_WithABody_ShowsProductNameSourceAndBody()
    {
        Use(new PortMapperOptions { Demo = true });

        var layout = Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id=\"page\">the page</p>"))));

        Assert.Equal("PortMapper", layout.Find("[role=banner] .pm-brand-name").TextContent);
        Assert.Equal("Demo cluster", layout.Find("[role=banner] .pm-source-label").TextContent);
        Assert.Equal("the page", layout.Find(".pm-body #page").TextContent);
        Assert.Equal("true", layout.Find(".pm-layout").GetAttribute("data-interactive"));
    }

    [Fact]
    public void ClickAbout_OpensTheAboutDialogWithTheVersion()
    {
        Use(new PortMapperOptions { Demo = true });
        var layout = Render<MainLayout>();

        layout.Find("button.pm-about-button").Click();

        layout.WaitForAssertion(() => Assert.Matches(@"^\d+\.\d+\.\d+", layout.Find(".pm-about-version").TextContent));
        Assert.Contains("About PortMapper", layout.Markup, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("pm-theme=dark", null, "dark")]
    [InlineData("pm-theme=light", "dark", "light")]
    [InlineData(null, "dark", "dark")]
    [InlineData(null, "\"light\"", "light")]
    [InlineData("pm-theme=<script>", null, "light")]
    public void Prerender_CookieOrClientHint_ChoosesTheTheme(string? cookie, string? hint, string expected)
    {
        Use(new PortMapperOptions { Demo = true });
        var http = new DefaultHttpContext();
        if (cookie is not null)
        {
            http.Request.Headers.Cookie = cookie;
        }

        if (hint is not null)
        {
            http.Request.Headers[ThemeChoice.ClientHint] = hint;
        }

        // What the server renders before the circuit starts (afterwards the browser's own media query decides).
        SetRendererInfo(new RendererInfo("Static", isInteractive: false));
        var layout = Render<MainLayout>(p => p.AddCascadingValue(http));

        Assert.Equal(expected, layout.Find(".pm-layout").GetAttribute("data-theme"));
        Assert.Equal(expected == "dark" ? "true" : "false", layout.Find("[data-testid=theme-toggle]").GetAttribute("aria-pressed"));
    }

    [Fact]
    public void ClickThemeToggle_SwitchesToDarkAndRemembersIt()
    {
        Use(new PortMapperOptions { Demo = true });
        var theme = JSInterop.SetupModule("./js/theme.js");
        theme.SetupVoid("remember", _ => true).SetVoidResult();
        var layout = Render<MainLayout>();
        Assert.Equal("light", layout.Find(".pm-layout").GetAttribute("data-theme"));

        layout.Find("button[data-testid=theme-toggle]").Click();

        layout.WaitForAssertion(() => Assert.Equal("dark", layout.Find(".pm-layout").GetAttribute("data-theme")));
        Assert.Equal("true", layout.Find("[data-testid=theme-toggle]").GetAttribute("aria-pressed"));
        var call = Assert.Single(theme.Invocations["remember"]);
        Assert.Equal(["pm-theme", "dark"], call.Arguments);

        layout.Find("button[data-testid=theme-toggle]").Click();
        layout.WaitForAssertion(() => Assert.Equal("light", layout.Find(".pm-layout").GetAttribute("data-theme")));
    }

    [Fact]
    public void Render_HasOneMainLandmarkAroundTheBody()
    {
        Use(new PortMapperOptions { Demo = true });

        var layout = Render<MainLayout>(p => p.Add(l => l.Body, (RenderFragment)(b => b.AddMarkupContent(0, "<p id=\"page\">the page</p>"))));

        Assert.Equal("the page", Assert.Single(layout.FindAll("main")).QuerySelector("#page")?.TextContent);
    }

    [Fact]
    public void SourceStatus_OneManifestDirectory_ShowsItsName()
    {
        Use(new PortMapperOptions { Manifests = ["/srv/deploy/shop/"] });

        var status = Render<ClusterStatus>();

        status.Find(".pm-source-label").MarkupMatches("""<span class="pm-source-label">Manifests · shop</span>""");
        Assert.Equal("manifests", status.Find(".pm-source").GetAttribute("data-source"));
    }

    [Fact]
    public void SourceStatus_Context_ShowsTheContextNameAndThatItIsStillConnecting()
    {
        var kubeconfig = Path.Combine(Path.GetTempPath(), $"portmapper-layout-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(kubeconfig, """
            apiVersion: v1
            kind: Config
            clusters:
            - name: eu
              cluster: {server: "https://127.0.0.1:9"}
            - name: us
              cluster: {server: "https://127.0.0.1:9"}
            users:
            - name: u
              user: {token: not-a-real-token}
            contexts:
            - name: prod-eu
              context: {cluster: eu, user: u}
            - name: prod-us
              context: {cluster: us, user: u}
            current-context: prod-us
            """);
        try
        {
            Use(new PortMapperOptions { Kubeconfig = kubeconfig, Context = "prod-eu" });

            var status = Render<ClusterStatus>();

            Assert.Equal("Cluster · prod-eu", status.Find(".pm-source-label").TextContent);
            Assert.Equal("kubeconfig", status.Find(".pm-source").GetAttribute("data-source"));
            Assert.Equal("connecting", status.Find("[data-testid=connection-state]").GetAttribute("data-state"));
            Assert.Equal("Connecting…", status.Find(".pm-connection-label").TextContent);
            Assert.Equal(["prod-eu", "prod-us"], status.FindAll("[data-testid=context-picker] option").Select(o => o.TextContent).ToArray());
            Assert.DoesNotContain("not-a-real-token", status.Markup, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(kubeconfig);
        }
    }

    [Fact]
    public void Render_DemoCluster_ShowsNavigationConnectionStateAndFindings()
    {
        Use(new PortMapperOptions { Demo = true });

        var layout = Render<MainLayout>();

        Assert.Equal(["Graph", "Paths", "Designer"], layout.FindAll("[role=banner] nav a").Select(a => a.TextContent));
        Assert.Equal("live", layout.Find("[data-testid=connection-state]").GetAttribute("data-state"));
        Assert.Equal("Live", layout.Find(".pm-connection-label").TextContent);
        Assert.Equal("✕ 8", layout.Find("[data-testid=findings-badge] .pm-findings-count.pm-error").TextContent);
        Assert.Equal("⚠ 5", layout.Find("[data-testid=findings-badge] .pm-findings-count.pm-warning").TextContent);
    }

    [Fact]
    public async Task ConnectionDrops_HeaderSaysSoInOnePlaceThenRecoversByItself()
    {
        var source = new ChannelClusterSource();
        await using var live = new LiveAnalysis(source);
        await live.StartAsync(CancellationToken.None);
        var options = new PortMapperOptions { Demo = true };
        Services.AddSingleton(options);
        Services.AddSingleton(live);
        Services.AddSingleton(new ContextSwitcher(options, live, NullLoggerFactory.Instance));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        var layout = Render<MainLayout>();
        Assert.Equal("live", layout.Find("[data-testid=connection-state]").GetAttribute("data-state"));

        source.Push(new ConnectionState(ConnectionStatus.Reconnecting, "watch services: connection refused"));

        layout.WaitForAssertion(() =>
        {
            var state = Assert.Single(layout.FindAll("[role=banner] [role=status]"));
            Assert.Equal("reconnecting", state.GetAttribute("data-state"));
            Assert.Equal("Reconnecting…", state.QuerySelector(".pm-connection-label")?.TextContent);
            Assert.Contains("watch services: connection refused", state.GetAttribute("title"), StringComparison.Ordinal);
        });
        Assert.Equal("Cluster · kind-test", layout.Find(".pm-source-label").TextContent);

        source.Push(new ConnectionState(ConnectionStatus.Live));

        layout.WaitForAssertion(() => Assert.Equal("Live", layout.Find("[role=banner] [role=status] .pm-connection-label").TextContent));
    }

    /// <summary>The layout over the source the options choose, as the app builds it (the live one is never started here).</summary>
    private void Use(PortMapperOptions options)
    {
        var connection = ClusterSources.Create(options, NullLoggerFactory.Instance);
        Services.AddSingleton(options);
        Services.AddSingleton(connection.Live);
        Services.AddSingleton(new ContextSwitcher(options, connection.Live, NullLoggerFactory.Instance));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }
}
