using PortMapper.Core.Analysis;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Tests.Fixtures;

namespace PortMapper.Core.Tests.Policy;

/// <summary>PM500–PM503 on the scenario cluster (live-like: pods with IPs) and on manifests with workloads only.</summary>
public class PolicyDiagnosticTests
{
    private const string Dns = """
        apiVersion: networking.k8s.io/v1
        kind: NetworkPolicy
        metadata: {name: dns, namespace: web}
        spec:
          podSelector: {}
          policyTypes: [Egress]
          egress:
          - to: [{namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: kube-system}}, podSelector: {matchLabels: {k8s-app: kube-dns}}}]
            ports: [{port: 53, protocol: UDP}, {port: 53, protocol: TCP}]
        """;

    private static List<Diagnostic> Findings(string policies, string code) =>
        [.. ClusterAnalyzer.Analyze(PolicyCluster.Load(policies)).Diagnostics.Where(d => d.Code == code)];

    [Fact]
    public void Analyze_PolicySelectingNoPod_PM500OnPodSelector()
    {
        var d = Assert.Single(Findings("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: typo, namespace: shop}
            spec: {podSelector: {matchLabels: {app: apii}}}
            """, Codes.PolicySelectsNoPod));

        Assert.Equal(new ObjectRef("NetworkPolicy", "shop", "typo"), d.Object);
        Assert.Equal("spec.podSelector", d.Field);
        Assert.Equal(Severity.Warning, d.Severity);
    }

    [Fact]
    public void Analyze_PolicySelectingPods_NoPM500()
    {
        Assert.Empty(Findings("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: ok, namespace: shop}
            spec: {podSelector: {matchExpressions: [{key: app, operator: In, values: [db]}]}}
            """, Codes.PolicySelectsNoPod));
    }

    [Fact]
    public void Analyze_PolicySelectingOnlyATemplatePod_NoPM500()
    {
        var loaded = ManifestLoader.LoadText("""
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: api, namespace: shop}
            spec:
              selector: {matchLabels: {app: api}}
              template:
                metadata: {labels: {app: api}}
                spec: {containers: [{name: api, ports: [{name: http, containerPort: 8080}]}]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: api, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{ports: [{port: http}]}]
            """, "m.yaml");

        var analysis = ClusterAnalyzer.Analyze(ClusterSnapshot.From(loaded.Objects));

        Assert.DoesNotContain(analysis.Diagnostics, d => d.Code is Codes.PolicySelectsNoPod or Codes.PolicyPortNameUndeclared);
    }

    [Fact]
    public void Analyze_PortNameNoSelectedPodDeclares_PM501OnThatPortEntry()
    {
        var found = Findings("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: names, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{ports: [{port: http}, {port: web}, {port: stats, protocol: UDP}, {port: http, protocol: UDP}]}]
            """, Codes.PolicyPortNameUndeclared);

        Assert.Equal(["spec.ingress[0].ports[1].port", "spec.ingress[0].ports[3].port"], found.Select(d => d.Field));
        Assert.Contains("\"web\" (TCP)", found[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_EgressDefaultDeny_PM502NamesTheDnsPodAndBothProtocols()
    {
        var d = Assert.Single(Findings("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-egress, namespace: web}
            spec: {podSelector: {}, policyTypes: [Egress]}
            """, Codes.EgressBlocksDns));

        Assert.Equal(new ObjectRef("NetworkPolicy", "web", "deny-egress"), d.Object);
        Assert.Contains("kube-system/coredns on port 53 over UDP and TCP", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_EgressDenyWithDnsAllowedByAnotherPolicy_NoPM502()
    {
        Assert.Empty(Findings("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-egress, namespace: web}
            spec: {podSelector: {}, policyTypes: [Egress]}
            ---
            """ + "\n" + Dns, Codes.EgressBlocksDns));
    }

    [Fact]
    public void Analyze_DnsRuleForUdpOnly_PM502ForTcp()
    {
        var d = Assert.Single(Findings(Dns.Replace(", {port: 53, protocol: TCP}", "", StringComparison.Ordinal), Codes.EgressBlocksDns));

        Assert.Contains("over TCP", d.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("UDP", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_IpBlockWithAPodIp_PM503OnTheCidr()
    {
        var d = Assert.Single(Findings("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: cidr, namespace: shop}
            spec:
              podSelector: {}
              ingress: [{from: [{ipBlock: {cidr: 203.0.113.0/24}}, {ipBlock: {cidr: 10.244.1.0/24}}]}]
            """, Codes.IpBlockContainsPods));

        Assert.Equal("spec.ingress[0].from[1].ipBlock.cidr", d.Field);
        Assert.Contains("the IP 10.244.1.10 of pod shop/api", d.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Analyze_IpBlockExceptCuttingThePods_NoPM503()
    {
        Assert.Empty(Findings("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: cidr, namespace: shop}
            spec:
              podSelector: {}
              ingress: [{from: [{ipBlock: {cidr: 10.0.0.0/8, except: [10.244.0.0/16]}}]}]
            """, Codes.IpBlockContainsPods));
    }

    [Fact]
    public void Apply_PolicyAndPodChanges_SameDiagnosticsAsAFreshAnalysis()
    {
        var snapshot = PolicyCluster.Load("");
        var analyzer = new ClusterAnalyzer(snapshot);
        var loaded = ManifestLoader.LoadText("""
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: deny-egress, namespace: web}
            spec: {podSelector: {matchLabels: {app: client}}, policyTypes: [Egress]}
            ---
            apiVersion: networking.k8s.io/v1
            kind: NetworkPolicy
            metadata: {name: names, namespace: shop}
            spec:
              podSelector: {matchLabels: {app: api}}
              ingress: [{ports: [{port: http}]}]
            """, "p.yaml").Objects;
        var api = PolicyCluster.Pod(snapshot, "shop/api");
        var client = PolicyCluster.Pod(snapshot, "web/client");
        var coredns = PolicyCluster.Pod(snapshot, "kube-system/coredns");
        ClusterChange[] changes =
        [
            new(ChangeType.Added, loaded[0]),
            new(ChangeType.Added, loaded[1]),
            new(ChangeType.Modified, client with { Metadata = client.Metadata with { Labels = client.Metadata.Labels.SetItem("app", "gone") } }),
            new(ChangeType.Modified, client),
            new(ChangeType.Modified, api with { Spec = api.Spec with { Containers = [api.Spec.Containers[0] with { Ports = [] }] } }),
            new(ChangeType.Deleted, coredns),
            new(ChangeType.Added, coredns),
            new(ChangeType.Deleted, loaded[0]),
        ];

        foreach (var change in changes)
        {
            var incremental = analyzer.Apply(change);
            var fresh = ClusterAnalyzer.Analyze(incremental.Snapshot);
            Assert.Null(AnalysisComparison.Difference(fresh, incremental));
        }

        Assert.Contains(analyzer.Current.Diagnostics, d => d.Code == Codes.PolicyPortNameUndeclared);
    }
}
