using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Api;
using PortMapper.Kubernetes.Decoding;
using PortMapper.Kubernetes.Tests.Support;

namespace PortMapper.Kubernetes.Tests.Contract;

/// <summary>The client decodes every answer recorded from a real kube-apiserver v1.32.</summary>
public class RecordingDecodeTests
{
    private static DecodedList Decode(ResourceType resource, string file) => resource.Codec!.DecodeList(Recordings.Bytes(file));

    [Fact]
    public void ListPods_Recorded_ReadsNamesIpsPortsAndReadiness()
    {
        var list = Decode(ResourceType.Pods, "list-pods.json");

        Assert.Equal("547", list.ResourceVersion);
        var pods = list.Items.Cast<Pod>().ToDictionary(p => p.Metadata.Name);
        Assert.Equal(5, pods.Count);
        var web = pods["web-796774bdfb-rpr2x"];
        Assert.Equal(("demo", "node-a", "10.244.1.2", "172.18.0.2", "Running", true), (web.Metadata.Namespace, web.NodeName, web.PodIp, web.HostIp, web.Phase, web.Ready));
        Assert.Equal("web", web.Metadata.Labels["app"]);
        Assert.Equal(("ReplicaSet", "web-796774bdfb", true), (web.Metadata.OwnerReferences[0].Kind, web.Metadata.OwnerReferences[0].Name, web.Metadata.OwnerReferences[0].Controller));
        var port = Assert.Single(Assert.Single(web.Spec.Containers).Ports);
        Assert.Equal(("http", 8080, "TCP", 0), (port.Name, port.Number, port.Protocol, port.HostPort));
        var api = pods["api-74f4b6496f-dtrfm"];
        Assert.Equal([("http", 9000), ("metrics", 9090)], api.Spec.Containers[0].Ports.Select(p => (p.Name, p.Number)).ToArray());
    }

    [Fact]
    public void ListServices_Recorded_ReadsTypesPortsAndClusterIps()
    {
        var services = Decode(ResourceType.Services, "list-services.json").Items.Cast<Service>().ToDictionary(s => s.Key().ToString());

        Assert.Equal(["default/kubernetes", "demo/api", "demo/web"], services.Keys.Order(StringComparer.Ordinal).ToArray());
        var web = services["demo/web"];
        Assert.Equal((ServiceTypes.NodePort, "10.96.47.34", "Cluster"), (web.Type, web.ClusterIp, web.ExternalTrafficPolicy));
        var port = Assert.Single(web.Ports);
        Assert.Equal(("http", 80, IntOrName.FromName("http"), 30080), (port.Name, port.Port, port.TargetPort!.Value, port.NodePort!.Value));
        Assert.Equal("web", web.Selector!["app"]);
        Assert.Equal(IntOrName.FromNumber(6443), Assert.Single(services["default/kubernetes"].Ports).TargetPort);
        Assert.Null(Assert.Single(services["default/kubernetes"].Ports).NodePort);
    }

    [Fact]
    public void ListNodes_Recorded_ReadsAddressesCidrsZonesAndReadiness()
    {
        var nodes = Decode(ResourceType.Nodes, "list-nodes.json").Items.Cast<Node>().ToList();

        Assert.Equal(
            [("node-a", "172.18.0.2", "10.244.1.0/24", "zone-1"), ("node-b", "172.18.0.3", "10.244.2.0/24", "zone-2"), ("node-c", "172.18.0.4", "10.244.3.0/24", "zone-3")],
            nodes.Select(n => (n.Metadata.Name, n.PrimaryAddress, n.PodCidr, n.Zone)).ToArray());
        Assert.All(nodes, n => Assert.True(n.Ready));
        Assert.All(nodes, n => Assert.Equal("", n.Metadata.Namespace));
    }

