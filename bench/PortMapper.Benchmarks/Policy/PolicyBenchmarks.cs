using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using PortMapper.Benchmarks.Analysis;
using PortMapper.Core.Analysis;
using PortMapper.Core.Design;
using PortMapper.Core.Model;
using PortMapper.Core.Policy;

namespace PortMapper.Benchmarks.Policy;

/// <summary>
/// NetworkPolicy evaluation on the synthetic 50k-pod cluster with 5,000+ policies (docs/benchmarks.md, issue 12).
/// Full: build the index and evaluate, for every pod, a packet from a client pod in another namespace to the pod's
/// first container port. One policy change: apply it to the index and re-evaluate the packets to the pods it selected
/// before or selects after (only those decisions can change).
/// </summary>
[MemoryDiagnoser]
public class PolicyBenchmarks
{
    private ClusterSnapshot _snapshot = ClusterSnapshot.Empty;
    private PolicyIndex _index = null!;
    private Pod _client = null!;
    private NetworkPolicy _http = null!;
    private NetworkPolicy _metrics = null!;
    private bool _flip;
    private ClusterAnalyzer _analyzer = null!;
    private Pod _ready = null!;
    private Pod _unready = null!;
    private bool _podFlip;
    private bool _analyzerPolicyFlip;
    private ClusterAnalysis _whatIfBefore = null!;
    private ClusterAnalysis _whatIfAfter = null!;

    [Params("50k")]
    public string Scale { get; set; } = "50k";

    [GlobalSetup]
    public void Setup()
    {
        var cluster = Scales.Snapshot(Scale);
        _snapshot = ClusterSnapshot.From(cluster.AllObjects().Concat(Policies(cluster)), cluster.EndpointSlicesAuthoritative);
        _index = new PolicyIndex(_snapshot);
        _client = _snapshot.Pods.Values.OrderBy(p => p.Key()).First();
        _http = (NetworkPolicy)Policies(cluster).First(p => p.Metadata.Name.StartsWith("allow-", StringComparison.Ordinal));
        _analyzer = new ClusterAnalyzer(_snapshot);
        _ready = _snapshot.Pods.Values.OrderBy(p => p.Key()).Skip(1).First();
        _unready = _ready with { Ready = false };
        _metrics = _http with { Ingress = [_http.Ingress[0] with { Ports = [new NetworkPolicyPort(Protocols.Tcp, IntOrName.FromName("metrics"), null)] }] };
        _whatIfBefore = ClusterAnalyzer.Analyze(_snapshot);
        _whatIfAfter = ClusterAnalyzer.Analyze(_snapshot.Upsert(_metrics));
    }

    /// <summary>The number of NetworkPolicies and ClusterNetworkPolicies in the benchmark cluster.</summary>
    public int PolicyCount => _snapshot.NetworkPolicies.Count + _snapshot.ClusterNetworkPolicies.Count;

    [Benchmark]
    public int FullAnalysis()
    {
        var index = new PolicyIndex(_snapshot);
        var evaluator = new PolicyEvaluator(index);
        var blocked = 0;
        foreach (var pod in _snapshot.Pods.Values)
        {
            if (Evaluate(evaluator, pod) == PolicyVerdictKind.Blocked)
            {
                blocked++;
            }
        }

        return blocked;
    }

    [Benchmark]
    public int OnePolicyChange()
    {
        _flip = !_flip;
        var policy = _flip ? _metrics : _http;
        var before = _index.SelectedPods(policy.Key());
        _index.Apply(new ClusterChange(ChangeType.Modified, policy));
        var evaluator = new PolicyEvaluator(_index);
        var blocked = 0;
        foreach (var key in before.Concat(_index.SelectedPods(policy.Key())).Distinct())
        {
            if (Evaluate(evaluator, _index.Snapshot.Pods[key]) == PolicyVerdictKind.Blocked)
            {
                blocked++;
            }
        }

        return blocked;
    }

