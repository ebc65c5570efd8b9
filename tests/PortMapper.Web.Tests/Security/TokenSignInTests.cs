using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using PortMapper.Web.Tests.Support;

namespace PortMapper.Web.Tests.Security;

/// <summary>--apply-token-file: the sign-in form (cookie) and bearer tokens, on an app that applies to a real cluster.</summary>
public sealed class TokenSignInTests : IAsyncLifetime
{
    private readonly TokenFile _token = TokenFile.Create();
    private TestApp _app = null!;

    public async Task InitializeAsync() =>
        _app = await TestApp.StartAsync(["--allow-apply", "--urls", "http://0.0.0.0:8080", "--apply-token-file", _token.Path], new FakeLiveCluster());

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        _token.Dispose();
    }

    [Fact]
    public async Task Access_Anonymous_IsRefusedWithWhatToDo()
    {
        using var client = _app.CreateClient();

        var access = await AccessAsync(client);

        Assert.False(access.GetProperty("applyAllowed").GetBoolean());
        Assert.True(access.GetProperty("signInRequired").GetBoolean());
        Assert.StartsWith("Sign in to apply: open /signin", access.GetProperty("reason").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Home_Anonymous_OffersTheSignInLink()
    {
        using var client = _app.CreateClient();

        var home = await ParseAsync(await client.GetAsync("/"));

        Assert.Equal("signin", home.QuerySelector("[role=banner] a.pm-signin-link")?.GetAttribute("href"));
    }

    [Fact]
    public async Task Access_DemoSandboxWithTheSameOptions_NeedsNoSignIn()
    {
        await using var demo = await TestApp.StartAsync(["--allow-apply", "--urls", "http://0.0.0.0:8080", "--apply-token-file", _token.Path]);
        using var client = demo.CreateClient();

        var access = await AccessAsync(client);
        var home = await ParseAsync(await client.GetAsync("/"));

        Assert.True(access.GetProperty("applyAllowed").GetBoolean());
        Assert.False(access.GetProperty("signInRequired").GetBoolean());
        Assert.Null(home.QuerySelector("[role=banner] .pm-signin-link"));
    }

    [Fact]
    public async Task Access_WithTheBearerToken_IsAllowed()
    {
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _token.Token);

        var access = await AccessAsync(client);

        Assert.True(access.GetProperty("applyAllowed").GetBoolean());
        Assert.Equal("token holder", access.GetProperty("user").GetString());
    }

    [Theory]
    [InlineData("wrong-token-of-some-length")]
    [InlineData("x")]
    public async Task Access_WithAnotherBearerToken_IsRefused(string bearer)
    {
        using var client = _app.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", bearer);

        var access = await AccessAsync(client);

        Assert.False(access.GetProperty("applyAllowed").GetBoolean());
        Assert.Equal(JsonValueKind.Null, access.GetProperty("user").ValueKind);
    }

    [Fact]
    public async Task SignInForm_RightToken_SetsTheCookieThatLetsThePersonApply()
    {
        using var client = _app.CreateClient();

        using var response = await PostSignInAsync(client, _token.Token, returnUrl: "signin");

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("https://localhost/signin", response.Headers.Location?.ToString());
        var cookie = Assert.Single(response.Headers.GetValues("Set-Cookie"), c => c.StartsWith("PortMapper.Auth=", StringComparison.Ordinal));
        Assert.Contains("httponly", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("samesite=lax", cookie, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("secure", cookie, StringComparison.OrdinalIgnoreCase);
        var access = await AccessAsync(client);
        Assert.True(access.GetProperty("applyAllowed").GetBoolean());
        Assert.Equal("token holder", access.GetProperty("user").GetString());
        var home = await ParseAsync(await client.GetAsync("/"));
        Assert.Equal("token holder", home.QuerySelector("[role=banner] .pm-signin-name")?.TextContent);
    }

    [Fact]
    public async Task SignInForm_WrongToken_ShowsWhyAndNeitherSignsInNorEchoesIt()
    {
        using var client = _app.CreateClient();

        using var response = await PostSignInAsync(client, "not-the-token-but-long-enough", returnUrl: null);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.Contains("That token does not match", body, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-token-but-long-enough", body, StringComparison.Ordinal);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("PortMapper.Auth=", StringComparison.Ordinal)));
        Assert.False((await AccessAsync(client)).GetProperty("applyAllowed").GetBoolean());
    }

    [Fact]
    public async Task SignInForm_WithoutTheAntiforgeryToken_IsRejected()
    {
        using var client = _app.CreateClient();

        using var response = await client.PostAsync("/signin", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "token-signin",
            ["Input.Token"] = _token.Token,
        }));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.False(response.Headers.TryGetValues("Set-Cookie", out var cookies) && cookies.Any(c => c.StartsWith("PortMapper.Auth=", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task SignInForm_ReturnUrlToAnotherSite_GoesHomeInstead()
    {
        using var client = _app.CreateClient();

        using var response = await PostSignInAsync(client, _token.Token, returnUrl: "https://evil.example/");

        Assert.Equal("https://localhost/", response.Headers.Location?.ToString());
    }

    [Fact]
    public async Task SignOut_FromTheHeaderForm_EndsTheSignIn()
    {
        using var client = _app.CreateClient();
        await PostSignInAsync(client, _token.Token, returnUrl: null);
        var home = await ParseAsync(await client.GetAsync("/"));
        var form = home.QuerySelector("form.pm-signin-status")!;

        using var response = await client.PostAsync(form.GetAttribute("action"), new FormUrlEncodedContent(Fields(form)));

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(JsonValueKind.Null, (await AccessAsync(client)).GetProperty("user").ValueKind);
    }

    [Theory]
    [InlineData("application/x-www-form-urlencoded", false, true)]
    [InlineData("multipart/form-data; boundary=x", false, true)]
    [InlineData("text/plain", false, true)]
    [InlineData(null, false, true)]
    [InlineData("application/json", false, false)]
    [InlineData("application/yaml", false, false)]
    [InlineData("text/plain", true, false)]
    public async Task PostToTheApi_WithASimpleContentTypeAndNoHeader_IsRefusedBeforeAnyEndpoint(string? contentType, bool header, bool refused)
    {
        using var client = _app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/access");
        if (contentType is not null)
        {
            request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes("{}"));
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        if (header)
        {
            request.Headers.Add("X-PortMapper-Request", "1");
        }

        using var response = await client.SendAsync(request);

        // When let through, routing answers: there is no POST /api/access.
        var body = await response.Content.ReadAsStringAsync();
        Assert.Equal(refused, response.StatusCode == HttpStatusCode.UnsupportedMediaType);
        Assert.Equal(refused, body.Contains("it could come from another web site", StringComparison.Ordinal));
    }

    private async Task<HttpResponseMessage> PostSignInAsync(HttpClient client, string token, string? returnUrl)
    {
        var path = returnUrl is null ? "/signin" : $"/signin?returnUrl={Uri.EscapeDataString(returnUrl)}";
        var page = await ParseAsync(await client.GetAsync(path));
        var form = page.QuerySelector("form.pm-signin-token")!;
        var fields = Fields(form);
        fields["Input.Token"] = token;
        return await client.PostAsync(path, new FormUrlEncodedContent(fields));
    }

    private static Dictionary<string, string> Fields(AngleSharp.Dom.IElement form) =>
        form.QuerySelectorAll("input[name]").ToDictionary(i => i.GetAttribute("name")!, i => i.GetAttribute("value") ?? "");

    private static async Task<JsonElement> AccessAsync(HttpClient client)
    {
        using var json = JsonDocument.Parse(await client.GetStringAsync("/api/access"));
        return json.RootElement.Clone();
    }

    private static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response) =>
        new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
}
