using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Web.Graph;

namespace PortMapper.Web.Tests.Graph;

/// <summary>The side panel of pods says which NetworkPolicies isolate them; a policy's panel lists its pods and the paths into them.</summary>
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

    [Fact]
    public void Describe_PodsOfAPolicedService_LinkEveryPolicySelectingThem()
    {
        var model = GraphBuilder.Build(Demo);

        var details = ElementInspector.Describe(Demo, model, "pods:bank/api:9090/TCP")!;

        Assert.Equal(["bank/api-from-web", "bank/default-deny"], details.Policies.Select(p => $"{p.Namespace}/{p.Name}"));
        Assert.All(details.Policies, p => Assert.Equal("NetworkPolicy", p.Kind));
    }

    [Fact]
    public void Describe_Policy_ListsTheSelectedPodsThePathsIntoThemAndWhatItsRulesAdmit()
    {
        var model = GraphBuilder.Build(Demo);

        var details = ElementInspector.Describe(Demo, model, "policy:bank/api-from-web")!;

        Assert.Equal(GraphKinds.Policy, details.Kind);
        Assert.Equal("api-from-web", details.Heading);
        Assert.Equal(new PortMapper.Core.Model.ObjectRef("NetworkPolicy", "bank", "api-from-web"), details.Object);
        Assert.Equal(2, details.Members.Length);
        Assert.All(details.Members, m => Assert.StartsWith("bank/api-", $"{m.Pod!.Namespace}/{m.Pod.Name}", StringComparison.Ordinal));
        Assert.Equal("app=api", Assert.Single(details.Facts, f => f.Name == "podSelector").Value);
        Assert.Equal("Ingress (defaulted)", Assert.Single(details.Facts, f => f.Name == "policyTypes").Value);
        Assert.Contains(details.Meaning, m => m == "Ingress spec.ingress[0]: from pods app=web of this namespace, on port grpc/TCP.");
        Assert.Contains(details.Paths, p => p.Id == "clusterip:bank/api:9090/TCP");
        Assert.All(details.Paths, p => Assert.Equal("bank", p.Namespace));
    }

    [Fact]
    public void Describe_DefaultDenyPolicy_SaysItAdmitsNothingAndShowsItsFinding()
    {
        var model = GraphBuilder.Build(Demo);

        var details = ElementInspector.Describe(Demo, model, "policy:bank/default-deny")!;

        Assert.Equal("{} (every pod)", Assert.Single(details.Facts, f => f.Name == "podSelector").Value);
        Assert.Contains(details.Meaning, m => m.StartsWith("Ingress no ingress rule: it admits nothing by itself", StringComparison.Ordinal));
        Assert.Contains(details.Problems, p => p.Code == Codes.EgressBlocksDns);
        Assert.Equal(5, details.Members.Length);
    }

    [Fact]
    public void Describe_PodBehindAPolicy_SaysWhoMayReachIt()
    {
        var model = GraphBuilder.Build(Demo, new GraphView { Expanded = ["pods:bank/api:9090/TCP"] });
        var podId = model.Nodes.First(n => n.Kind == GraphKinds.Pod && n.Namespace == "bank" && n.Id.Contains("api", StringComparison.Ordinal)).Id;

        var details = ElementInspector.Describe(Demo, model, podId)!;

        Assert.Contains(details.Meaning, m => m.StartsWith("Who may reach it: api-from-web spec.ingress[0]: from pods app=web of this namespace, on port grpc/TCP", StringComparison.Ordinal));
        Assert.Equal(["api-from-web", "default-deny"], details.Policies.Select(p => p.Name));
    }

    [Fact]
    public void Describe_PolicyThatDoesNotExist_IsNull()
    {
        Assert.Null(ElementInspector.Describe(Demo, GraphBuilder.Build(Demo), "policy:bank/nope"));
    }
}
