using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Web.Graph;

namespace PortMapper.Web.Tests.Graph;

/// <summary>The side panel of pods says which NetworkPolicies isolate them.</summary>
public sealed class ElementInspectorPolicyTests
{
    private static readonly ClusterAnalysis Demo = ClusterAnalyzer.Analyze(DemoCluster.CreateDefault().Snapshot);

    [Fact]
    public void Describe_PodsOfAPolicedService_NamesTheIsolatingPolicies()
    {
        var model = GraphBuilder.Build(Demo);

        var details = ElementInspector.Describe(Demo, model, "pods:bank/api:9090/TCP")!;

        Assert.Equal("bank/api-from-web, bank/default-deny", Assert.Single(details.Facts, f => f.Name == "Ingress policies").Value);
        Assert.Contains(details.Meaning, m => m.Contains("isolates these pods for Ingress", StringComparison.Ordinal) && m.Contains("prediction", StringComparison.Ordinal));
    }

    [Fact]
    public void Describe_PodsWithoutPolicies_SayNothingAboutPolicy()
    {
        var model = GraphBuilder.Build(Demo);

        var details = ElementInspector.Describe(Demo, model, "pods:default/nginx-service:30080/TCP")!;

        Assert.DoesNotContain(details.Facts, f => f.Name == "Ingress policies");
        Assert.DoesNotContain(details.Meaning, m => m.Contains("NetworkPolicy", StringComparison.Ordinal));
    }
}
