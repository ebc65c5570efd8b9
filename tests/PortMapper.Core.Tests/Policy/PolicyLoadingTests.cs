using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Core.Tests.Policy;

public class PolicyLoadingTests
{
    private static LoadResult Load(string yaml) => ManifestLoader.LoadText(yaml, "policies.yaml");

    [Fact]
    public void LoadText_NetworkPolicy_ReadsSelectorsPeersAndPorts()
    {
        var result = Load("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress:
              - from:
                - namespaceSelector: {matchLabels: {team: web}}
                  podSelector: {matchLabels: {app: client}}
                - ipBlock: {cidr: 203.0.113.0/24, except: [203.0.113.0/28]}
                ports:
                - {port: http}
                - {port: 8000, endPort: 8100, protocol: UDP}
              egress:
              - to: [{podSelector: {}}]
            """);

        Assert.Empty(result.Issues);
        var policy = Assert.IsType<NetworkPolicy>(Assert.Single(result.Objects));
        Assert.Equal(new ObjectKey("shop", "api"), policy.Key());
        Assert.Equal("api", policy.PodSelector.MatchLabels["app"]);
        var rule = Assert.Single(policy.Ingress);
        Assert.Equal(2, rule.Peers.Length);
        Assert.Equal("web", rule.Peers[0].NamespaceSelector!.MatchLabels["team"]);
        Assert.Equal("client", rule.Peers[0].PodSelector!.MatchLabels["app"]);
        Assert.Equal("203.0.113.0/24", rule.Peers[1].IpBlock!.Cidr);
        Assert.Equal(new[] { "203.0.113.0/28" }, rule.Peers[1].IpBlock!.Except.ToArray());
        Assert.Equal(new NetworkPolicyPort(Protocols.Tcp, IntOrName.FromName("http"), null), rule.Ports[0]);
        Assert.Equal(new NetworkPolicyPort(Protocols.Udp, IntOrName.FromNumber(8000), 8100), rule.Ports[1]);
        // policyTypes unset with egress rules: the API server defaults to both.
        Assert.Empty(policy.PolicyTypes);
        Assert.Equal(new[] { PolicyTypes.Ingress, PolicyTypes.Egress }, policy.EffectivePolicyTypes.ToArray());
    }

    [Fact]
    public void LoadText_PolicyTypesUnsetWithoutEgress_DefaultsToIngressOnly()
    {
        var policy = Assert.IsType<NetworkPolicy>(Assert.Single(Load("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: shop}
            spec: {podSelector: {}}
            """).Objects));

        Assert.Equal(new[] { PolicyTypes.Ingress }, policy.EffectivePolicyTypes.ToArray());
        Assert.True(policy.IsolatesIngress);
        Assert.False(policy.IsolatesEgress);
    }

    [Fact]
    public void LoadText_BadNetworkPolicyValues_IssuesNameObjectAndField()
    {
        var result = Load("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: bad, namespace: shop}
            spec:
              podSelector: {}
              policyTypes: [ingress]
              ingress:
              - from:
                - ipBlock: {cidr: 10.0.0.0/33}
                - {}
                - ipBlock: {cidr: 10.0.0.0/8}
                  podSelector: {}
                ports:
                - {port: 70000}
                - {port: http, endPort: 90}
                - {port: 90, endPort: 80, protocol: ICMP}
              - from: [{ipBlock: {cidr: 10.0.0.0/16, except: [10.1.0.0/24]}}]
            """);

        var issues = result.Issues.Select(i => $"{i.Object}: {i.Field}: {i.Message}").ToList();
        Assert.Equal(
        [
            "NetworkPolicy shop/bad: spec.policyTypes[0]: Unsupported value: \"ingress\": supported values: \"Egress\", \"Ingress\"",
            "NetworkPolicy shop/bad: spec.ingress[0].from[0].ipBlock.cidr: Invalid value: \"10.0.0.0/33\": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)",
            "NetworkPolicy shop/bad: spec.ingress[0].from[1]: Required value: must specify a peer",
            "NetworkPolicy shop/bad: spec.ingress[0].from[2]: Forbidden: may not specify more than 1 peer type",
            "NetworkPolicy shop/bad: spec.ingress[0].ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive",
            "NetworkPolicy shop/bad: spec.ingress[0].ports[1].endPort: Invalid value: 90: may not be specified when `port` is non-numeric",
            "NetworkPolicy shop/bad: spec.ingress[0].ports[2].protocol: Unsupported value: \"ICMP\": supported values: \"SCTP\", \"TCP\", \"UDP\"",
            "NetworkPolicy shop/bad: spec.ingress[0].ports[2].endPort: Invalid value: 80: must be greater than or equal to `port`",
            "NetworkPolicy shop/bad: spec.ingress[1].from[0].ipBlock.except[0]: Invalid value: \"10.1.0.0/24\": must be a strict subset of `cidr`",
        ], issues);
        Assert.All(result.Issues, i => Assert.Equal(new SourceLocation("policies.yaml", 0, 1), i.Source));
    }

    [Fact]
    public void LoadText_BadSelectorOperators_IssuesNameTheExpression()
    {
        var result = Load("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: sel, namespace: shop}
            spec:
              podSelector:
                matchExpressions:
                - {key: app, operator: in, values: [api]}
                - {key: app, operator: In}
                - {key: tier, operator: Exists, values: [x]}
              ingress:
              - from: [{namespaceSelector: {matchExpressions: [{key: team, operator: NotIn, values: [dev]}]}}]
            """);

        Assert.Equal(
        [
            "spec.podSelector.matchExpressions[0].operator: Invalid value: \"in\": not a valid selector operator",
            "spec.podSelector.matchExpressions[1].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
            "spec.podSelector.matchExpressions[2].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
        ], result.Issues.Select(i => $"{i.Field}: {i.Message}"));
    }

    [Fact]
    public void LoadText_ClusterNetworkPolicy_ReadsTierPrioritySubjectAndRules()
    {
        var result = Load("""
            apiVersion: policy.networking.k8s.io/v1beta1
            kind: ClusterNetworkPolicy
            metadata: {name: tenant-pass, namespace: ignored}
            spec:
              tier: Admin
              priority: 10
              subject:
                pods:
                  namespaceSelector: {matchLabels: {team: shop}}
                  podSelector: {matchLabels: {app: api}}
              ingress:
              - name: from-web
                action: Pass
                from: [{namespaces: {matchLabels: {team: web}}}]
                protocols:
                - tcp: {destinationPort: {number: 8080}}
                - udp: {destinationPort: {range: {start: 5000, end: 5010}}}
                - destinationNamedPort: metrics
              egress:
              - action: Deny
                to: [{networks: [10.0.0.0/8]}, {nodes: {matchLabels: {role: edge}}}]
            """);

        Assert.Empty(result.Issues);
        var policy = Assert.IsType<ClusterNetworkPolicy>(Assert.Single(result.Objects));
        Assert.Equal(new ObjectRef("ClusterNetworkPolicy", "", "tenant-pass"), policy.Ref());
        Assert.Equal((PolicyTiers.Admin, 10), (policy.Tier, policy.Priority));
        Assert.Equal("api", policy.Subject!.PodSelector!.MatchLabels["app"]);
        var rule = Assert.Single(policy.Ingress);
        Assert.Equal(("from-web", PolicyActions.Pass), (rule.Name, rule.Action));
        Assert.Equal(
            new[] { new ClusterPolicyPort(Protocols.Tcp, 8080, null, null), new ClusterPolicyPort(Protocols.Udp, 5000, 5010, null), new ClusterPolicyPort(null, null, null, "metrics") },
            rule.Ports.ToArray());
        var egress = Assert.Single(policy.Egress);
        Assert.Equal(new[] { "10.0.0.0/8" }, egress.Peers[0].Networks.ToArray());
        Assert.Equal("edge", egress.Peers[1].Nodes!.MatchLabels["role"]);
    }

    [Fact]
    public void LoadText_BadClusterNetworkPolicyValues_IssuesNameObjectAndField()
    {
        var result = Load("""
            apiVersion: policy.networking.k8s.io/v1beta1
            kind: ClusterNetworkPolicy
            metadata: {name: bad}
            spec:
              tier: Tenant
              priority: 1001
              subject: {}
              ingress:
              - action: Allow
                from: []
            """);

        Assert.Equal(
        [
            "ClusterNetworkPolicy/bad: spec.tier: Unsupported value: \"Tenant\": supported values: \"Admin\", \"Baseline\"",
            "ClusterNetworkPolicy/bad: spec.priority: Invalid value: 1001: should be between 0 and 1000, inclusive",
            "ClusterNetworkPolicy/bad: spec.subject: Required value: exactly one of namespaces or pods must be set; the policy selects no pod",
            "ClusterNetworkPolicy/bad: spec.ingress[0].action: Unsupported value: \"Allow\": supported values: \"Accept\", \"Deny\", \"Pass\"",
            "ClusterNetworkPolicy/bad: spec.ingress[0].from: Required value: must contain at least 1 item",
        ], result.Issues.Select(i => $"{i.Object}: {i.Field}: {i.Message}"));
        Assert.Null(Assert.IsType<ClusterNetworkPolicy>(Assert.Single(result.Objects)).Subject);
    }

    [Fact]
    public void LoadText_ClusterNetworkPolicyOfAnotherGroup_IsSkippedNotModelled()
    {
        var result = Load("""
            apiVersion: crd.antrea.io/v1beta1
            kind: ClusterNetworkPolicy
            metadata: {name: antrea-acnp}
            spec: {priority: 5}
            """);

        Assert.Empty(result.Objects);
        Assert.Empty(result.Issues);
        Assert.Equal("crd.antrea.io/v1beta1", Assert.Single(result.Skipped).ApiVersion);
    }

    [Fact]
    public void IsModelled_ClusterNetworkPolicy_OnlyOfItsGroup()
    {
        Assert.True(ModelReader.IsModelled("NetworkPolicy"));
        Assert.True(ModelReader.IsModelled("ClusterNetworkPolicy", "policy.networking.k8s.io/v1beta1"));
        Assert.False(ModelReader.IsModelled("ClusterNetworkPolicy", "crd.antrea.io/v1beta1"));
        // The kind alone cannot tell the groups apart: callers without the apiVersion do not model it.
        Assert.False(ModelReader.IsModelled("ClusterNetworkPolicy"));
    }

    [Fact]
    public void Snapshot_HoldsPoliciesAndRemovesThem()
    {
        var objects = Load("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny, namespace: shop}
            spec: {podSelector: {}}
            ---
            apiVersion: policy.networking.k8s.io/v1beta1
            kind: ClusterNetworkPolicy
            metadata: {name: admin}
            spec: {tier: Baseline, priority: 1, subject: {namespaces: {}}}
            """).Objects;

        var snapshot = ClusterSnapshot.From(objects);

        Assert.Equal(2, snapshot.ObjectCount);
        Assert.True(snapshot.NetworkPolicies.ContainsKey(new ObjectKey("shop", "deny")));
        Assert.True(snapshot.ClusterNetworkPolicies.ContainsKey("admin"));
        Assert.Equal(2, snapshot.AllObjects().Count());
        var emptied = snapshot.Remove(objects[0]).Remove(objects[1]);
        Assert.Equal(0, emptied.ObjectCount);
    }
}
