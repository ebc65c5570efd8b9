using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;
using PortMapper.Core.Policy;
using PortMapper.Core.Trace;

namespace PortMapper.Core.Tests.Trace;

/// <summary>The trace evaluates NetworkPolicy at the pod hop, on the packet after DNAT, for each candidate endpoint.</summary>
public class TracePolicyTests
{
    private static readonly Lazy<ClusterAnalysis> Demo = new(() => ClusterAnalyzer.Analyze(DemoCluster.CreateDefault().Snapshot));

    private static TraceResult TraceInDemo(string source, string target)
    {
        var analysis = Demo.Value;
        Assert.True(TraceSource.TryParse(source, analysis.Snapshot, out var from, out var error), error);
        Assert.True(TraceTarget.TryParse(target, out var to, out error), error);
        return Tracer.Trace(analysis, from, to);
    }

    private static string ApiAddress => $"{Demo.Value.Snapshot.Services[new ObjectKey("bank", "api")].ClusterIps[0]}:9090";

    private static string PodOf(string app) =>
        Demo.Value.Snapshot.Pods.Values.First(p => p.Metadata.Namespace == "bank" && p.Metadata.Labels.GetValueOrDefault("app") == app).Metadata.Name;

    [Fact]
    public void Trace_WebToApi_AdmittedByBothPoliciesAtEveryEndpoint()
    {
        var result = TraceInDemo($"pod:bank/{PodOf("web")}", ApiAddress);

        Assert.True(result.Reachable);
        Assert.Equal(2, result.Policies.Length);
        Assert.All(result.Policies, p => Assert.Equal(PolicyVerdictKind.Allowed, p.Verdict.Verdict));
        Assert.All(result.Policies, p => Assert.Equal(9090, p.Endpoint.Port));
        var step = Assert.Single(result.Steps, s => s.Kind == TraceStepKind.NetworkPolicy);
        Assert.Contains("after DNAT", step.Translation, StringComparison.Ordinal);
        Assert.Contains("prediction", step.Translation, StringComparison.Ordinal);
        Assert.Equal(TraceStepKind.NetworkPolicy, result.Steps[^1].Kind);
    }

    [Fact]
    public void Trace_ReportsToApi_BlockedWithTheDecidingPolicyAndNotReachable()
    {
        var result = TraceInDemo($"pod:bank/{PodOf("reports")}", ApiAddress);

        Assert.False(result.Reachable);
        Assert.All(result.Policies, p => Assert.Equal(PolicyVerdictKind.Blocked, p.Verdict.Verdict));
        Assert.Equal(new ObjectRef("NetworkPolicy", "bank", "default-deny"), result.Policies[0].Verdict.Policy);
        Assert.Equal(TraceStepKind.Dropped, result.Steps[^1].Kind);
        Assert.Contains("NetworkPolicy blocks the request at every one of the 2 endpoints", result.Reason, StringComparison.Ordinal);
        Assert.Contains("bank/default-deny", result.Reason, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_NodeToApi_IsJudgedAsANodeAddress()
    {
        var node = Demo.Value.Snapshot.Nodes.Keys.Order(StringComparer.Ordinal).First();

        var result = TraceInDemo($"node:{node}", ApiAddress);

        Assert.False(result.Reachable);
        Assert.Contains("from node " + node, result.Steps.Single(s => s.Kind == TraceStepKind.Dropped).Translation, StringComparison.Ordinal);
    }

    [Fact]
    public void Trace_NamespaceWithoutPolicies_AllowedAtEveryEndpoint()
    {
        var analysis = Demo.Value;
        var nginx = analysis.Snapshot.Services[new ObjectKey("default", "nginx-service")];

        var node = analysis.Snapshot.Nodes.Keys.Order(StringComparer.Ordinal).First();

        var result = TraceInDemo($"node:{node}", $"{nginx.ClusterIps[0]}:{nginx.Ports[0].Port}");

        Assert.True(result.Reachable, result.Reason);
        Assert.NotEmpty(result.Policies);
        Assert.All(result.Policies, p => Assert.Equal(PolicyVerdictKind.Allowed, p.Verdict.Verdict));
    }

    [Fact]
    public void Trace_ClusterWithoutAnyPolicy_HasNoPolicyStep()
    {
        var result = TraceCluster.Run("pod:shop/client-a", "10.96.0.12:80");

        Assert.True(result.Reachable);
        Assert.Empty(result.Policies);
        Assert.DoesNotContain(result.Steps, s => s.Kind == TraceStepKind.NetworkPolicy);
    }

    [Fact]
    public void Analyze_Demo_FlagsTheDnsTrapInBank()
    {
        Assert.Contains(Demo.Value.Diagnostics, d => d.Code == Codes.EgressBlocksDns && d.Object.Namespace == "bank");
    }
}
