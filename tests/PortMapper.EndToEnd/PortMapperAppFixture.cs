using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PortMapper.Web.Hosting;

namespace PortMapper.EndToEnd;

/// <summary>
/// The real PortMapper app on Kestrel at 127.0.0.1 (a free port) and one headless Chromium, started once
/// for a test collection and stopped after its last test. Subclass it to start the app with other options.
/// </summary>
public class PortMapperAppFixture : IAsyncLifetime
{
    /// <summary>Debian's Chromium (apt-get install chromium); PORTMAPPER_CHROMIUM points elsewhere.</summary>
    public static string ChromiumPath { get; } =
        Environment.GetEnvironmentVariable("PORTMAPPER_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    /// <summary>How long a page action or an expectation waits for the page before the test fails.</summary>
    private const float WaitLimitMilliseconds = 60_000;

    private IPlaywright? _playwright;
    private IBrowser? _browser;
    private WebApplication? _app;

    /// <summary>Where the app listens, ending in '/'.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public WebApplication App => _app ?? throw new InvalidOperationException("The app has not been started.");

    /// <summary>TestResults/screenshots at the repository root (git-ignored).</summary>
    public static string ScreenshotDirectory { get; } = Path.Combine(RepositoryRoot(), "TestResults", "screenshots");

    /// <summary>Command-line arguments for the app, beside the --urls the fixture adds.</summary>
    protected virtual IEnumerable<string> Arguments => [];

    /// <summary>Runs after the app's own registrations: replace services here.</summary>
    protected virtual void ConfigureApp(WebApplicationBuilder builder)
    {
    }

    /// <summary>Runs before the app is built, for fixtures that start something the app's arguments name.</summary>
    protected virtual Task BeforeStartAsync() => Task.CompletedTask;

    /// <summary>Runs after the app and the browser are closed.</summary>
    protected virtual Task AfterStopAsync() => Task.CompletedTask;

    public async Task InitializeAsync()
    {
        await BeforeStartAsync();
        if (!File.Exists(ChromiumPath))
        {
            throw new InvalidOperationException(
                $"No Chromium at {ChromiumPath}. Install it with `sudo apt-get install -y chromium` (test.sh does), or set PORTMAPPER_CHROMIUM.");
        }

        var address = await StartAppAsync("http://127.0.0.1:0");
        BaseAddress = new Uri(address.TrimEnd('/') + "/");

        Assertions.SetDefaultExpectTimeout(WaitLimitMilliseconds);
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    /// <summary>
    /// A fresh browser context (no shared cookies or storage) with one page, at <paramref name="path"/>; the system
    /// colour preference the page sees is <paramref name="colorScheme"/> (light unless told).
    /// </summary>
    public async Task<BrowserPage> OpenAsync(string path = "", ColorScheme colorScheme = ColorScheme.Light)
    {
        var browser = _browser ?? throw new InvalidOperationException("The browser has not been started.");
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseAddress.ToString(),
            ViewportSize = new ViewportSize { Width = 1440, Height = 900 },
            ColorScheme = colorScheme,
        });
        context.SetDefaultTimeout(WaitLimitMilliseconds);
        var page = new BrowserPage(context, await context.NewPageAsync());
        page.Response = await page.Page.GotoAsync(path);
        return page;
    }

    /// <summary>Saves a full-page PNG as TestResults/screenshots/<paramref name="name"/>.png and returns its path.</summary>
    public static async Task<string> SaveScreenshotAsync(IPage page, string name)
    {
        Directory.CreateDirectory(ScreenshotDirectory);
        var file = Path.Combine(ScreenshotDirectory, $"{name}.png");
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = file, FullPage = true, Animations = ScreenshotAnimations.Disabled });
        return file;
    }

    /// <summary>Stops the app while the browser stays, as a crash or a redeploy would.</summary>
    public async Task StopAppAsync()
    {
        if (_app is not null)
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            _app = null;
        }
    }

    /// <summary>A new app on the same address: to the browser, the server restarted and knows none of its circuits.</summary>
    public async Task RestartAppAsync()
    {
        await StopAppAsync();
        await StartAppAsync(BaseAddress.ToString().TrimEnd('/'));
    }

    private async Task<string> StartAppAsync(string urls)
    {
        var options = PortMapperOptions.Parse([.. Arguments, "--urls", urls]);
        _app = PortMapperHost.Build(options, ConfigureApp);
        await _app.StartAsync();
        return _app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single();
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null)
        {
            await _browser.CloseAsync();
        }

        _playwright?.Dispose();
        await StopAppAsync();
        await AfterStopAsync();
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "PortMapper.sln")))
            {
                return dir.FullName;
            }
        }

        return AppContext.BaseDirectory;
    }
}

/// <summary>Tests in this collection share one app and one browser.</summary>
[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<PortMapperAppFixture>
{
    public const string Name = "browser";
}
