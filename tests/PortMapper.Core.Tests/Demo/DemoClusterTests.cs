using System.Text.Json.Nodes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Demo;

public class DemoClusterTests
{
    private static JsonObject Json(string text) => JsonNode.Parse(text)!.AsObject();

    private static Task<System.Collections.Immutable.ImmutableArray<ApplyObjectResult>> Apply(DemoCluster demo, string json, bool dryRun = false, string manager = "portmapper", bool force = false) =>
        demo.ApplyAsync([Json(json)], new ApplyOptions(dryRun, force, manager), CancellationToken.None);

    [Fact]
    public void CreateDefault_NginxService_ReachesItsPodOnPort80ThroughEveryNodesNodePortAndTheClusterIp()
    {
        var demo = DemoCluster.CreateDefault();

        var analysis = ClusterAnalyzer.Analyze(demo.Snapshot);

        var nodePort = analysis.FindPath("nodeport:default/nginx-service:30080/TCP")!;
        Assert.Equal(PathStatus.Ok, nodePort.Status);
        Assert.Equal([HopKind.Client, HopKind.NodePort, HopKind.ClusterIp, HopKind.Endpoints], nodePort.Hops.Select(h => h.Kind));
        Assert.Equal(["172.18.0.2", "172.18.0.3", "172.18.0.4"], nodePort.Hops[1].Addresses.ToArray());
        Assert.Equal(30001, nodePort.Hops[1].Port);
        Assert.Equal(30080, nodePort.Hops[2].Port);
        Assert.StartsWith("10.96.", nodePort.Hops[2].Addresses[0], StringComparison.Ordinal);
        var endpoint = Assert.Single(nodePort.Hops[3].Endpoints);
        Assert.Equal((80, new ObjectRef("Pod", "default", "nginx")), (endpoint.Port!.Value, endpoint.Pod!));
        Assert.StartsWith("10.244.", endpoint.Ip, StringComparison.Ordinal);
        Assert.True(endpoint.Ready);
        Assert.False(endpoint.Predicted);
    }

    [Fact]
    public void CreateDefault_InfluxdbHostNetworkAndHostPortPods_LandOnDifferentNodes()
    {
        var demo = DemoCluster.CreateDefault();

        var hostNetwork = demo.Snapshot.Pods[new ObjectKey("monitoring", "influxdb-hostnetwork")];
        var hostPort = demo.Snapshot.Pods[new ObjectKey("monitoring", "influxdb-hostport")];

        Assert.NotNull(hostNetwork.NodeName);
        Assert.NotNull(hostPort.NodeName);
        Assert.NotEqual(hostNetwork.NodeName, hostPort.NodeName);
        Assert.Equal(demo.Snapshot.Nodes[hostNetwork.NodeName].PrimaryAddress, hostNetwork.PodIp);
    }

    [Fact]
    public void Load_MoreHostPortPodsThanNodes_LeavesOnePendingWithTheSchedulersMessage()
    {
        var demo = DemoCluster.CreateDefault();
        var pods = Enumerable.Range(0, 3).Select(i => Json($$$"""
            {"apiVersion":"v1","kind":"Pod","metadata":{"name":"hp-{{{i}}}","namespace":"default"},
             "spec":{"containers":[{"name":"c","ports":[{"containerPort":9000,"hostPort":8086}]}]}}
            """));

        demo.Load(pods);

        // Each node already runs one influxdb pod on 8086 (two in monitoring, one in default): no room left.
        var pending = demo.Snapshot.Pods.Values.Where(p => p.Metadata.Name.StartsWith("hp-", StringComparison.Ordinal)).ToList();
        Assert.All(pending, p => Assert.Null(p.NodeName));
        Assert.All(pending, p => Assert.Equal("0/3 nodes are available: 3 node(s) didn't have free ports for the requested pod ports.", p.UnschedulableMessage));
        var analysis = ClusterAnalyzer.Analyze(demo.Snapshot);
        Assert.Contains(analysis.Diagnostics, d => d.Code == Codes.PodUnschedulable && d.Object.Name == "hp-0");
    }

