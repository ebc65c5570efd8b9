using PortMapper.Core.Analysis;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Trace;
using static PortMapper.Core.Tests.Trace.TraceCluster;

namespace PortMapper.Core.Tests.Trace;

/// <summary>The example manifests in samples/seeds: no cluster state, so endpoints are predicted from selectors.</summary>
public class TracerSeedTests
{
    private static ClusterAnalysis Seed(string file)
    {
        var loaded = ManifestLoader.LoadFile(System.IO.Path.Combine("samples", "seeds", file));
        Assert.Empty(loaded.Errors);
        return ClusterAnalyzer.Analyze(ClusterSnapshot.From(loaded.Objects));
    }

    [Fact]
    public void Trace_Seed01PodToNodePortServiceName_ReachesThePredictedPodOnTargetPort()
    {
        var result = Run("pod:default/mysql", "nginx-service.default:30080", Seed("01-port-targetport-nodeport.yaml"));

        Assert.True(result.Reachable, result.Reason);
        var nginx = Assert.Single(result.Endpoints);
        Assert.Equal((new ObjectRef("Pod", "default", "nginx"), 80, true), (nginx.Pod, nginx.Port, nginx.Predicted));
        Assert.Contains("clusterIP (not allocated yet: the Service exists only in manifests)", result.Steps[1].Translation, StringComparison.Ordinal);
        Assert.Contains("(no IP yet: PortMapper predicted this endpoint from manifests)", result.Steps[^1].Translation, StringComparison.Ordinal);
        Assert.Null(result.Steps[^1].Chain);
    }

    [Fact]
    public void Trace_Seed01ExternalToServiceName_DoesNotResolveButNamesTheNodePort()
    {
        var result = Run("external", "nginx-service.default:30080", Seed("01-port-targetport-nodeport.yaml"));

        Assert.False(result.Reachable);
        Assert.EndsWith("From outside use <node address>:30001 (nodePort).", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_Seed02ExternalNameService_IsACname()
    {
        var result = Run("pod:types/my-app-7d9c", "my-service-external.types:443", WithPodOf(Seed("02-service-types.yaml"), "types"));

        Assert.False(result.Reachable);
        Assert.Contains("ExternalName alias for example.com", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_Seed02NamedTargetPort_ResolvesOnTheTemplate()
    {
        var analysis = WithPodOf(Seed("02-service-types.yaml"), "types");

        var result = Run("pod:types/my-app-7d9c", "my-service-lb.types:80", analysis);

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal((new ObjectRef("Pod", "types", "my-app-7d9c"), 8080), (result.Endpoints[0].Pod, result.Endpoints[0].Port));
    }

    [Fact]
    public void Trace_Seed04IngressUrl_ReachesTheInfluxdbPods()
    {
        var result = Run("external", "http://influxdb.example.com/api/v2/write", Seed("04-external-access.yaml"));

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal("ingress:monitoring/influxdb:0:0", result.PathId);
        Assert.Equal(["influxdb-hostnetwork", "influxdb-hostport"], result.Endpoints.Select(e => e.Pod!.Name));
        Assert.Contains("Ingress monitoring/influxdb has no address published yet", result.Steps[1].Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_Seed05TargetPortMismatch_StillSentToPort80()
    {
        var result = Run("pod:web/webapp", "webapp.web:8080", Seed("05-webapp-three-ways.yaml"));

        Assert.True(result.Reachable, result.Reason);
        Assert.Equal(80, Assert.Single(result.Endpoints).Port);
    }

    /// <summary>Seed 02 holds a Deployment but no pod to trace from: add one made from its template, as the ReplicaSet would.</summary>
    private static ClusterAnalysis WithPodOf(ClusterAnalysis analysis, string ns)
    {
        var workload = analysis.Snapshot.Workloads.Values.First(w => w.Metadata.Namespace == ns);
        var pod = new Pod(new ObjectMeta { Name = workload.Metadata.Name + "-7d9c", Namespace = ns, Labels = workload.TemplateLabels }) { Spec = workload.Template };
        return ClusterAnalyzer.Analyze(analysis.Snapshot.Upsert(pod));
    }
}
