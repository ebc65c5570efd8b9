using System.Collections.Immutable;
using System.Text.Json.Nodes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;
using PortMapper.Web.Graph;

namespace PortMapper.Web.Tests.Graph;

public sealed class GraphBuilderTests
{
    private const string NginxNodePort = "nodeport:default/nginx-service:30080/TCP";
    private const string NginxService = "svc:default/nginx-service:30080/TCP";
    private const string NginxPods = "pods:default/nginx-service:30080/TCP";

    /// <summary>The demo's elements: hops, namespace boxes and their clients (bank, the NetworkPolicy namespace, included).</summary>
    public const int DemoNodeCount = 100;

    public const int DemoEdgeCount = 99;

    /// <summary>The demo's traffic paths, as the header counts them.</summary>
    public const int DemoPathCount = 50;

    private static ClusterAnalysis Demo() => ClusterAnalyzer.Analyze(DemoCluster.CreateDefault().Snapshot);

    [Fact]
    public void Build_DemoCluster_HasTheExpectedElementCounts()
    {
        var analysis = Demo();

        var model = GraphBuilder.Build(analysis);

        Assert.Equal(DemoNodeCount, model.Nodes.Length);
        Assert.Equal(DemoEdgeCount, model.Edges.Length);
        Assert.Equal(analysis.Paths.Length, model.PathCount);
        Assert.Equal(0, model.HiddenPathCount);
        Assert.Equal(7, model.Nodes.Count(n => n.Kind == GraphKinds.Namespace));
        Assert.Empty(model.CollapsedNamespaces);
    }

    [Fact]
    public void Build_DemoCluster_PutsEachKindInItsColumnLeftToRight()
    {
        var model = GraphBuilder.Build(Demo());

        foreach (var node in model.Nodes.Where(n => n.Kind != GraphKinds.Namespace))
        {
            var expected = node.Kind switch
            {
                GraphKinds.Client => GraphColumn.Clients,
                GraphKinds.LoadBalancer or GraphKinds.Ingress or GraphKinds.Gateway => GraphColumn.Front,
                GraphKinds.NodePort or GraphKinds.Node or GraphKinds.HostPort or GraphKinds.HostNetwork or GraphKinds.ExternalIp => GraphColumn.Nodes,
                GraphKinds.Service or GraphKinds.Dns => GraphColumn.Services,
                _ => GraphColumn.Backends,
            };
            Assert.Equal(expected, node.Column);
            Assert.Equal((int)expected * GraphBuilder.ColumnWidth, node.X);
        }

        foreach (var edge in model.Edges)
        {
            Assert.True(model.FindNode(edge.Source)!.X < model.FindNode(edge.Target)!.X, $"{edge.Id} points left");
        }
    }

    [Fact]
    public void Build_NodePortPath_ReadsPortByPortAlongTheArrows()
    {
        var model = GraphBuilder.Build(Demo());

        Assert.Equal(":30001", Edge(model, "client:external:default", NginxNodePort).Label);
        Assert.Equal(":30080", Edge(model, NginxNodePort, NginxService).Label);
        Assert.Equal(":80", Edge(model, NginxService, NginxPods).Label);
        Assert.Equal(":30080", Edge(model, "client:in-cluster:default", NginxService).Label);
        Assert.Equal("nginx-service\n10.96.0.12:30080", model.FindNode(NginxService)!.Label);
    }

    [Fact]
    public void Build_ElementIds_DeriveFromPathIds()
    {
        var analysis = Demo();
        var model = GraphBuilder.Build(analysis);

        var steps = model.PathSteps[NginxNodePort];

        Assert.Equal([["client:external:default"], [NginxNodePort], [NginxService], [NginxPods]], steps.Select(s => s.Elements.ToArray()));
        Assert.Equal([HopKind.Client, HopKind.NodePort, HopKind.ClusterIp, HopKind.Endpoints], steps.Select(s => s.Hop));
        Assert.NotNull(model.FindNode("loadbalancer:types/my-service-lb:80/TCP"));
        Assert.NotNull(model.FindNode("ingress:monitoring/influxdb:0:0"));
        Assert.NotNull(model.FindNode("hostport:web/webapp:webapp:8081/TCP"));
        Assert.NotNull(model.FindNode("hostnetwork:monitoring/influxdb-hostnetwork:influxdb:8086/TCP"));
        Assert.NotNull(model.FindNode("cname:types/my-service-external"));
        Assert.Equal(model.Nodes.Length, model.Nodes.Select(n => n.Id).Distinct().Count());
    }