    [Fact]
    public async Task Apply_NodePortOutOfRange_Returns422WithTheAllocatorsMessage()
    {
        var demo = DemoCluster.CreateDefault();

        var result = (await Apply(demo, """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web-lowport","namespace":"default"},
             "spec":{"type":"NodePort","selector":{"name":"nginx-pod"},"ports":[{"name":"http","port":80,"targetPort":80,"nodePort":80}]}}
            """))[0];

        Assert.Equal(ApplyOutcome.Invalid, result.Outcome);
        Assert.Equal(422, result.HttpStatus);
        var error = Assert.Single(result.Errors);
        Assert.Equal("spec.ports[0].nodePort", error.Field);
        Assert.Equal("Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767", error.Message);
        Assert.Equal("Service \"web-lowport\" is invalid: spec.ports[0].nodePort: Invalid value: 80: provided port is not in the valid range. The range of valid ports is 30000-32767", result.Message);
        Assert.False(demo.Snapshot.Services.ContainsKey(new ObjectKey("default", "web-lowport")));
    }

    [Fact]
    public async Task Apply_NodePortOfAnotherService_Returns422AlreadyAllocatedWhateverTheProtocol()
    {
        var demo = DemoCluster.CreateDefault();

        var result = (await Apply(demo, """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web-dup","namespace":"default"},
             "spec":{"type":"NodePort","selector":{"name":"nginx-pod"},"ports":[{"name":"dns","port":53,"protocol":"UDP","nodePort":30001}]}}
            """))[0];

        Assert.Equal(ApplyOutcome.Invalid, result.Outcome);
        Assert.Equal("Invalid value: 30001: provided port is already allocated", Assert.Single(result.Errors).Message);
    }

    [Fact]
    public async Task Apply_NewServiceThenSameAgain_CreatedThenUnchangedAndAllocated()
    {
        var demo = DemoCluster.CreateDefault();
        const string service = """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"lb","namespace":"default"},
             "spec":{"type":"LoadBalancer","selector":{"name":"nginx-pod"},"ports":[{"port":8080,"targetPort":80}]}}
            """;

        var created = (await Apply(demo, service))[0];
        var again = (await Apply(demo, service))[0];

        Assert.Equal((ApplyOutcome.Created, 201), (created.Outcome, created.HttpStatus!.Value));
        Assert.Equal((ApplyOutcome.Unchanged, 200), (again.Outcome, again.HttpStatus!.Value));
        var svc = demo.Snapshot.Services[new ObjectKey("default", "lb")];
        Assert.StartsWith("10.96.", svc.ClusterIp, StringComparison.Ordinal);
        var nodePort = Assert.Single(svc.Ports).NodePort!.Value;
        Assert.InRange(nodePort, 30000, 32767);
        Assert.StartsWith("203.0.113.", Assert.Single(svc.LoadBalancerStatus).Ip, StringComparison.Ordinal);
        Assert.Contains(demo.Snapshot.EndpointSlices.Values, s => s.ServiceName == "lb" && s.Endpoints.Length == 1);
    }

