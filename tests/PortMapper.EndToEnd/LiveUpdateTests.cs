using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;
using static Microsoft.Playwright.Assertions;

namespace PortMapper.EndToEnd;

[Collection(BrowserCollection.Name)]
public sealed class LiveUpdateTests(PortMapperAppFixture app)
{
    [Fact]
    public async Task ApplyService_InTheDemoCluster_AppearsOnTheOpenPathsPageWithoutReload()
    {
        await using var tab = await app.OpenAsync("/paths");
        await tab.WaitForInteractiveAsync();
        var source = app.App.Services.GetRequiredService<LiveAnalysis>().Source;
        var service = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"live-e2e","namespace":"default"},
             "spec":{"type":"NodePort","selector":{"name":"nginx-pod"},"ports":[{"port":8088,"targetPort":80,"nodePort":30999}]}}
            """)!.AsObject();

        try
        {
            var results = await source.ApplyAsync([service], new ApplyOptions(DryRun: false), CancellationToken.None);

            Assert.True(results[0].Succeeded, results[0].Message);
            var row = tab.Page.Locator("tr:has([data-path-id='nodeport:default/live-e2e:8088/TCP'])");
            await Expect(row).ToContainTextAsync(":30999");
            await Expect(row).ToContainTextAsync("1 pod :80");
            Assert.Empty(tab.Problems);
        }
        finally
        {
            // The app is shared by the browser tests: leave the demo cluster as it was.
            ((DemoCluster)source).Delete(new ObjectRef("Service", "default", "live-e2e"));
        }
    }
}
