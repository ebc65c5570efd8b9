using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Trace;

namespace PortMapper.Core.Tests.Analysis;

/// <summary>Service fields that change where traffic goes, each with its effect on the path, a finding or the trace.</summary>
public class TrafficFieldTests
{
    private static ClusterAnalysis Analyze(string yaml)
    {
        var loaded = ManifestLoader.LoadText(yaml, "fields.yaml");
        Assert.Empty(loaded.Errors);
        return ClusterAnalyzer.Analyze(ClusterSnapshot.From(loaded.Objects), ManifestFindings.From(loaded));
    }

    private const string Pod = """
        apiVersion: v1
        kind: Pod
        metadata: {name: web-0, labels: {app: web}}
        spec:
          nodeName: node-a
          containers: [{name: web, image: web:1, ports: [{containerPort: 8080}]}]
        status:
          phase: Running
          podIP: 10.244.1.5
          podIPs: [{ip: 10.244.1.5}]
          conditions: [{type: Ready, status: "True"}]
        ---
        apiVersion: v1
        kind: Node
        metadata: {name: node-a}
        status: {addresses: [{type: InternalIP, address: 172.18.0.2}]}
        ---

        """;

    [Fact]
    public void LoadBalancerClass_Pending_PM011NamesTheClassAndTheHopSaysWhoProvisions()
    {
        var analysis = Analyze(Pod + """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              type: LoadBalancer
              loadBalancerClass: example.com/internal-lb
              clusterIP: 10.96.0.30
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080, nodePort: 30300}]
            """);

        var d = Assert.Single(analysis.Diagnostics, d => d.Code == Codes.LoadBalancerPending);
        Assert.Contains("loadBalancerClass example.com/internal-lb, so the cloud provider's default controller leaves it alone", d.Message, StringComparison.Ordinal);
        Assert.Contains("immutable", d.Fix, StringComparison.Ordinal);
        var lb = analysis.FindPath("loadbalancer:default/web:80/TCP")!.Hops.Single(h => h.Kind == HopKind.LoadBalancer);
        Assert.Equal("no external address yet: only the controller of loadBalancerClass example.com/internal-lb provisions it", lb.Note);
    }

    [Fact]
    public void LoadBalancerClass_Provisioned_TheHopNamesTheClassBesideTheSourceRanges()
    {
        var analysis = Analyze(Pod + """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              type: LoadBalancer
              loadBalancerClass: metallb.io/metallb
              loadBalancerSourceRanges: [192.0.2.0/24]
              clusterIP: 10.96.0.30
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080, nodePort: 30300}]
            status:
              loadBalancer: {ingress: [{ip: 203.0.113.7}]}
            """);

        var lb = analysis.FindPath("loadbalancer:default/web:80/TCP")!.Hops.Single(h => h.Kind == HopKind.LoadBalancer);
        Assert.Equal("provisioned by the controller of loadBalancerClass metallb.io/metallb; only from 192.0.2.0/24", lb.Note);
        Assert.DoesNotContain(analysis.Diagnostics, d => d.Code == Codes.LoadBalancerPending);
    }

    [Fact]
    public void SessionAffinityTimeout_TheTraceSaysHowLongAClientSticks()
    {
        var analysis = Analyze(Pod + """
            apiVersion: v1
            kind: Service
            metadata: {name: web}
            spec:
              clusterIP: 10.96.0.30
              sessionAffinity: ClientIP
              sessionAffinityConfig: {clientIP: {timeoutSeconds: 600}}
              selector: {app: web}
              ports: [{port: 80, targetPort: 8080}]
            """);
        Assert.True(TraceSource.TryParse("node:node-a", analysis.Snapshot, out var from, out _));
        Assert.True(TraceTarget.TryParse("10.96.0.30:80", out var to, out _));

        var result = Tracer.Trace(analysis, from, to);

        Assert.Contains("sessionAffinity ClientIP keeps each client address on its endpoint for 600s", result.Steps.Single(s => s.Kind == TraceStepKind.ServiceChain).Translation, StringComparison.Ordinal);
    }
}