    [Fact]
    public void ListEndpointSlices_Recorded_ReadsEndpointsPortsAndTargets()
    {
        var slices = Decode(ResourceType.EndpointSlices, "list-endpointslices.json").Items.Cast<EndpointSlice>().ToDictionary(s => s.ServiceName!);

        var web = slices["web"];
        Assert.Equal(3, web.Endpoints.Count(e => e.IsReady));
        Assert.Equal(("http", "TCP", 8080), (web.Ports[0].Name, web.Ports[0].Protocol, web.Ports[0].Port!.Value));
        var first = web.Endpoints[0];
        Assert.Equal(("10.244.3.2", "node-c", "zone-3"), (first.Addresses[0], first.NodeName, first.Zone));
        Assert.Equal(new ObjectRef("Pod", "demo", "web-796774bdfb-lsvlq"), first.TargetRef);
        Assert.Equal(["metrics", "http"], slices["api"].Ports.Select(p => p.Name ?? "").ToArray());
        Assert.Equal("172.18.0.1", slices["kubernetes"].Endpoints[0].Addresses[0]);
    }

    [Fact]
    public void ListIngresses_Recorded_ReadsHostPathAndNamedBackendPort()
    {
        var ingress = Assert.IsType<Ingress>(Assert.Single(Decode(ResourceType.Ingresses, "list-ingresses.json").Items));

        Assert.Equal("nginx", ingress.IngressClassName);
        var rule = Assert.Single(ingress.Rules);
        var path = Assert.Single(rule.Paths);
        Assert.Equal(("web.demo.local", "/", "Prefix", "web", IntOrName.FromName("http")), (rule.Host, path.Path, path.PathType, path.Backend.Service!.Name, path.Backend.Service.Port!.Value));
    }

    [Fact]
    public void GetService_Recorded_DecodesOneObject()
    {
        var service = Assert.IsType<Service>(ResourceType.Services.Codec!.Decode(Recordings.Bytes("get-service-demo-web.json")));

        Assert.Equal(("demo", "web", "278", 30080), (service.Metadata.Namespace, service.Metadata.Name, service.Metadata.ResourceVersion, service.Ports[0].NodePort!.Value));
    }

    [Fact]
    public void Decode_Annotations_DropsLastAppliedConfigurationAndKeepsTheRest()
    {
        var service = ResourceType.Services.Codec!.Decode(Recordings.Bytes("ssa-dryrun-response.json"));

        Assert.Equal(["portmapper.example.com/managed"], service.Metadata.Annotations.Keys.ToArray());
    }

    /// <summary>A live object and the same object read from a file must look alike to everything downstream.</summary>
    [Theory]
    [InlineData("list-pods.json", "Pod")]
    [InlineData("list-services.json", "Service")]
    [InlineData("list-nodes.json", "Node")]
    [InlineData("list-endpointslices.json", "EndpointSlice")]
    [InlineData("list-ingresses.json", "Ingress")]
    public void Decode_RecordedList_EqualsWhatTheManifestReaderMakesOfIt(string file, string kind)
    {
        var resource = ResourceType.Watched.Single(r => r.Kind == kind);
        var fast = resource.Codec!.DecodeList(Recordings.Bytes(file)).Items;
        var issues = new List<LoadIssue>();
        var reader = new ModelReader(issues);
        var items = JsonNode.Parse(Recordings.Text(file))!["items"]!.AsArray();
        var slow = items.Select(i =>
        {
            var o = i!.AsObject().DeepClone().AsObject();
            o["kind"] = kind;
            (o["metadata"]!["annotations"] as JsonObject)?.Remove("kubectl.kubernetes.io/last-applied-configuration");
            return reader.Read(o)!;
        }).ToList();

        Assert.Empty(issues);
        Assert.Equal(slow.Select(Shape), fast.Select(Shape));
    }

    private static string Shape(IKubeObject o) => JsonSerializer.Serialize(o, o.GetType());

    [Fact]
    public async Task Watch_RecordedStream_YieldsAddedModifiedDeletedAndBookmarks()
    {
        var events = await DecodeWatchAsync("watch-services.jsonl");

        Assert.Equal(
            [(WatchEventType.Added, "573"), (WatchEventType.Modified, "576"), (WatchEventType.Deleted, "580"), (WatchEventType.Bookmark, "580"), (WatchEventType.Bookmark, "580")],
            events.Select(e => (e.Type, e.ResourceVersion)).ToArray());
        var modified = Assert.IsType<Service>(events[1].Object);
        Assert.Equal(("modified", 8081), (modified.Metadata.Labels["stage"], modified.Ports[0].Port));
        Assert.Equal("watch-demo", events[2].Object!.Metadata.Name);
        Assert.Null(events[3].Object);
    }

