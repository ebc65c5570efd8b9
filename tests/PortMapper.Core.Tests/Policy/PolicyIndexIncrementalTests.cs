using System.Collections.Immutable;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;
using PortMapper.Core.Policy;
using PortMapper.Core.Tests.Fixtures;

namespace PortMapper.Core.Tests.Policy;

/// <summary>
/// The index kept current change by change must answer exactly like one built from scratch: random pods, namespaces,
/// NetworkPolicies and ClusterNetworkPolicies over few names and labels, so that selections keep changing.
/// </summary>
public class PolicyIndexIncrementalTests
{
    private static readonly string[] Namespaces = ["a", "b", "c"];
    private static readonly string[] LabelSets = ["app=x", "app=y", "app=x,tier=fe", "tier=fe", "tier=be", ""];
    private static readonly int[] Ports = [80, 8080, 53];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Apply_RandomChanges_MatchesAFreshIndex(int seed)
    {
        var rng = new Random(seed);
        var index = new PolicyIndex(ClusterSnapshot.Empty);
        for (var step = 0; step < 400; step++)
        {
            index.Apply(Next(rng, index.Snapshot));

            var fresh = new PolicyIndex(index.Snapshot);
            foreach (var pod in index.Snapshot.Pods.Values)
            {
                Assert.Equal(Names(fresh.SelectingPolicies(pod)), Names(index.SelectingPolicies(pod)));
            }

            foreach (var policy in index.Snapshot.NetworkPolicies.Keys)
            {
                Assert.Equal(fresh.SelectedPods(policy), index.SelectedPods(policy));
            }

            var pods = index.Snapshot.Pods.Values.ToList();
            if (pods.Count >= 2)
            {
                for (var i = 0; i < 5; i++)
                {
                    var packet = new PolicyPacket(PolicySource.FromPod(pods[rng.Next(pods.Count)]), pods[rng.Next(pods.Count)], Ports[rng.Next(Ports.Length)]);
                    Assert.Equal(new PolicyEvaluator(fresh).Evaluate(packet).Summary, new PolicyEvaluator(index).Evaluate(packet).Summary);
                }
            }
        }
    }

