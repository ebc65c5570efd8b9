using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;
using static Microsoft.Playwright.Assertions;

namespace PortMapper.EndToEnd;

/// <summary>The graph dashboard on the demo cluster, in Chromium.</summary>
[Collection(BrowserCollection.Name)]
public sealed class GraphTests(PortMapperAppFixture app)
{
    private const string Canvas = "[data-testid=graph-canvas]";
    private const string NginxService = "svc:default/nginx-service:30080/TCP";

    /// <summary>The demo's graph: see GraphBuilderTests.DemoNodeCount in PortMapper.Web.Tests.</summary>
    private const int DemoNodes = 100;
    private const int DemoEdges = 99;

    /// <summary>The demo's paths: GraphBuilderTests.DemoPathCount.</summary>
    private const int DemoPaths = 50;

    [Fact]
    public async Task Open_DemoCluster_DrawsEveryElementOfTheGraph()
    {
        await using var tab = await OpenGraphAsync();

        var canvas = tab.Page.Locator(Canvas);
        await Expect(canvas).ToHaveAttributeAsync("data-node-count", DemoNodes.ToString(System.Globalization.CultureInfo.InvariantCulture));
        await Expect(canvas).ToHaveAttributeAsync("data-edge-count", DemoEdges.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var api = JsonNode.Parse(await (await tab.Page.APIRequest.GetAsync("api/graph")).TextAsync())!;
        Assert.Equal(DemoNodes, api["nodes"]!.AsArray().Count);
        Assert.Equal(DemoEdges, api["edges"]!.AsArray().Count);
        var nodePort = await InspectAsync(tab, "nodeport:default/nginx-service:30080/TCP");
        Assert.Equal("NodePort\n3 nodes :30001", nodePort.GetProperty("label").GetString());
        var broken = await InspectAsync(tab, "pods:shop/cart:8080/TCP");
        Assert.Contains("broken", broken.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));

        await tab.SaveScreenshotAsync("graph");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task Fit_ShowsTheWholeGraphAboveTheLegendNeverMagnified()
    {
        await using var tab = await OpenGraphAsync();
        var first = await ViewportAsync(tab);
        Assert.InRange(first.GetProperty("zoom").GetDouble(), 0.75, 1.0);

        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Fit" }).ClickAsync();

        // The Fit animation has ended once two frames agree on the zoom.
        var fitted = await SettledViewportAsync(tab);
        var canvas = (await tab.Page.Locator(Canvas).BoundingBoxAsync())!;
        var legend = (await tab.Page.Locator(".pm-legend").BoundingBoxAsync())!;
        var box = fitted.GetProperty("box");
        Assert.True(fitted.GetProperty("zoom").GetDouble() <= 1.0);
        Assert.True(box.GetProperty("y1").GetDouble() >= 0, $"graph top {box.GetProperty("y1")} is above the canvas");
        Assert.True(box.GetProperty("x1").GetDouble() >= 0 && box.GetProperty("x2").GetDouble() <= canvas.Width, "graph wider than the canvas");
        Assert.True(canvas.Y + box.GetProperty("y2").GetDouble() <= legend.Y, $"graph bottom {canvas.Y + box.GetProperty("y2").GetDouble()} runs under the legend at {legend.Y}");
        await tab.SaveScreenshotAsync("graph-whole");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task ClickService_ShowsItsPortsYamlAndKubeProxyRules()
    {
        await using var tab = await OpenGraphAsync();

        await ClickElementAsync(tab, NginxService);

        var panel = tab.Page.Locator("[data-element-id='svc:default/nginx-service:30080/TCP']");
        await Expect(panel.Locator("#pm-element-heading")).ToHaveTextAsync("nginx-service");
        await Expect(panel.Locator("[data-testid=element-facts]")).ToContainTextAsync("30080/TCP");
        await Expect(panel.Locator("[data-testid=element-facts]")).ToContainTextAsync("30001");
        await Expect(panel.Locator("[data-testid=port-meaning]")).ToContainTextAsync("port 30080 is the Service's own port");
        await Expect(panel.Locator("[data-testid=yaml]")).ToContainTextAsync("kind: Service");
        await Expect(panel.Locator("[data-testid=yaml]")).ToContainTextAsync("nodePort: 30001");
        await Expect(panel.Locator("[data-testid=kubeproxy-section] .pm-rule").First).ToContainTextAsync("KUBE-");
        await Expect(panel.Locator("[data-testid=kubeproxy-section]")).ToContainTextAsync("DNAT");
        var selected = await InspectAsync(tab, NginxService);
        Assert.Contains("hl", selected.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));

        await tab.SaveScreenshotAsync("graph-side-panel");
        await panel.Locator("[data-testid=kubeproxy-section]").ScrollIntoViewIfNeededAsync();
        await tab.SaveScreenshotAsync("graph-side-panel-rules");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task ApplyService_InTheDemoCluster_AppearsOnTheGraphWithoutReload()
    {
        await using var tab = await OpenGraphAsync();
        var source = app.App.Services.GetRequiredService<LiveAnalysis>().Source;
        var before = await InspectAsync(tab, NginxService);
        var service = JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"graph-live-e2e","namespace":"default"},
             "spec":{"type":"NodePort","selector":{"name":"nginx-pod"},"ports":[{"port":8090,"targetPort":80,"nodePort":30997}]}}
            """)!.AsObject();

        try
        {
            var results = await source.ApplyAsync([service], new ApplyOptions(DryRun: false), CancellationToken.None);

            Assert.True(results[0].Succeeded, results[0].Message);
            await Expect(tab.Page.Locator(Canvas)).ToHaveAttributeAsync("data-node-count", (DemoNodes + 3).ToString(System.Globalization.CultureInfo.InvariantCulture));
            var added = await InspectAsync(tab, "nodeport:default/graph-live-e2e:8090/TCP");
            Assert.Equal("NodePort\n3 nodes :30997", added.GetProperty("label").GetString());
            var after = await InspectAsync(tab, NginxService);
            Assert.Equal(before.GetProperty("x").GetDouble(), after.GetProperty("x").GetDouble(), 0.5);
            Assert.Equal(before.GetProperty("y").GetDouble(), after.GetProperty("y").GetDouble(), 0.5);
            await Expect(tab.Page.Locator("[data-testid=graph-counts]")).ToContainTextAsync($"{DemoPaths + 2} paths");
            Assert.Empty(tab.Problems);
        }
        finally
        {
            // The app is shared by the browser tests: leave the demo cluster as it was.
            ((DemoCluster)source).Delete(new ObjectRef("Service", "default", "graph-live-e2e"));
        }

        await Expect(tab.Page.Locator(Canvas)).ToHaveAttributeAsync("data-node-count", DemoNodes.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    [Fact]
    public async Task HostileNamesLabelsAndAnnotations_AreShownAsTextAndRunNothing()
    {
        const string Hostile = "<img src=x onerror=alert(1)>";
        var demo = (DemoCluster)app.App.Services.GetRequiredService<LiveAnalysis>().Source;
        await using var tab = await OpenGraphAsync();
        var dialogs = new List<string>();
        tab.Page.Dialog += (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            _ = dialog.DismissAsync();
        };

        // Loaded as written (as a manifest file would be): the API server would refuse the label value and the host.
        demo.Load(
        [
            JsonNode.Parse("""
                {"apiVersion":"v1","kind":"Service","metadata":{"name":"hostile-e2e","namespace":"default",
                  "labels":{"team":"HOSTILE"},"annotations":{"note":"HOSTILE"}},
                 "spec":{"selector":{"name":"nginx-pod"},"ports":[{"port":8091,"targetPort":80}]}}
                """.Replace("HOSTILE", Hostile, StringComparison.Ordinal))!.AsObject(),
            JsonNode.Parse("""
                {"apiVersion":"networking.k8s.io/v1","kind":"Ingress","metadata":{"name":"hostile-e2e","namespace":"default"},
                 "spec":{"rules":[{"host":"HOSTILE.example.com","http":{"paths":[{"path":"/","pathType":"Prefix",
                   "backend":{"service":{"name":"hostile-e2e","port":{"number":8091}}}}]}}]}}
                """.Replace("HOSTILE", Hostile, StringComparison.Ordinal))!.AsObject(),
        ]);
        try
        {
            await Expect(tab.Page.Locator(Canvas)).ToHaveAttributeAsync("data-node-count", (DemoNodes + 3).ToString(System.Globalization.CultureInfo.InvariantCulture));

            await ClickElementAsync(tab, "svc:default/hostile-e2e:8091/TCP");
            var yaml = tab.Page.Locator("[data-testid=yaml]");
            await Expect(yaml).ToContainTextAsync($"note: \"{Hostile}\"");
            await Expect(yaml).ToContainTextAsync($"team: \"{Hostile}\"");
            await HoverElementAsync(tab, "ingress:default/hostile-e2e:0:0");
            await Expect(tab.Page.Locator(".pm-graph-tooltip")).ToContainTextAsync($"http://{Hostile}.example.com/");
            var download = await tab.Page.RunAndWaitForDownloadAsync(() => tab.Page.GetByRole(AriaRole.Button, new() { Name = "SVG" }).ClickAsync());
            var svg = await File.ReadAllTextAsync(await download.PathAsync());
            Assert.Contains("http://&lt;img src=x onerror=", svg, StringComparison.Ordinal);
            Assert.DoesNotContain("<img", svg, StringComparison.Ordinal);

            await tab.SaveScreenshotAsync("graph-hostile-names");
            Assert.Equal(0, await tab.Page.Locator("img[src=x]").CountAsync());
            Assert.Empty(dialogs);
            Assert.Empty(tab.Problems);
        }
        finally
        {
            demo.Delete(new ObjectRef("Ingress", "default", "hostile-e2e"));
            demo.Delete(new ObjectRef("Service", "default", "hostile-e2e"));
        }
    }

    [Fact]
    public async Task ExportPng_DownloadsAPngImage()
    {
        await using var tab = await OpenGraphAsync();

        var download = await tab.Page.RunAndWaitForDownloadAsync(() => tab.Page.GetByRole(AriaRole.Button, new() { Name = "PNG" }).ClickAsync());

        Assert.Equal("portmapper-graph.png", download.SuggestedFilename);
        var bytes = await File.ReadAllBytesAsync(await download.PathAsync());
        Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        Assert.True(bytes.Length > 10_000, $"a {bytes.Length}-byte PNG is too small to hold the graph");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task ExportSvg_DownloadsValidSvgWithTheGraph()
    {
        await using var tab = await OpenGraphAsync();

        var download = await tab.Page.RunAndWaitForDownloadAsync(() => tab.Page.GetByRole(AriaRole.Button, new() { Name = "SVG" }).ClickAsync());

        Assert.Equal("portmapper-graph.svg", download.SuggestedFilename);
        var svg = XDocument.Load(await download.PathAsync());
        XNamespace ns = "http://www.w3.org/2000/svg";
        Assert.Equal(ns + "svg", svg.Root!.Name);
        var texts = svg.Descendants(ns + "tspan").Select(t => t.Value).Concat(svg.Descendants(ns + "text").Select(t => t.Value)).ToList();
        Assert.Contains("nginx-service", texts);
        Assert.Contains(":30001", texts);
        Assert.Contains("10.96.0.12:30080", texts);
        Assert.True(svg.Descendants(ns + "line").Count() >= DemoEdges);
        Assert.Contains(svg.Descendants(ns + "line"), l => (string?)l.Attribute("stroke-dasharray") is not null);
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task Trace_ExternalToANodePort_ListsEachTranslationAndLightsTheHops()
    {
        await using var tab = await OpenGraphAsync();
        await tab.Page.GetByRole(AriaRole.Tab, new() { Name = "Trace" }).ClickAsync();

        await tab.Page.Locator("[data-testid=trace-target]").FillAsync("172.18.0.2:30001");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Trace", Exact = true }).ClickAsync();

        var result = tab.Page.Locator("[data-testid=trace-result]");
        await Expect(result).ToHaveAttributeAsync("data-reachable", "true");
        await Expect(result).ToContainTextAsync("Arrives at 1 pod");
        await Expect(result.Locator(".pm-trace-step")).Not.ToHaveCountAsync(0);
        await Expect(result).ToContainTextAsync("172.18.0.2:30001");
        await Expect(result).ToContainTextAsync("10.244.2.2:80");
        await Expect(result).ToContainTextAsync("KUBE-");
        await WaitForClassAsync(tab, "pods:default/nginx-service:30080/TCP", "lit");

        await NextFramesAsync(tab);
        await tab.SaveScreenshotAsync("graph-trace");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task Trace_DualStackService_ItsIpv6ClusterIpIsOfferedAndTracedToThePodsIpv6Addresses()
    {
        await using var tab = await OpenGraphAsync();
        var search = await InspectAsync(tab, "svc:shop/search:80/TCP");
        // The card shows a cluster IP of each family.
        Assert.Matches(@"^search\n10\.96\.\d+\.\d+:80\n\[fd00:10:96::[0-9a-f]+\]:80$", search.GetProperty("label").GetString());

        await ClickElementAsync(tab, "svc:shop/search:80/TCP");
        // The side panel has both families' rules: iptables listed, ip6tables folded below.
        var other = tab.Page.Locator("[data-testid=kubeproxy-other-family]");
        await Expect(other.Locator("summary")).ToContainTextAsync("IPv6 rules (ip6tables)");
        await other.Locator("summary").ClickAsync();
        await Expect(other.Locator("pre")).ToContainTextAsync("-d fd00:10:96::");
        await other.Locator("summary").ScrollIntoViewIfNeededAsync();
        await tab.SaveScreenshotAsync("graph-side-panel-dual-stack");
        await ChooseTracePodAsync(tab, "shop/frontend");
        var chips = tab.Page.Locator("[data-testid=trace-selected]");
        await Expect(chips).ToHaveCountAsync(2);
        // The IPv6 example target is this address, offered once: as the selected element's.
        await Expect(tab.Page.Locator(".pm-trace-examples .pm-chip").Filter(new() { HasText = "[fd00:10:96::" })).ToHaveCountAsync(1);
        await chips.Filter(new() { HasText = "[fd00:10:96::" }).ClickAsync();
        await Expect(tab.Page.Locator("[data-testid=trace-target]")).ToHaveValueAsync(new Regex(@"^\[fd00:10:96::[0-9a-f]+\]:80$"));
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Trace", Exact = true }).ClickAsync();

        var result = tab.Page.Locator("[data-testid=trace-result]");
        await Expect(result).ToHaveAttributeAsync("data-reachable", "true");
        await Expect(result).ToContainTextAsync("Arrives at 1 pod");
        await Expect(result).ToContainTextAsync("IPv6 rules (the ip6tables nat table)");
        await Expect(result).ToContainTextAsync("only endpoints hinted for zone");
        await Expect(result.Locator(".pm-step-address").Last).ToHaveTextAsync(new Regex(@"^\[fd00:10:244:\d::[0-9a-f]+\]:7700$"));
        await WaitForClassAsync(tab, "pods:shop/search:80/TCP", "lit");

        await NextFramesAsync(tab);
        await tab.SaveScreenshotAsync("graph-trace-ipv6");
        Assert.Empty(tab.Problems);
    }

    /// <summary>The demo's Gateway: the HTTPRoute rule is drawn in the front column, explained with the controller's status, and traced by URL.</summary>
    [Fact]
    public async Task Gateway_DemoRoute_IsDrawnExplainedAndTracedByUrl()
    {
        const string Rule = "httproute:shop/storefront:0.https:0:0";
        await using var tab = await OpenGraphAsync();
        var rule = await InspectAsync(tab, Rule);
        Assert.Equal("Gateway shop-gateway · https\nshop.example.com/api/search", rule.GetProperty("label").GetString());
        var refused = await InspectAsync(tab, "svc:refused:httproute:shop/storefront:0.https:1:0");
        Assert.Equal("✕ search\n500 · no such port", refused.GetProperty("label").GetString());

        await ClickElementAsync(tab, Rule);
        var panel = tab.Page.Locator("section.pm-element");
        await Expect(panel).ToContainTextAsync("https: HTTPS :443 shop.example.com");
        await Expect(panel).ToContainTextAsync("Accepted=True, ResolvedRefs=False (BackendNotFound)");
        await Expect(panel).ToContainTextAsync("most specific hostname first");
        await tab.SaveScreenshotAsync("graph-side-panel-gateway");

        await tab.Page.GetByRole(AriaRole.Tab, new() { Name = "Trace" }).ClickAsync();
        await tab.Page.Locator("[data-testid=trace-selected]").Filter(new() { HasText = "https://shop.example.com/api/search" }).ClickAsync();
        await Expect(tab.Page.Locator("[data-testid=trace-target]")).ToHaveValueAsync("https://shop.example.com/api/search");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Trace", Exact = true }).ClickAsync();

        var result = tab.Page.Locator("[data-testid=trace-result]");
        await Expect(result).ToHaveAttributeAsync("data-reachable", "true");
        await Expect(result).ToContainTextAsync("Arrives at 3 pods");
        await Expect(result).ToContainTextAsync("picks HTTPRoute shop/storefront rule 0 (PathPrefix /api/search)");
        await Expect(result).ToContainTextAsync("203.0.113.3:443");
        await WaitForClassAsync(tab, Rule, "lit");
        await WaitForClassAsync(tab, "pods:shop/search:80/TCP", "lit");

        await NextFramesAsync(tab);
        await tab.SaveScreenshotAsync("graph-trace-gateway");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task Trace_FromAPodThatNetworkPolicyBlocks_SaysWhichPolicyDecides()
    {
        await using var tab = await OpenGraphAsync();
        await ChooseTracePodAsync(tab, "bank/reports");

        await tab.Page.Locator("[data-testid=trace-target]").FillAsync("api.bank:9090");
        await tab.Page.GetByRole(AriaRole.Button, new() { Name = "Trace", Exact = true }).ClickAsync();

        var result = tab.Page.Locator("[data-testid=trace-result]");
        await Expect(result).ToHaveAttributeAsync("data-reachable", "false");
        await Expect(result).ToContainTextAsync("NetworkPolicy blocks the request at every one of the 2 endpoints");
        await Expect(result).ToContainTextAsync("bank/default-deny");
        await Expect(result).ToContainTextAsync("after DNAT");
        // One verdict per endpoint pod, and the pods hop is drawn blocked, not lit as a working hop.
        var verdicts = result.Locator("[data-testid=trace-policy-verdicts] .pm-policy-verdict");
        await Expect(verdicts).ToHaveCountAsync(2);
        await Expect(verdicts.First).ToHaveAttributeAsync("data-verdict", "blocked");
        await Expect(verdicts.First).ToContainTextAsync("✕ blocked");
        await WaitForClassAsync(tab, "pods:bank/api:9090/TCP", "blocked");
        var blocked = await InspectAsync(tab, "pods:bank/api:9090/TCP");
        Assert.DoesNotContain("lit", blocked.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("rgb(179,38,30)", blocked.GetProperty("color").GetString());
        await NextFramesAsync(tab);
        await tab.SaveScreenshotAsync("graph-trace-policy-blocked");
        await result.Locator(".pm-trace-step").Last.ScrollIntoViewIfNeededAsync();
        await tab.SaveScreenshotAsync("graph-trace-policy-steps");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task PolicyFromThePodsPanel_ListsThePodsItSelectsAndThePathsIntoThem()
    {
        await using var tab = await OpenGraphAsync();
        await ClickElementAsync(tab, "pods:bank/api:9090/TCP");
        var policies = tab.Page.Locator("[data-testid=element-policies]");
        await Expect(policies).ToContainTextAsync("bank/api-from-web");

        await policies.Locator("[data-policy='bank/api-from-web']").ClickAsync();

        var panel = tab.Page.Locator("[data-kind=policy]");
        await Expect(panel.Locator("#pm-element-heading")).ToHaveTextAsync("api-from-web");
        await Expect(panel).ToContainTextAsync("Pods it selects (2)");
        await Expect(panel.Locator(".pm-members tbody tr")).ToHaveCountAsync(2);
        await Expect(panel).ToContainTextAsync("from pods app=web of this namespace, on port grpc/TCP");
        await Expect(panel.Locator("[data-path-id='clusterip:bank/api:9090/TCP']")).ToBeVisibleAsync();
        await Expect(panel.Locator("[data-testid=yaml]")).ToContainTextAsync("kind: NetworkPolicy");
        // The paths into its pods light up on the graph (clicking the group showed its pods one by one).
        await WaitForClassAsync(tab, "svc:bank/api:9090/TCP", "hl");
        await tab.Page.Mouse.MoveAsync(5, 5);
        await NextFramesAsync(tab);
        await tab.SaveScreenshotAsync("graph-policy-panel");

        // From the panel to the designer's NetworkPolicy form, with the policy as the cluster has it.
        await panel.Locator("[data-testid=edit-in-designer]").ClickAsync();
        await Expect(tab.Page.Locator("[data-form=NetworkPolicy]")).ToBeVisibleAsync();
        await Expect(tab.Page.Locator("[data-testid=selected-count]")).ToHaveTextAsync("2");
        await Expect(tab.Page.Locator("[data-testid=yaml]")).ToContainTextAsync("name: api-from-web");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task IngressTheControllerMayNotReach_IsDrawnBrokenWithPM505()
    {
        await using var tab = await OpenGraphAsync();
        await tab.Page.GetByRole(AriaRole.Tab, new() { Name = "Findings" }).ClickAsync();

        await tab.Page.Locator("[data-code=PM505] button").First.ClickAsync();

        await Expect(tab.Page.Locator("[data-code=PM505]").Last).ToContainTextAsync("ingress-nginx");
        var pods = await InspectAsync(tab, "pods:bank/web:80/TCP");
        Assert.Contains("broken", pods.GetProperty("classes").EnumerateArray().Select(c => c.GetString()));
        await NextFramesAsync(tab);
        await tab.SaveScreenshotAsync("graph-ingress-blocked-by-policy");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task PickFinding_SelectsAndCentresWhereItBreaks()
    {
        await using var tab = await OpenGraphAsync();
        await tab.Page.GetByRole(AriaRole.Tab, new() { Name = "Findings" }).ClickAsync();

        await tab.Page.Locator("[data-code=PM001] button").ClickAsync();

        await Expect(tab.Page.Locator("[data-element-id='pods:shop/cart:8080/TCP'] [data-code=PM001]")).ToBeVisibleAsync();
        await WaitForClassAsync(tab, "pods:shop/cart:8080/TCP", "hl");
        await tab.Page.GetByRole(AriaRole.Tab, new() { Name = "Findings" }).ClickAsync();

        await NextFramesAsync(tab);
        await tab.SaveScreenshotAsync("graph-findings");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task PathsTableRow_Enter_OpensTheGraphWithThatPathHighlighted()
    {
        await using var tab = await app.OpenAsync("/paths");
        await tab.WaitForInteractiveAsync();

        await tab.Page.Locator("[data-path-id='nodeport:default/nginx-service:30080/TCP']").FocusAsync();
        await tab.Page.Keyboard.PressAsync("Enter");

        await Expect(tab.Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/\?path=nodeport%3Adefault%2Fnginx-service%3A30080%2FTCP$"));
        await Expect(tab.Page.Locator("[data-testid=highlighted-path]")).ToContainTextAsync("nodeport:default/nginx-service:30080/TCP");
        await WaitForClassAsync(tab, "nodeport:default/nginx-service:30080/TCP", "hl");
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task Keyboard_ArrowKeySelectsAnElementAndEscapeClears()
    {
        await using var tab = await OpenGraphAsync();

        await tab.Page.Locator(Canvas).FocusAsync();
        await tab.Page.Keyboard.PressAsync("ArrowRight");

        await Expect(tab.Page.Locator("[data-element-id]")).ToBeVisibleAsync();
        var id = await tab.Page.Locator("[data-element-id]").GetAttributeAsync("data-element-id");
        await WaitForClassAsync(tab, id!, "hl");
        await tab.Page.Keyboard.PressAsync("Escape");
        await Expect(tab.Page.Locator("[data-element-id]")).ToHaveCountAsync(0);
        Assert.Empty(tab.Problems);
    }

    [Fact]
    public async Task SearchThenClickAPodsGroup_ShowsEachPod()
    {
        await using var tab = await OpenGraphAsync();

        var drawn = await tab.Page.Locator(Canvas).GetAttributeAsync("data-rendered-version");
        await tab.Page.Locator("[data-testid=graph-search]").FillAsync("app1");
        await Expect(tab.Page.Locator("[data-testid=graph-counts]")).ToContainTextAsync("2 paths shown");
        // The counts change before the canvas has drawn the filtered graph: click only once it has, or the click lands
        // where the group was before the layout moved.
        await Expect(tab.Page.Locator(Canvas)).Not.ToHaveAttributeAsync("data-rendered-version", drawn ?? "");
        await ClickElementAsync(tab, "pods:default/app1:8080/TCP");

        await Expect(tab.Page.Locator(".pm-members tbody tr")).ToHaveCountAsync(3);
        var pod = await tab.Page.Locator(".pm-members tbody tr td").First.TextContentAsync();
        await WaitForClassAsync(tab, $"pod:default/{pod}:8080/TCP", "pod");
        Assert.Empty(tab.Problems);
    }

    private async Task<BrowserPage> OpenGraphAsync(string path = "")
    {
        var tab = await app.OpenAsync(path);
        await tab.WaitForInteractiveAsync();
        await tab.Page.Locator($"{Canvas}[data-rendered-version]").WaitForAsync();
        return tab;
    }

    /// <summary>Opens the Trace tab and picks the first pod whose name starts with <paramref name="prefix"/> as the client.</summary>
    internal static async Task ChooseTracePodAsync(BrowserPage tab, string prefix)
    {
        await tab.Page.GetByRole(AriaRole.Tab, new() { Name = "Trace" }).ClickAsync();
        await tab.Page.Locator("[data-testid=trace-from-kind]").ClickAsync();
        await tab.Page.GetByRole(AriaRole.Option, new() { Name = "A pod" }).ClickAsync();
        await tab.Page.GetByLabel("Pod", new() { Exact = true }).FillAsync(prefix);
        await tab.Page.GetByRole(AriaRole.Option).Filter(new() { HasText = prefix }).First.ClickAsync();
        // The pick is committed (the field shows the pod's full name) before the trace is asked for.
        await Expect(tab.Page.GetByLabel("Pod", new() { Exact = true })).ToHaveValueAsync(new Regex("^" + Regex.Escape(prefix) + "-"));
        await Expect(tab.Page.GetByRole(AriaRole.Option)).ToHaveCountAsync(0);
    }

    /// <summary>Where the canvas draws an element, from GraphCanvas.razor.js's inspect() (the module the page itself imported).</summary>
    internal static async Task<JsonElement> InspectAsync(BrowserPage tab, string id)
    {
        var result = await tab.Page.EvaluateAsync<JsonElement>("""
            async (id) => {
              const module = await import('/Components/Graph/GraphCanvas.razor.js');
              return module.inspect(document.querySelector('[data-testid=graph-canvas]'), id);
            }
            """, id);
        Assert.True(result.ValueKind == JsonValueKind.Object, $"{id} is not on the graph");
        return result;
    }

    /// <summary>Centres the element in view (it may be below the fold) and clicks it like a person would.</summary>
    internal static async Task ClickElementAsync(BrowserPage tab, string id)
    {
        var at = await ElementInViewAsync(tab, id);
        await tab.Page.Mouse.ClickAsync(at.X, at.Y);
    }

    private static async Task HoverElementAsync(BrowserPage tab, string id)
    {
        var at = await ElementInViewAsync(tab, id);
        await tab.Page.Mouse.MoveAsync(at.X, at.Y);
    }

    private static async Task<(float X, float Y)> ElementInViewAsync(BrowserPage tab, string id)
    {
        await tab.Page.EvaluateAsync("""
            async (id) => {
              const module = await import('/Components/Graph/GraphCanvas.razor.js');
              await module.reveal(document.querySelector('[data-testid=graph-canvas]'), id);
            }
            """, id);
        // reveal() (and a search's fit) may still be animating the viewport: a position read mid-flight clicks beside it.
        await SettledViewportAsync(tab);
        var e = await InspectAsync(tab, id);
        return ((float)e.GetProperty("x").GetDouble(), (float)e.GetProperty("y").GetDouble());
    }

    private static async Task<JsonElement> ViewportAsync(BrowserPage tab) =>
        await tab.Page.EvaluateAsync<JsonElement>($$"""
            async () => (await import('/Components/Graph/GraphCanvas.razor.js')).viewport(document.querySelector('{{Canvas}}'))
            """);

    private static async Task<JsonElement> SettledViewportAsync(BrowserPage tab)
    {
        var before = await ViewportAsync(tab);
        for (var i = 0; i < 100; i++)
        {
            await NextFramesAsync(tab);
            var now = await ViewportAsync(tab);
            if (now.GetProperty("zoom").GetDouble() == before.GetProperty("zoom").GetDouble() && now.GetProperty("pan").GetRawText() == before.GetProperty("pan").GetRawText())
            {
                return now;
            }

            before = now;
        }

        throw new TimeoutException("the graph's viewport kept moving");
    }

    /// <summary>Lets the canvas draw what the last change asked for before a screenshot.</summary>
    internal static Task NextFramesAsync(BrowserPage tab) =>
        tab.Page.EvaluateAsync("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))");

    /// <summary>Polls the element's classes (an animation adds some of them over a second or two) until one is there.</summary>
    internal static async Task WaitForClassAsync(BrowserPage tab, string id, string cssClass)
    {
        var seen = "";
        for (var deadline = DateTime.UtcNow.AddSeconds(15); DateTime.UtcNow < deadline; await Task.Delay(100))
        {
            var element = await InspectAsync(tab, id);
            var classes = element.ValueKind == JsonValueKind.Object ? element.GetProperty("classes").EnumerateArray().Select(c => c.GetString()).ToList() : [];
            if (classes.Contains(cssClass))
            {
                return;
            }

            seen = string.Join(" ", classes);
        }

        Assert.Fail($"{id} never got class {cssClass}; it has: {seen}");
    }
}
