using Bunit;
using Microsoft.AspNetCore.Components;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;
using PortMapper.Web.Components.Graph;
using PortMapper.Web.Components.Pages;
using PortMapper.Web.Designer;
using PortMapper.Web.Graph;
using PortMapper.Web.Tests.Graph;
using MudBlazor.Services;

namespace PortMapper.Web.Tests.Components;

/// <summary>The graph page against a live demo cluster: changes arrive through the analysis channel; the canvas module is a bUnit fake.</summary>
public sealed class GraphPageTests : BunitContext, IAsyncLifetime
{
    private readonly DemoCluster _demo = DemoCluster.CreateDefault();
    private readonly LiveAnalysis _live;
    private readonly BunitJSModuleInterop _module;

    public GraphPageTests()
    {
        _live = new LiveAnalysis(_demo);

        // Changes travel demo cluster → analysis → page on other threads; a busy test machine needs more than the default second.
        DefaultWaitTimeout = TimeSpan.FromSeconds(15);
        JSInterop.Mode = JSRuntimeMode.Loose;
        _module = JSInterop.SetupModule(GraphCanvas.ModulePath);
        _module.Setup<GraphCanvas.CreateResult>("create", _ => true).SetResult(new GraphCanvas.CreateResult("canvas"));
        _module.SetupVoid("update", _ => true).SetVoidResult();
        _module.SetupVoid("focus", _ => true).SetVoidResult();
        _module.SetupVoid("playTrace", _ => true).SetVoidResult();
        _module.SetupVoid("clear", _ => true).SetVoidResult();
        _module.SetupVoid("exportPng", _ => true).SetVoidResult();
        _module.SetupVoid("exportSvg", _ => true).SetVoidResult();
        Services.AddMudServices(o => o.PopoverOptions.CheckForPopoverProvider = false);
        _module.SetupVoid("setPalette", _ => true).SetVoidResult();
        Services.AddSingleton(_live);
        // Read when first asked for (at render), so a test can set the options before it renders.
        Services.AddSingleton(_ => _options);
        Services.AddScoped<DesignPreview>();
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
    }

