using System.Collections.Immutable;
using System.Globalization;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;
using PortMapper.Core.Policy;

namespace PortMapper.Core.Design;

/// <summary>How a client fares at a Service port's endpoints: every endpoint allows it, none does, or it differs.</summary>
public enum ReachKind
{
    Allowed,
    Blocked,

    /// <summary>The network plugin decides (hostNetwork, SNAT of outside clients, an unknown client address).</summary>
    Depends,

    /// <summary>Some endpoints admit the client and others do not: some connections fail.</summary>
    Partly,
}

/// <summary>One client and one Service port whose NetworkPolicy verdict the design changes.</summary>
/// <param name="Client">The client group: <c>ns/workload</c>, a pod, or "outside the cluster".</param>
/// <param name="ClientPods">How many pods the group has (0 for outside).</param>
/// <param name="Target">The Service port and the container port the policy sees: <c>bank/api:80 → 8080/TCP</c>.</param>
/// <param name="PathId">The Service path the client uses (the ClusterIP path, or the outside one).</param>
/// <param name="Before">Null when the client or the Service is new.</param>
/// <param name="Reason">Why the verdict after applying is what it is: the deciding policy and rule.</param>
public sealed record ReachChange(string Client, int ClientPods, string Target, string PathId, ReachKind? Before, ReachKind After, string Reason, ObjectRef? Policy, string? RulePath)
{
    public bool Opens => After == ReachKind.Allowed && Before != ReachKind.Allowed;

    public bool Closes => Before == ReachKind.Allowed && After != ReachKind.Allowed;
}

/// <summary>
/// What a designed NetworkPolicy opens and closes: for the pods the policy selects (before or after), every client
/// group of the cluster (one pod per workload) and outside clients against each Service port leading to them; and for
/// an egress policy, its own pods against every Service port. Each pair is evaluated on the packet after DNAT at every
/// ready endpoint, before and after the design, and reported when the verdict changes.
/// </summary>
public sealed record PolicyWhatIf(ImmutableArray<ReachChange> Opened, ImmutableArray<ReachChange> Closed, ImmutableArray<ReachChange> Other, int ClientsChecked, int TargetsChecked, bool Truncated)
{
    /// <summary>Client groups evaluated at most: enough for every workload of a large namespace set, bounded for a huge cluster.</summary>
    public const int MaxClients = 300;

    /// <summary>Service ports evaluated at most.</summary>
    public const int MaxTargets = 300;

    public const string Outside = "outside the cluster";

    public bool HasChanges => !Opened.IsEmpty || !Closed.IsEmpty || !Other.IsEmpty;

    /// <returns>Null when the design holds no NetworkPolicy.</returns>
    public static PolicyWhatIf? Compute(ClusterAnalysis before, ClusterAnalysis after, IEnumerable<ObjectRef> designed)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var policies = designed.Where(r => r.Kind == "NetworkPolicy").Select(r => new ObjectKey(r.Namespace, r.Name)).Distinct().ToList();
        if (policies.Count == 0)
        {
            return null;
        }

        var beforeIndex = new PolicyIndex(before.Snapshot);
        var afterIndex = new PolicyIndex(after.Snapshot);
        var ingressPods = new HashSet<ObjectKey>();
        var egressPods = new HashSet<ObjectKey>();
        foreach (var key in policies)
        {
            Collect(before.Snapshot, beforeIndex, key, ingressPods, egressPods);
            Collect(after.Snapshot, afterIndex, key, ingressPods, egressPods);
        }

        var truncated = false;
        var targets = Targets(after)
            .Where(t => egressPods.Count > 0 || t.Endpoints.Any(e => ingressPods.Contains(e.Key)))
            .ToList();
        if (targets.Count > MaxTargets)
        {
            truncated = true;
            targets = targets.Take(MaxTargets).ToList();
        }