    /// <summary>
    /// The path analyzer with the policies: one pod flips readiness, so its Services and the PM5xx units of the ~100
    /// NetworkPolicies of its namespace are recomputed.
    /// </summary>
    [Benchmark]
    public int AnalyzerOnePodChange()
    {
        _podFlip = !_podFlip;
        return _analyzer.Apply(new ClusterChange(ChangeType.Modified, _podFlip ? _unready : _ready)).Diagnostics.Length;
    }

    /// <summary>
    /// The path analyzer with the policies: one allow policy changes its port, so the PM5xx units of its namespace and
    /// the reach units (PM504, PM505) of the namespace's Services and of the Ingresses are recomputed.
    /// </summary>
    [Benchmark]
    public int AnalyzerOnePolicyChange()
    {
        _analyzerPolicyFlip = !_analyzerPolicyFlip;
        return _analyzer.Apply(new ClusterChange(ChangeType.Modified, _analyzerPolicyFlip ? _metrics : _http)).Diagnostics.Length;
    }

    /// <summary>
    /// The designer's NetworkPolicy what-if (<see cref="PolicyWhatIf"/>) for that same change, given both analyses:
    /// every client group (capped) against each Service port into the pods the policy selects, before and after.
    /// </summary>
    [Benchmark]
    public int DesignerPolicyWhatIf() =>
        PolicyWhatIf.Compute(_whatIfBefore, _whatIfAfter, [_http.Ref()])!.Closed.Length;

    private PolicyVerdictKind Evaluate(PolicyEvaluator evaluator, Pod pod)
    {
        var port = pod.Spec.AllPorts.Select(p => p.Port.Number).DefaultIfEmpty(80).First();
        return evaluator.Evaluate(new PolicyPacket(PolicySource.FromPod(_client), pod, port)).Verdict;
    }

    /// <summary>Per namespace a default-deny and one allow policy per app (tier=web pods and the own namespace on "http"), plus Admin and Baseline tiers.</summary>
    private static IEnumerable<IKubeObject> Policies(ClusterSnapshot cluster)
    {
        foreach (var ns in cluster.Namespaces.Keys.Order(StringComparer.Ordinal))
        {
            yield return new NetworkPolicy(new ObjectMeta { Name = "default-deny", Namespace = ns }) { PolicyTypes = [PolicyTypes.Ingress] };
        }

        foreach (var workload in cluster.Workloads.Values.OrderBy(w => w.Metadata.Name, StringComparer.Ordinal))
        {
            var app = workload.Metadata.Name;
            yield return new NetworkPolicy(new ObjectMeta { Name = $"allow-{app}", Namespace = workload.Metadata.Namespace })
            {
                PodSelector = new LabelSelector(ImmutableDictionary<string, string>.Empty.Add("app", app), []),
                Ingress =
                [
                    new NetworkPolicyRule(
                        [
                            new NetworkPolicyPeer(new LabelSelector(ImmutableDictionary<string, string>.Empty.Add("tier", "web"), []), LabelSelector.Empty, null),
                            new NetworkPolicyPeer(null, new LabelSelector(ImmutableDictionary<string, string>.Empty.Add(PolicyIndex.NamespaceNameLabel, workload.Metadata.Namespace), []), null),
                        ],
                        [new NetworkPolicyPort(Protocols.Tcp, IntOrName.FromName("http"), null)]),
                ],
            };
        }

        yield return new ClusterNetworkPolicy(new ObjectMeta { Name = "pass-all" })
        {
            Tier = PolicyTiers.Admin,
            Priority = 10,
            Subject = new ClusterPodSelector(LabelSelector.Empty, null),
            Ingress = [new ClusterNetworkPolicyRule("pass", PolicyActions.Pass, [new ClusterPolicyPeer(new ClusterPodSelector(LabelSelector.Empty, null), [], null)], [])],
        };
        yield return new ClusterNetworkPolicy(new ObjectMeta { Name = "baseline-deny" })
        {
            Tier = PolicyTiers.Baseline,
            Priority = 10,
            Subject = new ClusterPodSelector(LabelSelector.Empty, null),
            Ingress = [new ClusterNetworkPolicyRule("deny", PolicyActions.Deny, [new ClusterPolicyPeer(new ClusterPodSelector(LabelSelector.Empty, null), [], null)], [])],
        };
    }
}