    public Task InitializeAsync() => _live.StartAsync(CancellationToken.None);

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _live.DisposeAsync();
    }

    private PortMapper.Web.Hosting.PortMapperOptions _options = new();

    [Fact]
    public void Render_DemoCluster_CreatesTheGraphWithEveryElement()
    {
        var page = Render<GraphPage>();

        var create = Invoked(page, "create");
        var graph = create.Arguments[2]!;
        Assert.Equal(GraphBuilderTests.DemoNodeCount, ((IEnumerable<GraphNode>)graph.GetType().GetProperty("nodes")!.GetValue(graph)!).Count());
        Assert.Equal(GraphBuilderTests.DemoEdgeCount, ((IEnumerable<GraphEdge>)graph.GetType().GetProperty("edges")!.GetValue(graph)!).Count());
        Assert.Equal($"{GraphBuilderTests.DemoPathCount} paths", page.Find("[data-testid=graph-counts]").TextContent.Trim());
    }

    [Fact]
    public async Task ApplyService_InTheCluster_SendsOnlyTheNewElementsToTheCanvas()
    {
        var page = Render<GraphPage>();
        Invoked(page, "create");

        await _demo.ApplyAsync([GraphBuilderTests.Service("bunit-live", 8089, 30998)], new ApplyOptions(DryRun: false), CancellationToken.None);

        page.WaitForAssertion(() => Assert.Equal($"{GraphBuilderTests.DemoPathCount + 2} paths", page.Find("[data-testid=graph-counts]").TextContent.Trim()));
        var diff = WaitFor(page, () => Assert.Single(_module.Invocations["update"].Select(i => (GraphDiff)i.Arguments[1]!), d => d.Structural));
        Assert.Contains(diff.AddNodes, n => n.Id == "svc:default/bunit-live:8089/TCP");
        Assert.Contains(diff.AddNodes, n => n.Id == "nodeport:default/bunit-live:8089/TCP" && n.Label == "NodePort\n3 nodes :30998");
        Assert.Contains(diff.AddEdges, e => e.Label == ":30998");
        Assert.Empty(diff.RemoveNodes);
        // Later namespaces slide down to make room; nothing already drawn in "default" moves.
        Assert.DoesNotContain(diff.ChangeNodes, n => n.Namespace == "default" && n.Kind is not (GraphKinds.Client or GraphKinds.Namespace));
    }

    [Fact]
    public void TapService_InNftablesMode_ShowsTheKubeProxyTableInstead()
    {
        _options = new PortMapper.Web.Hosting.PortMapperOptions { ProxyMode = PortMapper.Core.KubeProxy.ProxyMode.Nftables };
        var page = Render<GraphPage>();
        var canvas = page.FindComponent<GraphCanvas>();
        Invoked(page, "create");

        page.InvokeAsync(() => canvas.Instance.OnElementTap("svc:default/nginx-service:30080/TCP"));

        page.WaitForAssertion(() => Assert.Equal("nftables", page.Find("[data-testid=kubeproxy-mode]").GetAttribute("data-mode")));
        var section = page.Find("[data-testid=kubeproxy-section]").TextContent;
        Assert.Contains("nftables mode (the --proxy-mode option)", section, StringComparison.Ordinal);
        Assert.Contains("table ip kube-proxy {", page.Find("[data-testid=nft-list]").TextContent, StringComparison.Ordinal);
        Assert.DoesNotContain("KUBE-SVC-", section, StringComparison.Ordinal);
    }

    [Fact]
    public void TapService_DualStack_AlsoOffersTheOtherFamilysRules()
    {
        var page = Render<GraphPage>();
        var canvas = page.FindComponent<GraphCanvas>();
        Invoked(page, "create");

        page.InvokeAsync(() => canvas.Instance.OnElementTap("svc:shop/search:80/TCP"));

        page.WaitForAssertion(() => Assert.Contains("IPv6 rules (ip6tables); the list above is IPv4", page.Find("[data-testid=kubeproxy-other-family] summary").TextContent, StringComparison.Ordinal));
        var v6 = page.Find("[data-testid=kubeproxy-other-family] pre").TextContent;
        Assert.Contains("-d fd00:10:96::", v6, StringComparison.Ordinal);
        Assert.Contains("--to-destination [fd00:10:244:", v6, StringComparison.Ordinal);
        Assert.DoesNotContain("fd00:", page.Find("[data-testid=iptables-save]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void TapService_InIpvsMode_ListsItsVirtualServersAndTheIpvsadmText()
    {
        _options = new PortMapper.Web.Hosting.PortMapperOptions { ProxyMode = PortMapper.Core.KubeProxy.ProxyMode.Ipvs };
        var page = Render<GraphPage>();
        var canvas = page.FindComponent<GraphCanvas>();
        Invoked(page, "create");

        page.InvokeAsync(() => canvas.Instance.OnElementTap("svc:default/nginx-service:30080/TCP"));

        page.WaitForAssertion(() => Assert.Equal("ipvs", page.Find("[data-testid=kubeproxy-mode]").GetAttribute("data-mode")));
        var rules = page.FindAll("[data-testid=kubeproxy-section] .pm-rule-text").Select(r => r.TextContent).ToList();
        Assert.Contains(rules, r => r.StartsWith("TCP 10.96.", StringComparison.Ordinal) && r.Contains(":30080 rr → 10.244.", StringComparison.Ordinal));
        Assert.Contains(rules, r => r.Contains(":30001 rr → ", StringComparison.Ordinal));
        Assert.Contains("kube-ipvs0", page.Find("[data-testid=ipvsadm]").TextContent, StringComparison.Ordinal);
        Assert.Contains("deprecated", page.Find("[data-testid=kubeproxy-mode]").TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void TapService_ShowsItsPortsMeaningAndKubeProxyRules()
    {
        var page = Render<GraphPage>();
        var canvas = page.FindComponent<GraphCanvas>();
        Invoked(page, "create");

        page.InvokeAsync(() => canvas.Instance.OnElementTap("svc:default/nginx-service:30080/TCP"));

        page.WaitForAssertion(() => Assert.Equal("nginx-service", page.Find("#pm-element-heading").TextContent));
        var facts = page.Find("[data-testid=element-facts]").TextContent;
        Assert.Contains("30080/TCP", facts, StringComparison.Ordinal);
        Assert.Contains("30001", facts, StringComparison.Ordinal);
        Assert.Contains("port 30080 is the Service's own port", page.Find("[data-testid=port-meaning]").TextContent, StringComparison.Ordinal);
        Assert.Contains("KUBE-SVC-", page.Find("[data-testid=kubeproxy-section]").TextContent, StringComparison.Ordinal);
        page.WaitForAssertion(() => Assert.Contains("nodePort: 30001", page.Find("[data-testid=yaml]").TextContent, StringComparison.Ordinal));
        var focus = _module.Invocations["focus"].Last();
        Assert.Equal("svc:default/nginx-service:30080/TCP", focus.Arguments[1]);
    }

    [Fact]
    public void TapPodsGroup_ExpandsItIntoPods()
    {
        var page = Render<GraphPage>();
        var canvas = page.FindComponent<GraphCanvas>();
        Invoked(page, "create");

        page.InvokeAsync(() => canvas.Instance.OnElementTap("pods:default/app1:8080/TCP"));

        var diff = WaitFor(page, () => Assert.Single(_module.Invocations["update"].Select(i => (GraphDiff)i.Arguments[1]!), d => d.Structural));
        Assert.Equal(["pods:default/app1:8080/TCP"], diff.RemoveNodes.ToArray());
        Assert.Equal(3, diff.AddNodes.Count(n => n.Kind == GraphKinds.Pod && n.Group == "pods:default/app1:8080/TCP"));
        page.WaitForAssertion(() => Assert.Equal(3, page.FindAll(".pm-members tbody tr").Count));
    }

    [Fact]
    public void PickFinding_SelectsWhereItBreaks()
    {
        var page = Render<GraphPage>();
        Invoked(page, "create");
        page.FindAll("[role=tab]").Single(t => t.TextContent.Contains("Findings", StringComparison.Ordinal)).Click();

        page.FindAll("[data-code=PM001] button").Single().Click();

        page.WaitForAssertion(() => Assert.Equal("pods:shop/cart:8080/TCP", page.Find("[data-element-id]").GetAttribute("data-element-id")));
        var focus = _module.Invocations["focus"].Last();
        Assert.Equal("pods:shop/cart:8080/TCP", focus.Arguments[1]);
        Assert.True((bool)focus.Arguments[3]!);
    }

    [Fact]
    public void Trace_ExternalToANodePort_ListsTheHopsAndLightsThemUp()
    {
        var page = Render<GraphPage>();
        Invoked(page, "create");
        page.FindAll("[role=tab]").Single(t => t.TextContent.Contains("Trace", StringComparison.Ordinal)).Click();

        page.Find("[data-testid=trace-target]").Input("172.18.0.2:30001");
        page.Find("form.pm-trace-form").Submit();

        page.WaitForAssertion(() => Assert.Equal("true", page.Find("[data-testid=trace-result]").GetAttribute("data-reachable")));
        Assert.Contains("nodePort", page.Find(".pm-trace-steps").TextContent, StringComparison.Ordinal);
        var steps = (System.Collections.Immutable.ImmutableArray<string>[])Invoked(page, "playTrace").Arguments[1]!;
        Assert.Equal(["nodeport:default/nginx-service:30080/TCP"], steps[1].ToArray());
    }

    [Fact]
    public void PreviewActive_ShowsTheBannerAndMarksAddedPaths()
    {
        var page = Render<GraphPage>();
        Invoked(page, "create");
        var preview = Services.GetRequiredService<DesignPreview>();
        var analysis = _live.Current.Analysis;

        page.InvokeAsync(() => preview.Show(analysis, ["nodeport:default/nginx-service:30080/TCP"], [], []));

        page.WaitForAssertion(() => Assert.Contains("Preview of designed changes", page.Find("[data-testid=preview-banner]").TextContent, StringComparison.Ordinal));
        var diff = WaitFor(page, () => Assert.Single(_module.Invocations["update"].Select(i => (GraphDiff)i.Arguments[1]!), d => !d.ChangeNodes.IsEmpty));
        Assert.Contains(diff.ChangeNodes, n => n.Id == "nodeport:default/nginx-service:30080/TCP" && n.Preview == "added");
    }

    [Fact]
    public void DeleteService_Shown_DisappearsFromTheCanvasAndThePanel()
    {
        var page = Render<GraphPage>();
        var canvas = page.FindComponent<GraphCanvas>();
        Invoked(page, "create");
        page.InvokeAsync(() => canvas.Instance.OnElementTap("svc:default/mysql-service:33306/TCP"));
        page.WaitForAssertion(() => Assert.Equal("mysql-service", page.Find("#pm-element-heading").TextContent));

        _demo.Delete(new ObjectRef("Service", "default", "mysql-service"));
        page.WaitForAssertion(() => Assert.Equal($"{GraphBuilderTests.DemoPathCount - 1} paths", page.Find("[data-testid=graph-counts]").TextContent.Trim()));

        var diff = WaitFor(page, () => Assert.Single(_module.Invocations["update"].Select(i => (GraphDiff)i.Arguments[1]!), d => d.Structural));
        Assert.Contains("svc:default/mysql-service:33306/TCP", diff.RemoveNodes);
        page.WaitForAssertion(() => Assert.Empty(page.FindAll("#pm-element-heading")));
    }

    private JSRuntimeInvocation Invoked(IRenderedComponent<GraphPage> page, string identifier) =>
        WaitFor(page, () => _module.VerifyInvoke(identifier));

    private static T WaitFor<T>(IRenderedComponent<GraphPage> page, Func<T> get)
    {
        T result = default!;
        page.WaitForAssertion(() => result = get());
        return result;
    }
}