        var clients = ClientGroups(after.Snapshot);
        if (clients.Count > MaxClients)
        {
            truncated = true;
            // Keep the policy's own pods (egress) and the policy's namespace first: they are the likeliest to change.
            var namespaces = policies.Select(p => p.Namespace).ToHashSet(KubeNames.Comparer);
            clients = clients
                .OrderByDescending(c => c.Pods.Any(p => egressPods.Contains(p.Key())))
                .ThenByDescending(c => namespaces.Contains(c.Pods[0].Metadata.Namespace))
                .Take(MaxClients)
                .ToList();
        }

        var beforeEvaluator = new PolicyEvaluator(beforeIndex);
        var afterEvaluator = new PolicyEvaluator(afterIndex);
        var nodeIp = ReachChecks.FirstNodeIp(after.Snapshot.Nodes);
        var changes = new List<ReachChange>();
        foreach (var target in targets)
        {
            var toSelected = target.Endpoints.Any(e => ingressPods.Contains(e.Key));
            foreach (var client in clients)
            {
                var representative = client.Pods[0];
                if (!toSelected && !egressPods.Contains(representative.Key()))
                {
                    continue;
                }

                var beforeSource = before.Snapshot.Pods.TryGetValue(representative.Key(), out var old) ? PolicySource.FromPod(old) : null;
                Compare(client.Name, client.Pods.Count, target, target.Path, beforeSource, PolicySource.FromPod(representative));
            }

            if (toSelected && target.Outside is { } outside && nodeIp is not null && target.ServiceObject is { } svc)
            {
                var source = PolicySource.ExternalThrough(svc, null, nodeIp);
                Compare(Outside, 0, target, outside, source, source);
            }
        }

        return new PolicyWhatIf(
            [.. changes.Where(c => c.Opens)],
            [.. changes.Where(c => c.Closes)],
            [.. changes.Where(c => !c.Opens && !c.Closes)],
            clients.Count,
            targets.Count,
            truncated);

