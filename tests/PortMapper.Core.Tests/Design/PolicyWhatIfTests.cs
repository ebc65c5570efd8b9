using PortMapper.Core.Analysis;
using PortMapper.Core.Demo;
using PortMapper.Core.Design;
using PortMapper.Core.Model;
using static PortMapper.Core.Tests.Validation.ValidationTestSupport;

namespace PortMapper.Core.Tests.Design;

/// <summary>What a designed NetworkPolicy opens and closes, on the demo cluster (bank denies by default, shop has no policy).</summary>
public class PolicyWhatIfTests
{
    private static readonly ClusterSnapshot Demo = DemoCluster.CreateDefault().Snapshot;

    private const string AllowController = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: web-from-ingress-nginx, namespace: bank}
        spec:
          podSelector: {matchLabels: {app: web}}
          policyTypes: [Ingress]
          ingress:
          - from:
            - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: ingress-nginx}}
              podSelector: {matchLabels: {app.kubernetes.io/name: ingress-nginx}}
            ports: [{port: http}]
        """;

    [Fact]
    public void Compute_AllowTheIngressControllerToBankWeb_OpensThatPairAndFixesPM505()
    {
        var result = WhatIf.Compute(Demo, [Yaml(AllowController)]);

        var policy = Assert.IsType<PolicyWhatIf>(result.Policy);
        var opened = Assert.Single(policy.Opened);
        Assert.Equal("ingress-nginx/ingress-nginx-controller", opened.Client);
        Assert.Equal("bank/web:80 → 8080/TCP", opened.Target);
        Assert.Equal(ReachKind.Blocked, opened.Before);
        Assert.Equal(ReachKind.Allowed, opened.After);
        Assert.Equal(new ObjectRef("NetworkPolicy", "bank", "web-from-ingress-nginx"), opened.Policy);
        Assert.Equal("spec.ingress[0]", opened.RulePath);
        Assert.Empty(policy.Closed);
        Assert.Contains(result.Fixed, d => d.Code == Codes.PolicyBlocksIngressController && d.Object == new ObjectRef("Ingress", "bank", "web"));
        Assert.True(result.HasChanges);
    }

    [Fact]
    public void Compute_DefaultDenyInShop_ClosesEveryClientOfShopsServices()
    {
        var deny = Yaml("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: default-deny, namespace: shop}
            spec: {podSelector: {}}
            """);

        var policy = WhatIf.Compute(Demo, [deny]).Policy!;

        Assert.Empty(policy.Opened);
        Assert.NotEmpty(policy.Closed);
        Assert.All(policy.Closed, c => Assert.StartsWith("shop/", c.Target, StringComparison.Ordinal));
        Assert.All(policy.Closed, c => Assert.Equal(ReachKind.Blocked, c.After));
        Assert.All(policy.Closed, c => Assert.Equal(new ObjectRef("NetworkPolicy", "shop", "default-deny"), c.Policy));
        // The controller reaches shop's frontend through the shop Ingress today; the deny closes that too.
        Assert.Contains(policy.Closed, c => c.Client == "ingress-nginx/ingress-nginx-controller" && c.Target.StartsWith("shop/frontend:", StringComparison.Ordinal));
        // An outside client of the NodePort Service payments is closed as well (no ipBlock admits it).
        Assert.Contains(policy.Closed, c => c.Client == PolicyWhatIf.Outside && c.Target.StartsWith("shop/payments:", StringComparison.Ordinal));
    }

    [Fact]
    public void Compute_EgressDenyForShopsFrontend_ClosesOnlyItsOwnConnections()
    {
        var deny = Yaml("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: frontend-no-egress, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: frontend}}
              policyTypes: [Egress]
            """);

        var policy = WhatIf.Compute(Demo, [deny]).Policy!;

        Assert.NotEmpty(policy.Closed);
        Assert.All(policy.Closed, c => Assert.Equal("shop/frontend", c.Client));
        Assert.Contains(policy.Closed, c => c.Target.StartsWith("shop/catalog-db:", StringComparison.Ordinal));
        // bank/web admitted no shop pod before: there is nothing to close there.
        Assert.DoesNotContain(policy.Closed, c => c.Target.StartsWith("bank/web:", StringComparison.Ordinal));
        Assert.Contains(policy.Closed, c => c.Reason.Contains("Egress", StringComparison.Ordinal));
    }

    [Fact]
    public void Compute_PolicyThatChangesNothing_ReportsNoReachChange()
    {
        // bank/web already admits every pod of bank on http: a second policy saying the same changes no verdict.
        var same = Yaml("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: web-from-bank-again, namespace: bank}
            spec:
              podSelector: {matchLabels: {app: web}}
              ingress: [{from: [{podSelector: {}}], ports: [{port: 8080}]}]
            """);

        var policy = WhatIf.Compute(Demo, [same]).Policy!;

        Assert.False(policy.HasChanges);
        Assert.True(policy.TargetsChecked > 0);
        Assert.True(policy.ClientsChecked > 0);
    }

    [Fact]
    public void Compute_DesignWithoutNetworkPolicy_HasNoPolicySection()
    {
        var service = Yaml("""
            apiVersion: v1
            kind: Service
            metadata: {name: extra, namespace: shop}
            spec: {selector: {app: cart}, ports: [{port: 81, targetPort: 8080}]}
            """);

        Assert.Null(WhatIf.Compute(Demo, [service]).Policy);
    }
}