    [Fact]
    public async Task Apply_DryRun_AnswersWithoutStoring()
    {
        var demo = DemoCluster.CreateDefault();

        var result = (await Apply(demo, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"dry","namespace":"default"},"spec":{"ports":[{"port":80}]}}""", dryRun: true))[0];

        Assert.Equal(ApplyOutcome.Created, result.Outcome);
        Assert.NotNull(result.Result);
        Assert.False(demo.Snapshot.Services.ContainsKey(new ObjectKey("default", "dry")));
    }

    [Fact]
    public async Task Apply_FieldOwnedByAnotherManager_ConflictsUnlessForced()
    {
        var demo = DemoCluster.CreateDefault();
        const string first = """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"ssa-conflict-demo","namespace":"default"},
             "spec":{"type":"NodePort","selector":{"name":"nginx-pod"},"ports":[{"name":"http","port":80,"protocol":"TCP","targetPort":80,"nodePort":30091}]}}
            """;
        Assert.Equal(ApplyOutcome.Created, (await Apply(demo, first))[0].Outcome);

        var second = first.Replace("30091", "30092", StringComparison.Ordinal);
        var conflict = (await Apply(demo, second, manager: "other-manager"))[0];
        var forced = (await Apply(demo, second, manager: "other-manager", force: true))[0];

        Assert.Equal((ApplyOutcome.Conflict, 409), (conflict.Outcome, conflict.HttpStatus!.Value));
        var field = Assert.Single(conflict.Conflicts);
        Assert.Equal(("portmapper", ".spec.ports[port=80,protocol=\"TCP\"].nodePort"), (field.Manager, field.Field));
        Assert.Equal("Apply failed with 1 conflict: conflict with \"portmapper\": .spec.ports[port=80,protocol=\"TCP\"].nodePort", conflict.Message);
        Assert.Equal(ApplyOutcome.Configured, forced.Outcome);
        Assert.Equal(30092, demo.Snapshot.Services[new ObjectKey("default", "ssa-conflict-demo")].Ports[0].NodePort);
    }

    [Fact]
    public async Task Apply_InvalidPortName_Returns422LikeTheApiServer()
    {
        var demo = DemoCluster.CreateDefault();

        var result = (await Apply(demo, """
            {"apiVersion":"v1","kind":"Service","metadata":{"name":"web-badname","namespace":"default"},
             "spec":{"type":"NodePort","selector":{"app":"web"},"ports":[{"name":"Web_HTTP","port":80,"protocol":"TCP","targetPort":"http","nodePort":30090}]}}
            """))[0];

        Assert.Equal(ApplyOutcome.Invalid, result.Outcome);
        Assert.Contains(result.Errors, e => e.Field == "spec.ports[0].name");
    }

    [Fact]
    public async Task Apply_MissingNamespace_NotFoundUnlessAskedToCreateIt()
    {
        var demo = DemoCluster.CreateDefault();
        var obj = Json("""{"apiVersion":"v1","kind":"Service","metadata":{"name":"a","namespace":"brand-new"},"spec":{"ports":[{"port":80}]}}""");

        var refused = (await demo.ApplyAsync([obj], new ApplyOptions(false), CancellationToken.None))[0];
        var created = (await demo.ApplyAsync([obj], new ApplyOptions(false, CreateNamespaces: true), CancellationToken.None))[0];

        Assert.Equal((ApplyOutcome.NotFound, "namespaces \"brand-new\" not found"), (refused.Outcome, refused.Message));
        Assert.Equal(ApplyOutcome.Created, created.Outcome);
        Assert.True(demo.Snapshot.Namespaces.ContainsKey("brand-new"));
    }

    [Fact]
    public async Task Apply_UnknownKind_ErrorResultNamingTheKind()
    {
        var demo = DemoCluster.CreateDefault();

        var result = (await Apply(demo, """{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"c","namespace":"default"}}"""))[0];

        Assert.Equal(ApplyOutcome.Error, result.Outcome);
        Assert.Contains("ConfigMap", result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetPodReady_False_EndpointBecomesNotReadyAndTheServiceHasNoReadyEndpoints()
    {
        var demo = DemoCluster.CreateDefault();

        Assert.True(demo.SetPodReady("default", "nginx", false));

        var analysis = ClusterAnalyzer.Analyze(demo.Snapshot);
        var path = analysis.FindPath("clusterip:default/nginx-service:30080/TCP")!;
        Assert.Equal(PathStatus.Broken, path.Status);
        Assert.False(Assert.Single(path.Hops[^1].Endpoints).Ready);
        Assert.Contains(analysis.Diagnostics, d => d.Code == Codes.NoReadyEndpoints && d.Object.Name == "nginx-service");
    }

    [Fact]
    public void CreateDefault_NamedTargetPortMissing_PodIsInASliceWithoutThatPort()
    {
        var demo = DemoCluster.CreateDefault();

        var slices = demo.Snapshot.EndpointSlices.Values.Where(s => s.ServiceName == "frontend" && s.Metadata.Namespace == "shop").ToList();

        var slice = Assert.Single(slices);
        Assert.Equal(2, slice.Endpoints.Length);
        Assert.Equal(new string?[] { "metrics" }, slice.Ports.Select(p => p.Name).ToList());
    }

    [Fact]
    public void CreateDefault_IngressOfTheDefaultClass_GetsTheControllersLoadBalancerAddress()
    {
        var demo = DemoCluster.CreateDefault();

        var ingress = demo.Snapshot.Ingresses[new ObjectKey("monitoring", "influxdb")];
        var controller = demo.Snapshot.Services[new ObjectKey("ingress-nginx", "ingress-nginx-controller")];

        var address = Assert.Single(controller.LoadBalancerStatus).Ip;
        Assert.StartsWith("203.0.113.", address);
        Assert.Equal(address, Assert.Single(ingress.LoadBalancerStatus).Ip);
    }

    [Fact]
    public async Task Subscribe_AfterApply_ReceivesABatchWithTheServiceAndItsSlice()
    {
        var demo = DemoCluster.CreateDefault();
        using var subscription = demo.Subscribe();

        await Apply(demo, """{"apiVersion":"v1","kind":"Service","metadata":{"name":"watched","namespace":"default"},"spec":{"selector":{"name":"nginx-pod"},"ports":[{"port":80}]}}""");

        Assert.True(subscription.Updates.TryRead(out var batch));
        Assert.Contains(batch.Changes, c => c.Type == ChangeType.Added && c.Object is Service { Metadata.Name: "watched" });
        Assert.Contains(batch.Changes, c => c.Object is EndpointSlice s && s.ServiceName == "watched");
        Assert.True(batch.Snapshot.Services.ContainsKey(new ObjectKey("default", "watched")));
    }

    [Fact]
    public void Delete_Workload_RemovesItsPodsAndEmptiesTheSlices()
    {
        var demo = DemoCluster.CreateDefault();

        Assert.True(demo.Delete(new ObjectRef("Deployment", "default", "app1")));

        Assert.DoesNotContain(demo.Snapshot.Pods.Values, p => p.Metadata.Name.StartsWith("app1-", StringComparison.Ordinal));
        Assert.All(demo.Snapshot.EndpointSlices.Values.Where(s => s.ServiceName == "app1"), s => Assert.Empty(s.Endpoints));
    }

    [Fact]
    public void FromManifests_ObjectsTheApiServerWouldRefuse_AreKeptAndExplained()
    {
        var manifests = ManifestLoader.LoadText("""
            apiVersion: v1
            kind: Service
            metadata: {name: a}
            spec: {type: NodePort, selector: {app: x}, ports: [{port: 80, nodePort: 30080}]}
            ---
            apiVersion: v1
            kind: Service
            metadata: {name: b}
            spec: {type: NodePort, selector: {app: x}, ports: [{name: Bad_Name, port: 81, nodePort: 30080}]}
            """, "dup.yaml");

        var demo = DemoCluster.FromManifests(manifests);
        var analysis = ClusterAnalyzer.Analyze(demo.Snapshot, demo.StartupFindings);

        Assert.Equal(3, demo.Snapshot.Nodes.Count);
        Assert.Equal(ClusterSourceKind.Manifests, demo.Info.Kind);
        Assert.Equal(30080, demo.Snapshot.Services[new ObjectKey("default", "b")].Ports[0].NodePort);
        Assert.Equal(2, analysis.Diagnostics.Count(d => d.Code == Codes.NodePortDuplicate));
        Assert.Contains(analysis.Diagnostics, d => d.Code == Codes.RejectedByApiServer && d.Object.Name == "b" && d.Field == "spec.ports[0].name");
    }
}
