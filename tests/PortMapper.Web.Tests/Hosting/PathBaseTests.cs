using System.Net;
using System.Text.Json;
using AngleSharp.Html.Dom;
using AngleSharp.Html.Parser;
using PortMapper.Web.Hosting;
using PortMapper.Web.Tests.Support;

namespace PortMapper.Web.Tests.Hosting;

/// <summary>Behind an Ingress at /portmapper: pages, assets, the API and Blazor's script under the prefix; forwarded headers from trusted proxies only.</summary>
public sealed class PathBaseTests
{
    [Fact]
    public async Task Get_UnderPathBase_ServesThePageItsAssetsAndTheApi()
    {
        await using var app = await TestApp.StartAsync(["--path-base", "/portmapper"]);
        using var client = app.CreateClient();

        using var response = await client.GetAsync("/portmapper/");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await ParseAsync(response);
        Assert.Equal("/portmapper/", page.QuerySelector("base")?.GetAttribute("href"));
        Assert.Equal("Traffic graph", page.QuerySelector(".pm-body h1")?.TextContent);
        var assets = page.QuerySelectorAll("link[href], script[src], img[src]")
            .Select(e => e.GetAttribute("href") ?? e.GetAttribute("src")!)
            .ToList();
        Assert.Contains("_framework/blazor.web.js", assets);
        Assert.All(assets, a => Assert.False(a.StartsWith('/'), $"{a} ignores the base href"));
        foreach (var asset in assets)
        {
            using var answer = await client.GetAsync(new Uri(new Uri(app.Address, "/portmapper/"), asset));
            Assert.True(answer.IsSuccessStatusCode, $"/portmapper/{asset} answered {(int)answer.StatusCode}");
        }

        using var paths = JsonDocument.Parse(await client.GetStringAsync("/portmapper/api/paths"));
        Assert.NotEqual(0, paths.RootElement.GetArrayLength());
        Assert.Equal("ok", await client.GetStringAsync("/portmapper/healthz"));
    }

    [Fact]
    public async Task Get_ProbePathsWithoutThePrefix_StillAnswer()
    {
        await using var app = await TestApp.StartAsync(["--path-base", "/portmapper"]);
        using var client = app.CreateClient();

        Assert.Equal("ok", await client.GetStringAsync("/healthz"));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/readyz")).StatusCode);
    }

    [Fact]
    public async Task Get_ForwardedPrefixFromLoopbackProxy_BecomesTheBaseHref()
    {
        await using var app = await TestApp.StartAsync([], kestrel: true);
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Forwarded-Prefix", "/tools/portmapper");
        request.Headers.Add("X-Forwarded-Proto", "https");

        var page = await ParseAsync(await client.SendAsync(request));

        Assert.Equal("/tools/portmapper/", page.QuerySelector("base")?.GetAttribute("href"));
    }

    [Fact]
    public async Task Get_ForwardedPrefixFromAnUntrustedAddress_IsIgnored()
    {
        // Only 10.0.0.0/8 is trusted, and the test connects from 127.0.0.1.
        await using var app = await TestApp.StartAsync(["--trusted-proxies", "10.0.0.0/8"], kestrel: true);
        using var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/");
        request.Headers.Add("X-Forwarded-Prefix", "/evil");

        var page = await ParseAsync(await client.SendAsync(request));

        Assert.Equal("/", page.QuerySelector("base")?.GetAttribute("href"));
    }

    [Fact]
    public void TrustedNetworks_OutsideAPod_AreLoopbackOnly()
    {
        var networks = ProxyHosting.TrustedNetworks(new PortMapperOptions(), inPod: false);

        Assert.Equal(["127.0.0.0/8", "::1/128"], networks.Select(n => n.ToString()));
    }

    [Fact]
    public void TrustedNetworks_InAPod_AddThePrivateNetworks()
    {
        var networks = ProxyHosting.TrustedNetworks(new PortMapperOptions(), inPod: true);

        Assert.Equal(["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"], networks.Select(n => n.ToString()));
    }

    [Fact]
    public void TrustedNetworks_Given_ReplaceTheDefaults()
    {
        var networks = ProxyHosting.TrustedNetworks(PortMapperOptions.Parse("--trusted-proxies", "10.42.0.0/16,fd00::/8"), inPod: true);

        Assert.Equal(["10.42.0.0/16", "fd00::/8"], networks.Select(n => n.ToString()));
    }

    [Fact]
    public void Parse_PathBaseVariable_IsUsedWhenTheOptionIsNot()
    {
        var fromVariable = PortMapperCommandLine.Parse([], Environment("/portmapper/"));
        var fromOption = PortMapperCommandLine.Parse(["--path-base", "/other"], Environment("/portmapper"));

        Assert.Equal("/portmapper", fromVariable.Options?.PathBase);
        Assert.Equal("/other", fromOption.Options?.PathBase);
    }

    [Theory]
    [InlineData("portmapper")]
    [InlineData("/a//b")]
    [InlineData("/a?b")]
    public void Parse_BadPathBase_SaysHowToWriteIt(string value)
    {
        var result = PortMapperCommandLine.Parse(["--path-base", value], Environment(null));

        Assert.StartsWith($"--path-base: '{value}' is not a URL path prefix; write it like /portmapper", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_BadTrustedProxy_SaysHowToWriteIt()
    {
        var result = PortMapperCommandLine.Parse(["--trusted-proxies", "10.0.0.0/8,ingress"], Environment(null));

        Assert.StartsWith("--trusted-proxies: 'ingress' is not a network", Assert.Single(result.Errors), StringComparison.Ordinal);
    }

    private static Func<string, string?> Environment(string? pathBase) =>
        name => name == PortMapperCommandLine.PathBaseVariable ? pathBase : null;

    private static async Task<IHtmlDocument> ParseAsync(HttpResponseMessage response) =>
        new HtmlParser().ParseDocument(await response.Content.ReadAsStringAsync());
}
