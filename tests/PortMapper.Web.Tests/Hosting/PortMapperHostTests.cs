using Microsoft.Extensions.Configuration;
using PortMapper.Web.Hosting;

namespace PortMapper.Web.Tests.Hosting;

public sealed class PortMapperHostTests
{
    [Fact]
    public void ListenUrls_NothingConfigured_IsLoopbackPort5000()
    {
        var urls = PortMapperHost.ListenUrls(new PortMapperOptions(), Configuration());

        Assert.Equal(["http://127.0.0.1:5000"], urls);
    }

    [Fact]
    public void ListenUrls_AspNetCoreUrlsSet_UsesThem()
    {
        var urls = PortMapperHost.ListenUrls(new PortMapperOptions(), Configuration(("urls", "http://0.0.0.0:8080; http://[::]:8080")));

        Assert.Equal(["http://0.0.0.0:8080", "http://[::]:8080"], urls);
    }

    [Fact]
    public void ListenUrls_UrlsOptionAndConfiguration_OptionWins()
    {
        var options = PortMapperOptions.Parse("--urls", "http://127.0.0.1:0");

        var urls = PortMapperHost.ListenUrls(options, Configuration(("urls", "http://0.0.0.0:8080")));

        Assert.Equal(["http://127.0.0.1:0"], urls);
    }

    [Fact]
    public void Build_Options_RegistersThemAsASingleton()
    {
        var options = PortMapperOptions.Parse("--namespaces", "web", "--urls", "http://127.0.0.1:0");

        var app = PortMapperHost.Build(options);

        Assert.Same(options, app.Services.GetRequiredService<PortMapperOptions>());
    }

    [Fact]
    public void Build_Configure_RunsAfterTheAppsOwnRegistrations()
    {
        var replacement = PortMapperOptions.Parse("--demo");

        var app = PortMapperHost.Build(["--urls", "http://127.0.0.1:0"], builder => builder.Services.AddSingleton(replacement));

        Assert.Same(replacement, app.Services.GetRequiredService<PortMapperOptions>());
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder()
            .AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value)))
            .Build();
}
