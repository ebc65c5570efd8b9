using Microsoft.Playwright;
using PortMapper.TestApiServer;
using static Microsoft.Playwright.Assertions;
using ApiServer = PortMapper.TestApiServer.TestApiServer;

namespace PortMapper.EndToEnd;

/// <summary>
/// The app on a kubeconfig that points at the test API server (the real protocol, seeded with the objects recorded
/// from a real cluster), so a test can break the connection under a real browser.
/// </summary>
public sealed class LiveClusterAppFixture : PortMapperAppFixture
{
    private string _kubeconfig = "";

    public ApiServer Server { get; private set; } = null!;

    protected override IEnumerable<string> Arguments => ["--kubeconfig", _kubeconfig];

    protected override async Task BeforeStartAsync()
    {
        Server = await ApiServer.StartAsync();
        RecordedCluster.SeedInto(Server);

        _kubeconfig = Path.Combine(Path.GetTempPath(), $"portmapper-e2e-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(_kubeconfig, Server.Kubeconfig(Server.CreateToken("admin", "system:masters")));
    }

    protected override async Task AfterStopAsync()
    {
        await Server.DisposeAsync();
        File.Delete(_kubeconfig);
    }
}

[CollectionDefinition(Name)]
public sealed class LiveClusterCollection : ICollectionFixture<LiveClusterAppFixture>
{
    public const string Name = "browser on a live cluster";
}

[Collection(LiveClusterCollection.Name)]
public sealed class ClusterConnectionTests(LiveClusterAppFixture app)
{
    [Fact]
    public async Task ClusterConnectionDrops_PageSaysSoKeepsTheGraphAndRecoversByItself()
    {
        await using var tab = await app.OpenAsync();
        await tab.WaitForInteractiveAsync();
        var state = tab.Page.Locator("[role=banner] [data-testid=connection-state]");
        await Expect(state).ToHaveAttributeAsync("data-state", "live");
        var canvas = tab.Page.Locator("[data-testid=graph-canvas][data-rendered-version]");
        await Expect(canvas).ToHaveAttributeAsync("data-node-count", new System.Text.RegularExpressions.Regex("^[1-9]"));
        var nodes = await canvas.GetAttributeAsync("data-node-count");

        try
        {
            app.Server.Faults.FailNext(int.MaxValue, 500);
            app.Server.Faults.DropWatches();

            await Expect(state).ToHaveAttributeAsync("data-state", "reconnecting");
            await Expect(state).ToHaveTextAsync("Reconnecting…");
            await Expect(state).ToHaveAttributeAsync("title", new System.Text.RegularExpressions.Regex("injected fault"));
            Assert.Equal(1, await tab.Page.Locator("[role=banner] [role=status]").CountAsync());
            Assert.Equal(nodes, await canvas.GetAttributeAsync("data-node-count"));
            await tab.SaveScreenshotAsync("connection-reconnecting");
        }
        finally
        {
            app.Server.Faults.ClearFailures();
        }

        await Expect(state).ToHaveAttributeAsync("data-state", "live");
        await Expect(state).ToHaveTextAsync("Live");
        Assert.Equal(nodes, await canvas.GetAttributeAsync("data-node-count"));

        // The browser saw the API server's 500s only through the page: none of its own requests failed.
        Assert.Empty(tab.Problems);
    }
}
