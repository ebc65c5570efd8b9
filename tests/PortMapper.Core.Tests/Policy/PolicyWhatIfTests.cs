using System.Text.Json.Nodes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Design;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Policy;

public class PolicyWhatIfTests
{
    private static JsonObject Policy(string selectorApp) => JsonNode.Parse($$$"""
        {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy",
         "metadata": {"name": "api", "namespace": "shop"},
         "spec": {"podSelector": {"matchLabels": {"app": "{{{selectorApp}}}"}}, "policyTypes": ["Ingress"]}}
        """)!.AsObject();

    [Fact]
    public void Compute_DesignedNetworkPolicy_IsModelledAndItsFindingsAreCaused()
    {
        var current = PolicyCluster.Load("");

        var result = WhatIf.Compute(current, [Policy("apii")]);

        Assert.Empty(result.NotModelled);
        Assert.Equal(new ObjectRef("NetworkPolicy", "shop", "api"), Assert.Single(result.Created));
        Assert.Contains(result.Caused, d => d.Code == Codes.PolicySelectsNoPod);
    }

    [Fact]
    public void Compute_NetworkPolicyThatExists_IsNotCreatedAndFixingItsSelectorFixesPM500()
    {
        var current = ClusterSnapshot.From(PolicyCluster.Load("").AllObjects()
            .Append(new Model.NetworkPolicy(new ObjectMeta { Name = "api", Namespace = "shop" })
            {
                PodSelector = new LabelSelector(System.Collections.Immutable.ImmutableDictionary<string, string>.Empty.Add("app", "apii"), []),
                PolicyTypes = [PolicyTypes.Ingress],
            }));

        var result = WhatIf.Compute(current, [Policy("api")]);

        Assert.Empty(result.Created);
        Assert.Contains(result.Fixed, d => d.Code == Codes.PolicySelectsNoPod);
    }
}