    [Fact]
    public void Build_EveryEdge_CarriesTheIdsOfItsPaths()
    {
        var analysis = Demo();
        var model = GraphBuilder.Build(analysis);

        foreach (var edge in model.Edges)
        {
            Assert.NotEmpty(edge.Paths);
            Assert.All(edge.Paths, id => Assert.NotNull(analysis.FindPath(id)));
            Assert.All(edge.Paths, id => Assert.Contains(edge.Target, model.PathSteps[id].SelectMany(s => s.Elements)));
        }

        Assert.Equal([NginxNodePort], Edge(model, NginxNodePort, NginxService).Paths.ToArray());
        Assert.Equal(["clusterip:default/nginx-service:30080/TCP", NginxNodePort], Edge(model, NginxService, NginxPods).Paths.Order());
    }

    [Fact]
    public void Build_NodePort_IsOneElementForAllNodes()
    {
        var model = GraphBuilder.Build(Demo());

        var nodePort = model.FindNode(NginxNodePort)!;

        Assert.Equal(GraphKinds.NodePort, nodePort.Kind);
        Assert.Equal(3, nodePort.Count);
        Assert.True(nodePort.Expandable);
        Assert.Equal("NodePort\n3 nodes :30001", nodePort.Label);
        Assert.DoesNotContain(model.Nodes, n => n.Kind == GraphKinds.Node);
    }

    [Fact]
    public void Build_NodePortExpanded_ShowsEachNodeWithItsAddress()
    {
        var analysis = Demo();

        var model = GraphBuilder.Build(analysis, GraphView.Default with { Expanded = [NginxNodePort] });

        Assert.Null(model.FindNode(NginxNodePort));
        var nodes = model.Nodes.Where(n => n.Kind == GraphKinds.Node).ToList();
        Assert.Equal(["node-a", "node-b", "node-c"], nodes.Select(n => n.Id.Split('@')[1]));
        Assert.Equal("Node node-a\n172.18.0.2:30001", nodes[0].Label);
        Assert.All(nodes, n => Assert.Equal(NginxNodePort, n.Group));
        Assert.All(nodes, n => Assert.Equal(":30001", Edge(model, "client:external:default", n.Id).Label));
        Assert.All(nodes, n => Assert.Equal(":30080", Edge(model, n.Id, NginxService).Label));
        Assert.Equal(3, model.PathSteps[NginxNodePort][1].Elements.Length);
    }

    [Fact]
    public void Build_PodsByDefault_AreOneGroupPerServicePort()
    {
        var model = GraphBuilder.Build(Demo());

        var group = model.FindNode("pods:default/app1:8080/TCP")!;

        Assert.Equal(GraphKinds.Pods, group.Kind);
        Assert.Equal(3, group.Count);
        Assert.True(group.Expandable);
        Assert.Equal("3 pods\n:8080 · 3 ready", group.Label);
        Assert.DoesNotContain(model.Nodes, n => n.Kind == GraphKinds.Pod && n.Group is not null);
    }

    [Fact]
    public void Build_PodsGroupExpanded_ShowsEachPodAtPodIpAndTargetPort()
    {
        var model = GraphBuilder.Build(Demo(), GraphView.Default with { Expanded = [NginxPods] });

        Assert.Null(model.FindNode(NginxPods));
        var pod = Assert.Single(model.Nodes, n => n.Group == NginxPods);
        Assert.Equal("pod:default/nginx:80/TCP", pod.Id);
        Assert.Equal("nginx\n10.244.2.2:80", pod.Label);
        Assert.Equal(new ObjectRef("Pod", "default", "nginx"), pod.Object);
        Assert.Equal(":80", Edge(model, NginxService, pod.Id).Label);
    }

