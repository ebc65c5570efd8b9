using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Logging;
using PortMapper.Core.Cluster;
using PortMapper.Web.Hosting;

namespace PortMapper.Web.Tests.Support;

/// <summary>
/// The whole app built by PortMapperHost with a command line, in memory (TestServer, as WebApplicationFactory uses)
/// or on Kestrel at 127.0.0.1 (for what depends on real connections: client addresses, forwarded headers).
/// </summary>
internal sealed class TestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private TestApp(WebApplication app, Uri address, CapturedLogs logs)
    {
        _app = app;
        Address = address;
        Logs = logs;
    }

    public Uri Address { get; }

    public CapturedLogs Logs { get; }

    public IServiceProvider Services => _app.Services;

    /// <param name="args">The command line, as a person would give it.</param>
    /// <param name="source">A cluster source to use instead of the one the command line chooses.</param>
    /// <param name="kestrel">Listen on 127.0.0.1 (a free port) instead of in memory.</param>
    /// <param name="configure">More service registrations, after the app's own.</param>
    public static async Task<TestApp> StartAsync(IEnumerable<string> args, IClusterSource? source = null, bool kestrel = false, Action<WebApplicationBuilder>? configure = null)
    {
        var logs = new CapturedLogs();
        var options = PortMapperOptions.Parse([.. args, .. kestrel ? new[] { "--urls", "http://127.0.0.1:0" } : []]);
        var app = PortMapperHost.Build(options, builder =>
        {
            if (!kestrel)
            {
                builder.WebHost.UseTestServer();
            }

            builder.Logging.AddProvider(logs).SetMinimumLevel(LogLevel.Trace);
            if (source is not null)
            {
                builder.Services.AddSingleton(new ClusterConnection(source, new LiveAnalysis(source)));
            }

            configure?.Invoke(builder);
        });
        await app.StartAsync();
        var address = kestrel
            ? new Uri(app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.Single())
            : new Uri("https://localhost/");
        return new TestApp(app, address, logs);
    }

    /// <summary>A client that keeps cookies and does not follow redirects, so tests see each answer.</summary>
    public HttpClient CreateClient(CookieContainer? cookies = null)
    {
        var handler = _app.Services.GetRequiredService<IServer>() is TestServer server
            ? (HttpMessageHandler)new CookieHandler(server.CreateHandler(), cookies ?? new CookieContainer())
            : new HttpClientHandler { AllowAutoRedirect = false, CookieContainer = cookies ?? new CookieContainer() };
        return new HttpClient(handler) { BaseAddress = Address };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    /// <summary>TestServer's handler does not keep cookies; this adds a cookie jar in front of it.</summary>
    private sealed class CookieHandler(HttpMessageHandler inner, CookieContainer cookies) : DelegatingHandler(inner)
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var uri = request.RequestUri!;
            if (cookies.GetCookieHeader(uri) is { Length: > 0 } header)
            {
                request.Headers.Add("Cookie", header);
            }

            var response = await base.SendAsync(request, cancellationToken);
            if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
            {
                foreach (var setCookie in setCookies)
                {
                    cookies.SetCookies(uri, setCookie);
                }
            }

            return response;
        }
    }
}
