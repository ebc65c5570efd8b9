using PortMapper.Core.Cluster;
using PortMapper.Web.Api;
using PortMapper.Web.Designer;
using PortMapper.Web.Security;
using PortMapper.Web.Components;
using PortMapper.Web.Components.Layout;
using MudBlazor.Services;

namespace PortMapper.Web.Hosting;

/// <summary>
/// Builds the PortMapper web app: every service registration and the request pipeline live here, so
/// <c>Program</c> and the in-process test hosts start exactly the same app.
/// </summary>
public static class PortMapperHost
{
    /// <summary>The host's application name, fixed so that tests starting the app from their own assembly find its static web asset manifests.</summary>
    public static string ApplicationName { get; } = typeof(PortMapperHost).Assembly.GetName().Name!;

    /// <summary>Parses <paramref name="args"/> (throwing <see cref="ArgumentException"/> when they are bad) and builds the app.</summary>
    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null) =>
        Build(PortMapperOptions.Parse(args), configure);

    /// <summary>
    /// Builds the app for <paramref name="options"/>. <paramref name="configure"/> runs after PortMapper's own
    /// registrations, so tests can replace services (for example the cluster source) before the app is built.
    /// </summary>
    public static WebApplication Build(PortMapperOptions options, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            ApplicationName = ApplicationName,
            // By default the app's own folder, wherever it is started from: appsettings.json and, once published, wwwroot/.
            ContentRootPath = options.ContentRoot ?? AppContext.BaseDirectory,
            EnvironmentName = options.Environment,
        });

        // Outside Development, ASP.NET Core only serves static web assets (our wwwroot/ and MudBlazor's _content/)
        // from a published folder. This makes `dotnet run` and test hosts serve them from the build output too;
        // it does nothing for a published app.
        builder.WebHost.UseStaticWebAssets();
        builder.WebHost.UseUrls([.. ListenUrls(options, builder.Configuration)]);

        AddPortMapper(builder.Services, options);
        configure?.Invoke(builder);

        var app = builder.Build();
        UsePortMapper(app);
        return app;
    }

    /// <summary>Builds the cluster source now rather than on first use (it throws KubeconfigException when unusable).</summary>
    public static void ConnectCluster(WebApplication app) => app.Services.GetRequiredService<ClusterConnection>();

    internal static IEnumerable<string> ListenUrls(PortMapperOptions options, IConfiguration configuration)
    {
        if (!options.Urls.IsEmpty)
        {
            return options.Urls;
        }

        // ASPNETCORE_URLS (or `urls` in appsettings.json) wins over our default, as in any ASP.NET Core app.
        var configured = configuration["urls"];
        return string.IsNullOrWhiteSpace(configured)
            ? [PortMapperOptions.DefaultUrl]
            : configured.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
    }

    private static void AddPortMapper(IServiceCollection services, PortMapperOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton(sp => ClusterSources.Create(options, sp.GetRequiredService<ILoggerFactory>()));
        // IClusterSource is deliberately not registered: the source changes at runtime (a context switch) and is
        // owned by LiveAnalysis; a scoped or transient registration would be disposed with the request or circuit.
        // Read it through LiveAnalysis.Source.
        services.AddSingleton(sp => sp.GetRequiredService<ClusterConnection>().Live);
        services.AddSingleton<ContextSwitcher>();
        services.AddHostedService<LiveAnalysisHost>();
        services.AddPortMapperSecurity(options);
        services.AddPortMapperProxy(options);
        services.AddScoped<DesignPreview>();
        services.AddProblemDetails();
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddMudServices();
    }

    // Pages ask Chromium for the system's colour preference (a client hint), so the prerendered page is already in the
    // right theme; Critical-CH makes the very first request retry with it. Other browsers ignore both, and the circuit
    // asks the page instead (MainLayout).
    private static Task AskForTheColourScheme(HttpContext context, Func<Task> next)
    {
        context.Response.OnStarting(() =>
        {
            if (context.Response.ContentType?.StartsWith("text/html", StringComparison.OrdinalIgnoreCase) == true)
            {
                var headers = context.Response.Headers;
                headers["Accept-CH"] = ThemeChoice.ClientHint;
                headers["Critical-CH"] = ThemeChoice.ClientHint;
                headers.Append("Vary", ThemeChoice.ClientHint);
            }

            return Task.CompletedTask;
        });
        return next();
    }

    private static void UsePortMapper(WebApplication app)
    {
        app.UsePortMapperProxy(app.Services.GetRequiredService<PortMapperOptions>());
        if (!app.Environment.IsDevelopment())
        {
            app.UseExceptionHandler("/Error", createScopeForErrors: true);
        }

        app.UseStatusCodePagesWithReExecute("/not-found");
        app.Use(AskForTheColourScheme);
        app.UsePortMapperSecurity();
        app.UseAntiforgery();

        app.MapStaticAssets();
        app.MapPortMapperHealth();
        app.MapPortMapperSecurity();
        app.MapPortMapperApi();

        // Browsers ask for /favicon.ico on every page that names no icon (the probes' plain-text answers included).
        app.MapGet("/favicon.ico", (IWebHostEnvironment env) =>
            env.WebRootFileProvider.GetFileInfo("img/portmapper.svg") is { Exists: true } icon
                ? Results.Stream(icon.CreateReadStream(), "image/svg+xml")
                : Results.NotFound());
        app.MapManifestApi();
        app.MapRazorComponents<App>()
            .AddInteractiveServerRenderMode();
    }
}