    [Fact]
    public void Build_LargeCluster_CollapsesNamespacesUntilOneIsExpanded()
    {
        var analysis = Synthetic(services: 400, pods: 1200);

        var collapsed = GraphBuilder.Build(analysis);
        var oneOpen = GraphBuilder.Build(analysis, GraphView.Default with { ExpandedNamespaces = ["team-001"] });

        var namespaces = analysis.Snapshot.NamespaceNames().Count(ns => analysis.PathsIn(ns).Any());
        Assert.Equal(namespaces, collapsed.Nodes.Length);
        Assert.Empty(collapsed.Edges);
        Assert.All(collapsed.Nodes, n => Assert.True(n.Kind == GraphKinds.Namespace && n.Expandable));
        var box = collapsed.FindNode("ns:team-001")!;
        Assert.Equal("team-001\n100 Services · 300 pods\nall paths ok", box.Label);
        Assert.DoesNotContain("team-001", oneOpen.CollapsedNamespaces);
        Assert.Equal(100, oneOpen.Nodes.Count(n => n.Namespace == "team-001" && n.Kind == GraphKinds.Service && n.Id.EndsWith(":80/TCP", StringComparison.Ordinal)));
        Assert.NotNull(oneOpen.FindNode("ns:team-000"));
        Assert.True(oneOpen.FindNode("ns:team-000")!.Expandable);
    }

    [Fact]
    public void Build_NamespaceFilter_ShowsOnlyThoseNamespaces()
    {
        var analysis = Demo();

        var model = GraphBuilder.Build(analysis, GraphView.Default with { Namespaces = ["shop", "web"] });

        Assert.All(model.Nodes, n => Assert.Contains(n.Namespace, new[] { "shop", "web" }));
        Assert.Equal(analysis.PathsIn("shop").Count() + analysis.PathsIn("web").Count(), model.PathCount);
        Assert.Equal(analysis.Paths.Length - model.PathCount, model.HiddenPathCount);
    }

    [Fact]
    public void Build_ExposureFilter_KeepsOnlyThosePaths()
    {
        var model = GraphBuilder.Build(Demo(), GraphView.Default with { Exposures = [Exposure.HostPort, Exposure.HostNetwork] });

        Assert.Equal(4, model.PathCount);
        Assert.DoesNotContain(model.Nodes, n => n.Kind is GraphKinds.Service or GraphKinds.NodePort or GraphKinds.Pods);
        Assert.Equal(4, model.Nodes.Count(n => n.Kind is GraphKinds.HostPort or GraphKinds.HostNetwork));
    }

    [Theory]
    [InlineData("30001", new[] { NginxNodePort })]
    [InlineData(":30001", new[] { NginxNodePort })]
    [InlineData("nginx-serv", new[] { "clusterip:default/nginx-service:30080/TCP", NginxNodePort })]
    [InlineData("10.96.0.12:30080", new[] { "clusterip:default/nginx-service:30080/TCP", NginxNodePort })]
    [InlineData("shop.example.com/api", new[] { "httproute:shop/storefront:0.https:0:0", "ingress:shop/shop:0:1" })]
    public void Build_Search_FindsPathsByNameAddressOrPort(string query, string[] expected)
    {
        var model = GraphBuilder.Build(Demo(), GraphView.Default with { Search = query });

        Assert.Equal(expected.Order(), model.PathSteps.Keys.Order());
    }

    [Fact]
    public void Build_SearchForAPodIp_OpensItsGroupAndMarksThePod()
    {
        var model = GraphBuilder.Build(Demo(), GraphView.Default with { Search = "10.244.2.2" });

        var pod = model.FindNode("pod:default/nginx:80/TCP");
        Assert.NotNull(pod);
        Assert.True(pod.Match);
        Assert.Null(model.FindNode(NginxPods));
    }

    [Fact]
    public void Build_SearchForAServiceName_KeepsItsPodsGrouped()
    {
        var model = GraphBuilder.Build(Demo(), GraphView.Default with { Search = "app1" });

        Assert.NotNull(model.FindNode("pods:default/app1:8080/TCP"));
        Assert.DoesNotContain(model.Nodes, n => n.Kind == GraphKinds.Pod);
    }

