using System.Net.Http.Headers;
using AngleSharp.Html.Parser;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using PortMapper.Web.Tests.Support;

namespace PortMapper.Web.Tests.Security;

/// <summary>
/// Credentials never reach the browser or a log: a running app holding an apply token, an OpenID Connect client
/// secret and a kubeconfig with a bearer token is asked for every page and API endpoint, anonymously, with the bearer
/// token and signed in; no answer (headers or body) and no log line at any level may contain any of them.
/// </summary>
public sealed class SecretLeakTests : IAsyncLifetime
{
    private const string KubeToken = "kube-bearer-9d1c6e0b7a2f4e31";
    private const string ClientSecret = "oidc-client-secret-52be1f0c";

    private readonly TokenFile _token = TokenFile.Create();
    private readonly DirectoryInfo _dir = Directory.CreateTempSubdirectory("portmapper-secrets-");
    private TestApp _app = null!;

    private string[] Secrets => [_token.Token, KubeToken, ClientSecret];

    public async Task InitializeAsync()
    {
        var kubeconfig = Path.Combine(_dir.FullName, "config");
        await File.WriteAllTextAsync(kubeconfig, $"""
            apiVersion: v1
            kind: Config
            current-context: test
            clusters:
            - name: test
              cluster:
                server: https://127.0.0.1:6443
            users:
            - name: test
              user:
                token: {KubeToken}
            contexts:
            - name: test
              context:
                cluster: test
                user: test
            """);
        var secretFile = Path.Combine(_dir.FullName, "oidc-secret");
        await File.WriteAllTextAsync(secretFile, ClientSecret);
        _app = await TestApp.StartAsync(
            ["--kubeconfig", kubeconfig, "--allow-apply", "--path-base", "/portmapper", "--apply-token-file", _token.Path,
             "--oidc-authority", "https://idp.example", "--oidc-client-id", "portmapper", "--oidc-client-secret-file", secretFile],
            kestrel: true,
            // Every framework line too (appsettings.json keeps Microsoft.AspNetCore at Warning): authentication handlers log at Debug.
            configure: b => b.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Trace));
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _token.Dispose();
        _dir.Delete(recursive: true);
    }

    [Fact]
    public async Task EveryPageAndApiAnswer_AndEveryLogLine_HoldNoCredential()
    {
        var urls = Urls();
        Assert.Contains("/portmapper/api/cluster", urls);
        Assert.Contains("/portmapper/signin", urls);
        var answers = new List<string>();

        using (var anonymous = _app.CreateClient())
        {
            // The kubeconfig is really used: the Kubernetes client tries the (absent) API server with its token.
            Assert.Contains("\"source\":\"kubeconfig\"", await anonymous.GetStringAsync("/portmapper/api/cluster"), StringComparison.Ordinal);
            answers.AddRange(await FetchAllAsync(anonymous, urls));
            answers.Add(await DescribeAsync(await anonymous.GetAsync("/portmapper/auth/oidc?returnUrl=designer")));
        }

        using (var bearer = _app.CreateClient())
        {
            bearer.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token.Token);
            answers.AddRange(await FetchAllAsync(bearer, urls));
        }

        using (var signedIn = _app.CreateClient())
        {
            answers.Add(await SignInAsync(signedIn, "a-wrong-token-that-is-long"));
            answers.Add(await SignInAsync(signedIn, _token.Token));
            answers.AddRange(await FetchAllAsync(signedIn, urls));
        }

        Assert.True(answers.Count > 3 * 8, $"only {answers.Count} answers were checked");
        foreach (var secret in Secrets)
        {
            Assert.DoesNotContain(answers, a => a.Contains(secret, StringComparison.Ordinal));
            Assert.DoesNotContain(_app.Logs.Entries, e => $"{e.Message} {string.Join(' ', e.State.Values)} {e.Exception}".Contains(secret, StringComparison.Ordinal));
        }

        Assert.Contains(_app.Logs.Entries, e => e.Category.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal));
        Assert.Contains(_app.Logs.Entries, e => e.Category.StartsWith("PortMapper.Kubernetes", StringComparison.Ordinal));
    }

    /// <summary>Every GET endpoint the app maps (pages and API), with sample values for route parameters; not static files.</summary>
    private List<string> Urls()
    {
        var endpoints = _app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods is not { Count: > 0 } methods || methods.Contains("GET"))
            .Select(e => e.RoutePattern.RawText ?? "")
            .Where(p => !p.Contains('.', StringComparison.Ordinal) && !p.StartsWith("/_", StringComparison.Ordinal) && !p.StartsWith("_", StringComparison.Ordinal))
            .Select(p => "/" + p.TrimStart('/').Replace("{namespace}", "default", StringComparison.Ordinal).Replace("{name}", "nginx-service", StringComparison.Ordinal))
            .Where(p => !p.Contains('{', StringComparison.Ordinal))
            .Distinct(StringComparer.Ordinal);
        string[] extra = ["/api/trace?to=default/nginx-service", "/api/paths?namespace=default", "/no-such-page", "/signin?error=oidc", "/readyz", "/healthz"];
        return [.. endpoints.Concat(extra).Select(p => "/portmapper" + p)];
    }

    private static async Task<List<string>> FetchAllAsync(HttpClient client, IEnumerable<string> urls)
    {
        var answers = new List<string>();
        foreach (var url in urls)
        {
            answers.Add(await DescribeAsync(await client.GetAsync(url)));
        }

        return answers;
    }

    private static async Task<string> SignInAsync(HttpClient client, string token)
    {
        var page = new HtmlParser().ParseDocument(await client.GetStringAsync("/portmapper/signin"));
        var fields = page.QuerySelector("form.pm-signin-token")!.QuerySelectorAll("input[name]")
            .ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");
        fields["Input.Token"] = token;
        return await DescribeAsync(await client.PostAsync("/portmapper/signin", new FormUrlEncodedContent(fields)));
    }

    private static async Task<string> DescribeAsync(HttpResponseMessage response)
    {
        using (response)
        {
            return $"{response.RequestMessage?.RequestUri} {(int)response.StatusCode}\n{response.Headers}\n{response.Content.Headers}\n{await response.Content.ReadAsStringAsync()}";
        }
    }
}