    [Fact]
    public async Task Watch_Recorded410ErrorEvent_ThrowsResourceVersionExpired()
    {
        var e = await Assert.ThrowsAsync<ResourceVersionExpiredException>(() => DecodeWatchAsync("error-410-watch-too-old-rv.jsonl"));

        Assert.Equal((410, "Expired", "too old resource version: 1 (432)"), (e.Code, e.Reason, e.ServerMessage));
        Assert.Contains("lists again", e.Message, StringComparison.Ordinal);
    }

    /// <summary>Feeds the recorded bytes a few at a time, as a network would, through the client's framing.</summary>
    private static async Task<List<WatchEvent>> DecodeWatchAsync(string file)
    {
        using var frames = new JsonFrameReader(new TrickleStream(Recordings.Bytes(file), 7));
        var events = new List<WatchEvent>();
        var target = new RequestTarget("watch", "services");
        while (await frames.ReadAsync(CancellationToken.None) is { } frame)
        {
            events.Add(WatchEventDecoder.Decode(frame.Span, ResourceType.Services, target, null));
        }

        return events;
    }

    [Theory]
    [InlineData("error-403-forbidden-client-cert.json", 403, "Forbidden", 0, null)]
    [InlineData("error-403-forbidden-impersonated.json", 403, "Forbidden", 0, null)]
    [InlineData("error-404-service-not-found.json", 404, "NotFound", 0, null)]
    [InlineData("error-409-already-exists.json", 409, "AlreadyExists", 0, null)]
    [InlineData("error-409-ssa-conflict.json", 409, "Conflict", 1, ".spec.ports[port=80,protocol=\"TCP\"].nodePort")]
    [InlineData("error-410-list-compacted-rv.json", 410, "Expired", 0, null)]
    [InlineData("error-422-duplicate-nodeport.json", 422, "Invalid", 1, "spec.ports[0].nodePort")]
    [InlineData("error-422-existing-name-same-nodeport.json", 422, "Invalid", 1, "spec.ports[0].nodePort")]
    [InlineData("error-422-invalid-port-name.json", 422, "Invalid", 1, "spec.ports[0].name")]
    [InlineData("error-422-nodeport-out-of-range.json", 422, "Invalid", 1, "spec.ports[0].nodePort")]
    public void Status_RecordedError_DecodesCodeReasonAndCauses(string file, int code, string reason, int causes, string? field)
    {
        var status = ResourceCodecs.DecodeStatus(Recordings.Bytes(file), Recordings.StatusCode(file.Replace(".json", "", StringComparison.Ordinal)))!;
        var e = code == 410 ? new ResourceVersionExpiredException(status, null, null) : new KubernetesApiException(status, new RequestTarget("list", "services", "demo"), "https://127.0.0.1:6443");

        Assert.Equal((code, reason, causes), (e.Code, e.Reason, e.Causes.Length));
        Assert.Equal(field, e.Causes.FirstOrDefault()?.Field);
        Assert.Contains(status.Message!.TrimEnd('.'), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Status_Recorded403_ExplainsWhoNeedsWhichPermission()
    {
        var status = ResourceCodecs.DecodeStatus(Recordings.Bytes("error-403-forbidden-client-cert.json"), 403)!;

        var e = new KubernetesApiException(status, new RequestTarget("list", "services", "demo"), null);

        Assert.Equal(
            "Forbidden: services is forbidden: User \"nobody\" cannot list resource \"services\" in API group \"\" in the namespace \"demo\". "
            + "PortMapper's identity needs the \"list\" permission on services in namespace \"demo\"; grant it with a Role or ClusterRole binding (see deploy/ for the one PortMapper needs).",
            e.Message);
    }

    /// <summary>A stream that returns at most a few bytes per read.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : MemoryStream(data)
    {
        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            base.ReadAsync(buffer[..Math.Min(chunk, buffer.Length)], cancellationToken);
    }
}