    [Fact]
    public void Build_BrokenAndDegradedHops_AreMarkedWithTheirFindings()
    {
        var model = GraphBuilder.Build(Demo());

        var cart = model.FindNode("pods:shop/cart:8080/TCP")!;
        Assert.Equal(PathStatus.Broken, cart.Status);
        Assert.StartsWith("✕ ", cart.Label, StringComparison.Ordinal);
        Assert.Contains(cart.Problems, p => p.Code == Codes.SelectorMatchesNothing && p.Severity == "error");
        Assert.Equal(PathStatus.Broken, Edge(model, "svc:shop/cart:8080/TCP", cart.Id).Status);
        Assert.Equal(PathStatus.Ok, Edge(model, "client:in-cluster:shop", "svc:shop/cart:8080/TCP").Status);

        var missing = model.FindNode("svc:shop/api")!;
        Assert.Equal(PathStatus.Broken, missing.Status);
        Assert.Contains("Service not found", missing.Label, StringComparison.Ordinal);
        Assert.Contains(missing.Problems, p => p.Code == Codes.IngressServiceMissing);

        var webapp = model.FindNode("pods:web/webapp:8080/TCP")!;
        Assert.Equal(PathStatus.Degraded, webapp.Status);
        Assert.StartsWith("⚠ ", webapp.Label, StringComparison.Ordinal);
        Assert.Contains(webapp.Problems, p => p.Code == Codes.NumericTargetPortUndeclared);

        var payments = model.FindNode("nodeport:shop/payments:443/TCP")!;
        Assert.Equal(PathStatus.Degraded, payments.Status);
        Assert.Contains(payments.Problems, p => p.Code == Codes.LocalPolicyNodesDrop);
        Assert.Equal(PathStatus.Degraded, Edge(model, "client:external:shop", payments.Id).Status);
    }

    [Fact]
    public void Build_LocalPolicyNodesExpanded_MarksOnlyTheNodesThatDrop()
    {
        var model = GraphBuilder.Build(Demo(), GraphView.Default with { Expanded = ["nodeport:shop/payments:443/TCP"] });

        var nodes = model.Nodes.Where(n => n.Group == "nodeport:shop/payments:443/TCP").ToList();

        Assert.Equal(3, nodes.Count);
        Assert.Single(nodes, n => n.Status == PathStatus.Ok);
        Assert.Equal(2, nodes.Count(n => n.Status == PathStatus.Degraded && n.Problems.Any(p => p.Code == Codes.LocalPolicyNodesDrop)));
    }

    [Fact]
    public async Task Build_ServiceAddedLater_GoesToTheEndOfItsNamespaceAndNothingAboveMoves()
    {
        var demo = DemoCluster.CreateDefault();
        var live = new ClusterAnalyzer(demo.Snapshot);
        var before = GraphBuilder.Build(live.Current);
        var changes = new List<ClusterChange>();
        using var subscription = demo.Subscribe();
        await demo.ApplyAsync([Service("aaa-added", 8088, 30999)], new ApplyOptions(DryRun: false), CancellationToken.None);
        while (subscription.Updates.TryRead(out var batch))
        {
            changes.AddRange(batch.Changes);
        }

        var after = GraphBuilder.Build(live.Apply(changes), order: before.Order);
        var fresh = GraphBuilder.Build(live.Current);

        var added = after.FindNode("svc:default/aaa-added:8088/TCP")!;
        Assert.True(added.Y > before.Nodes.Where(n => n.Namespace == "default" && n.Kind != GraphKinds.Namespace).Max(n => n.Y));
        Assert.All(before.Nodes.Where(n => n.Namespace == "default" && n.Kind != GraphKinds.Namespace && n.Kind != GraphKinds.Client),
            n => Assert.Equal((n.X, n.Y), (after.FindNode(n.Id)!.X, after.FindNode(n.Id)!.Y)));
        Assert.True(fresh.FindNode("svc:default/aaa-added:8088/TCP")!.Y < fresh.FindNode("svc:default/app1:8080/TCP")!.Y);
    }