    [Theory]
    [InlineData(11)]
    [InlineData(12)]
    public void AnalyzerApply_RandomPolicyChanges_SameFindingsAsAFreshAnalysis(int seed)
    {
        var rng = new Random(seed);
        var analyzer = new ClusterAnalyzer(ClusterSnapshot.Empty);
        var reachSeen = new HashSet<string>(StringComparer.Ordinal);
        for (var step = 0; step < 300; step++)
        {
            var incremental = analyzer.Apply(Next(rng, analyzer.Current.Snapshot));

            var difference = AnalysisComparison.Difference(ClusterAnalyzer.Analyze(incremental.Snapshot), incremental);
            Assert.True(difference is null, $"step {step}: {difference}");
            reachSeen.UnionWith(incremental.Diagnostics.Select(d => d.Code).Where(c => c is Codes.PolicyClosesService or Codes.PolicyBlocksIngressController));
        }

        // The walk must come through the path findings, or it says nothing about keeping them current.
        Assert.Equal([Codes.PolicyClosesService, Codes.PolicyBlocksIngressController], reachSeen.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void SelectingPolicies_PodNotInTheSnapshot_IsMatchedOnTheSpot()
    {
        var policy = new NetworkPolicy(new ObjectMeta { Name = "fe", Namespace = "a" }) { PodSelector = Selector("tier=fe") };
        var index = new PolicyIndex(ClusterSnapshot.From([policy]));
        var predicted = new Pod(new ObjectMeta { Name = "w-template", Namespace = "a", Labels = Labels("tier=fe") }) { FromTemplate = true };

        Assert.Equal(["fe"], Names(index.SelectingPolicies(predicted)));
    }

    private static List<string> Names(IEnumerable<NetworkPolicy> policies) => policies.Select(p => p.Metadata.Name).ToList();

    private static ClusterChange Next(Random rng, ClusterSnapshot current)
    {
        var ns = Namespaces[rng.Next(Namespaces.Length)];
        IKubeObject candidate = rng.Next(100) switch
        {
            < 30 => new Pod(new ObjectMeta { Name = $"p{rng.Next(6)}", Namespace = ns, Labels = Labels(LabelSets[rng.Next(LabelSets.Length)]) })
            {
                PodIps = [$"10.0.{rng.Next(3)}.{rng.Next(250)}"],
                Phase = "Running",
                Ready = rng.Next(4) != 0,
                Spec = new PodSpecPorts { Containers = [new Container { Name = "c", Ports = [new ContainerPort { Name = "http", Number = 8080 }] }] },
            },
            // Ingress controller pods (PM505 follows them), a Service and an Ingress in front of the pods.
            < 35 => new Pod(new ObjectMeta { Name = $"ctl{rng.Next(2)}", Namespace = ns, Labels = Labels(rng.Next(3) == 0 ? "app=x" : "app.kubernetes.io/name=ingress-nginx,app.kubernetes.io/component=controller") })
            {
                PodIps = [$"10.0.9.{rng.Next(250)}"],
                Spec = new PodSpecPorts { HostNetwork = rng.Next(5) == 0 },
            },
            < 45 => new Service(new ObjectMeta { Name = $"s{rng.Next(2)}", Namespace = ns })
            {
                Type = rng.Next(2) == 0 ? "ClusterIP" : "NodePort",
                Selector = Labels(LabelSets[rng.Next(LabelSets.Length - 1)]),
                ClusterIps = ["10.96.0.10"],
                Ports = [new ServicePort { Name = "web", Port = 80, TargetPort = rng.Next(2) == 0 ? IntOrName.FromName("http") : IntOrName.FromNumber(8080), NodePort = 30080 }],
            },
            < 50 => new Ingress(new ObjectMeta { Name = "i", Namespace = ns })
            {
                IngressClassName = "nginx",
                Rules = [new IngressRule("a.example.com", [new IngressPath("/", "Prefix", new IngressBackend(new IngressServiceBackend($"s{rng.Next(2)}", IntOrName.FromNumber(80)), null))])],
            },
            < 52 => new IngressClass(new ObjectMeta { Name = "nginx" }) { Controller = rng.Next(3) == 0 ? "example.com/other" : "k8s.io/ingress-nginx" },
            < 75 => RandomPolicy(rng, ns),
            < 85 => RandomClusterPolicy(rng),
            _ => new Namespace(new ObjectMeta { Name = ns, Labels = Labels(rng.Next(2) == 0 ? "team=t" : "") }),
        };

        var exists = current.AllObjects().Any(o => o.Ref() == candidate.Ref());
        return exists && rng.Next(4) == 0
            ? new ClusterChange(ChangeType.Deleted, candidate)
            : new ClusterChange(exists ? ChangeType.Modified : ChangeType.Added, candidate);
    }

    private static NetworkPolicy RandomPolicy(Random rng, string ns)
    {
        NetworkPolicyRule Rule() => new(
            rng.Next(3) switch
            {
                0 => [],
                1 => [new NetworkPolicyPeer(Selector(LabelSets[rng.Next(LabelSets.Length)]), rng.Next(2) == 0 ? null : Selector(rng.Next(2) == 0 ? "team=t" : ""), null)],
                _ => [new NetworkPolicyPeer(null, null, new IpBlock("10.0.0.0/16", ["10.0.1.0/24"]))],
            },
            rng.Next(2) == 0 ? [] : [new NetworkPolicyPort(Protocols.Tcp, rng.Next(2) == 0 ? IntOrName.FromName("http") : IntOrName.FromNumber(Ports[rng.Next(Ports.Length)]), null)]);

        return new NetworkPolicy(new ObjectMeta { Name = $"np{rng.Next(5)}", Namespace = ns })
        {
            PodSelector = Selector(LabelSets[rng.Next(LabelSets.Length)]),
            PolicyTypes = rng.Next(3) switch { 0 => [], 1 => [PolicyTypes.Ingress], _ => [PolicyTypes.Ingress, PolicyTypes.Egress] },
            Ingress = [.. Enumerable.Range(0, rng.Next(3)).Select(_ => Rule())],
            Egress = [.. Enumerable.Range(0, rng.Next(2)).Select(_ => Rule())],
        };
    }

    private static ClusterNetworkPolicy RandomClusterPolicy(Random rng)
    {
        ClusterNetworkPolicyRule Rule() => new(
            null,
            PolicyActions.Supported[rng.Next(3)],
            [new ClusterPolicyPeer(new ClusterPodSelector(Selector(rng.Next(2) == 0 ? "team=t" : ""), rng.Next(2) == 0 ? null : Selector(LabelSets[rng.Next(LabelSets.Length)])), [], null)],
            rng.Next(2) == 0 ? [] : [new ClusterPolicyPort(Protocols.Tcp, Ports[rng.Next(Ports.Length)], null, null)]);

        return new ClusterNetworkPolicy(new ObjectMeta { Name = $"cnp{rng.Next(3)}" })
        {
            Tier = rng.Next(2) == 0 ? PolicyTiers.Admin : PolicyTiers.Baseline,
            Priority = rng.Next(3),
            Subject = new ClusterPodSelector(LabelSelector.Empty, Selector(LabelSets[rng.Next(LabelSets.Length)])),
            Ingress = [Rule()],
            Egress = rng.Next(2) == 0 ? [] : [Rule()],
        };
    }

    private static ImmutableDictionary<string, string> Labels(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(kv => kv.Split('='))
            .ToImmutableDictionary(kv => kv[0], kv => kv[1], KubeNames.Comparer);

    private static LabelSelector Selector(string text) => new(Labels(text), []);
}