        void Compare(string client, int pods, Target target, TrafficPath path, PolicySource? beforeSource, PolicySource afterSource)
        {
            var was = beforeSource is null ? null : Reach(beforeEvaluator, before.Snapshot, beforeSource, target);
            var now = Reach(afterEvaluator, after.Snapshot, afterSource, target);
            if (now is null || was?.Kind == now.Value.Kind)
            {
                return;
            }

            var deciding = now.Value.Verdict;
            changes.Add(new ReachChange(client, pods, target.Label, path.Id, was?.Kind, now.Value.Kind, deciding.Summary, deciding.Policy, deciding.Deciding?.RulePath));
        }
    }

    private static void Collect(ClusterSnapshot snapshot, PolicyIndex index, ObjectKey key, HashSet<ObjectKey> ingress, HashSet<ObjectKey> egress)
    {
        if (!snapshot.NetworkPolicies.TryGetValue(key, out var policy))
        {
            return;
        }

        foreach (var pod in index.SelectedPods(key))
        {
            if (policy.IsolatesIngress)
            {
                ingress.Add(pod);
            }

            if (policy.IsolatesEgress)
            {
                egress.Add(pod);
            }
        }
    }

    /// <summary>The verdict over every ready endpoint of the target, or null when it has none in this snapshot.</summary>
    private static (ReachKind Kind, PolicyVerdict Verdict)? Reach(PolicyEvaluator evaluator, ClusterSnapshot snapshot, PolicySource source, Target target)
    {
        var verdicts = new List<PolicyVerdict>();
        foreach (var e in target.Endpoints)
        {
            if (snapshot.Pods.TryGetValue(e.Key, out var pod))
            {
                verdicts.Add(evaluator.Evaluate(new PolicyPacket(source, pod, e.Port, target.Path.Protocol)));
            }
        }

        if (verdicts.Count == 0)
        {
            return null;
        }

        var kinds = verdicts.Select(v => v.Verdict).Distinct().ToList();
        var kind = kinds.Count > 1
            ? kinds.Contains(PolicyVerdictKind.Allowed) ? ReachKind.Partly : ReachKind.Depends
            : kinds[0] switch
            {
                PolicyVerdictKind.Allowed => ReachKind.Allowed,
                PolicyVerdictKind.Blocked => ReachKind.Blocked,
                _ => ReachKind.Depends,
            };
        // The reason shown is the one that matters: a blocking verdict when any blocks, else the first.
        var shown = verdicts.FirstOrDefault(v => v.Verdict == PolicyVerdictKind.Blocked && kind != ReachKind.Allowed) ?? verdicts[0];
        return (kind, shown);
    }

    private sealed record TargetEndpoint(ObjectKey Key, int Port);

    private sealed record Target(TrafficPath Path, TrafficPath? Outside, Service? ServiceObject, string Label, ImmutableArray<TargetEndpoint> Endpoints);

    /// <summary>Every Service port with ready pod endpoints: its in-cluster path, and its outside path when it has one.</summary>
    private static IEnumerable<Target> Targets(ClusterAnalysis analysis)
    {
        var byPort = analysis.Paths
            .Where(p => p.Service is not null && p.Exposure is Exposure.ClusterIP or Exposure.Headless or Exposure.NodePort or Exposure.LoadBalancer or Exposure.ExternalIP)
            .GroupBy(ReachChecks.PortOfPath, StringComparer.Ordinal)
            .OrderBy(g => g.Key, StringComparer.Ordinal);
        foreach (var group in byPort)
        {
            var inside = group.FirstOrDefault(p => p.Exposure is Exposure.ClusterIP or Exposure.Headless);
            var outside = group.FirstOrDefault(p => p.Exposure is Exposure.NodePort or Exposure.LoadBalancer or Exposure.ExternalIP);
            var path = inside ?? outside!;
            var hop = path.Hops.FirstOrDefault(h => h.Kind == HopKind.Endpoints);
            var endpoints = hop is null ? [] : hop.Endpoints
                .Where(e => e.Ready && e.Port is not null && e.Pod is not null)
                .Select(e => new TargetEndpoint(new ObjectKey(e.Pod!.Namespace, e.Pod.Name), e.Port!.Value))
                .Distinct()
                .ToImmutableArray();
            if (endpoints.IsEmpty)
            {
                continue;
            }

            var service = analysis.Snapshot.Services.GetValueOrDefault(new ObjectKey(path.Service!.Namespace, path.Service.Name));
            var ports = string.Join(", ", endpoints.Select(e => e.Port).Distinct().Order().Select(p => p.ToString(CultureInfo.InvariantCulture)));
            yield return new Target(inside ?? path, outside, service, $"{group.Key[..group.Key.LastIndexOf('/')]} → {ports}/{path.Protocol}", endpoints);
        }
    }

    private sealed record ClientGroup(string Name, List<Pod> Pods);

    /// <summary>One group per workload (pods of one controller), else per pod; each led by a running pod with an address.</summary>
    private static List<ClientGroup> ClientGroups(ClusterSnapshot snapshot) =>
        [.. snapshot.Pods.Values
            .Where(p => !p.FromTemplate && !p.HostNetwork && p.PodIp is not null && p.Phase is null or "Running" or "Pending")
            .GroupBy(p => (p.Metadata.Namespace, Group: GroupName(p)))
            .Select(g => new ClientGroup($"{g.Key.Namespace}/{g.Key.Group}", [.. g.OrderBy(p => p.Metadata.Name, KubeNames.Comparer)]))
            .OrderBy(g => g.Name, StringComparer.Ordinal)];

    private static string GroupName(Pod pod)
    {
        var owner = pod.Metadata.OwnerReferences.FirstOrDefault(o => o.Controller);
        if (owner is null)
        {
            return pod.Metadata.Name;
        }

        // A Deployment's pods belong to a ReplicaSet named <deployment>-<pod-template-hash>.
        if (owner.Kind == "ReplicaSet" && pod.Metadata.Labels.GetValueOrDefault("pod-template-hash") is { Length: > 0 } hash && owner.Name.EndsWith("-" + hash, StringComparison.Ordinal))
        {
            return owner.Name[..^(hash.Length + 1)];
        }

        return owner.Name;
    }
}