    [Fact]
    public void Build_Preview_MarksAddedPathsAndKeepsRemovedOnesFaded()
    {
        var analysis = Demo();
        var removed = analysis.FindPath("clusterip:default/mysql-service:33306/TCP")!;
        var preview = new GraphPreview([removed], [NginxNodePort], [removed.Id], []);
        var withoutMysql = new ClusterAnalysis(analysis.Snapshot, analysis.Paths.Remove(removed), analysis.Diagnostics);

        var model = GraphBuilder.Build(withoutMysql, GraphView.Default with { Preview = preview });

        Assert.Equal("added", model.FindNode(NginxNodePort)!.Preview);
        Assert.Equal("added", Edge(model, NginxNodePort, NginxService).Preview);
        Assert.Equal("removed", model.FindNode("svc:default/mysql-service:33306/TCP")!.Preview);
        Assert.Null(model.FindNode("svc:default/app1:8080/TCP")!.Preview);
    }

    [Fact]
    public void Build_HostileNames_StayInLabelsAsPlainText()
    {
        var demo = DemoCluster.CreateDefault();
        demo.Load([JsonNode.Parse("""
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"<img src=x onerror=alert(1)>","namespace":"default"},
             "spec":{"selector":{"name":"nginx-pod"},"ports":[{"port":81,"targetPort":80}]}}
            """)!.AsObject()]);

        var model = GraphBuilder.Build(ClusterAnalyzer.Analyze(demo.Snapshot));

        var node = model.FindNode("svc:default/<img src=x onerror=alert(1)>:81/TCP");
        Assert.NotNull(node);
        Assert.StartsWith("<img src=x onerror=alert(1)>", node.Title, StringComparison.Ordinal);
        Assert.StartsWith("<img src=x onerror=alert(1)>\n", node.Label, StringComparison.Ordinal);
    }

    [Fact]
    public void Diff_SameModel_IsEmpty_AndAChangeIsReportedById()
    {
        var demo = DemoCluster.CreateDefault();
        var analyzer = new ClusterAnalyzer(demo.Snapshot);
        var before = GraphBuilder.Build(analyzer.Current);
        using var subscription = demo.Subscribe();
        demo.SetPodReady("default", "nginx", false);
        subscription.Updates.TryRead(out var batch);

        var after = GraphBuilder.Build(analyzer.Apply(batch!.Changes), order: before.Order);

        Assert.True(GraphDiff.Between(after, GraphBuilder.Build(analyzer.Current, order: after.Order)).IsEmpty);
        var diff = GraphDiff.Between(before, after);
        Assert.False(diff.Structural);
        Assert.Contains(diff.ChangeNodes, n => n.Id == NginxPods && n.Status == PathStatus.Broken);
        Assert.Contains(diff.ChangeEdges, e => e.Id == GraphEdge.IdFor(NginxService, NginxPods) && e.Status == PathStatus.Broken);
        var first = GraphDiff.Between(null, before);
        Assert.Equal(before.Nodes.Length, first.AddNodes.Length);
        Assert.Equal(before.Edges.Length, first.AddEdges.Length);
    }

    internal static ClusterAnalysis Synthetic(int services, int pods)
    {
        var demo = new DemoCluster();
        demo.Load(SyntheticCluster.Generate(nodes: 3, services, pods));
        return ClusterAnalyzer.Analyze(demo.Snapshot);
    }

    internal static JsonObject Service(string name, int port, int nodePort) => new()
    {
        ["apiVersion"] = "v1",
        ["kind"] = "Service",
        ["metadata"] = new JsonObject { ["name"] = name, ["namespace"] = "default" },
        ["spec"] = new JsonObject
        {
            ["type"] = "NodePort",
            ["selector"] = new JsonObject { ["name"] = "nginx-pod" },
            ["ports"] = new JsonArray(new JsonObject { ["port"] = port, ["targetPort"] = 80, ["nodePort"] = nodePort }),
        },
    };

    private static GraphEdge Edge(GraphModel model, string source, string target) =>
        model.Edges.SingleOrDefault(e => e.Id == GraphEdge.IdFor(source, target))
        ?? throw new Xunit.Sdk.XunitException($"no edge {source} -> {target}; edges from {source}: {string.Join(", ", model.Edges.Where(e => e.Source == source).Select(e => e.Target))}");
}
