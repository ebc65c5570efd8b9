using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.Policy;

/// <summary>
/// Which NetworkPolicies select which pods, kept current change by change: a policy change re-selects among the pods
/// of its namespace (candidates from a label index), a pod change re-checks the policies of its namespace. Peers are
/// matched when a packet is evaluated: that needs only the two pods and their namespaces' labels. Mutable on purpose,
/// like the analyzer's index: <see cref="Apply(ClusterChange)"/> updates it in place.
/// </summary>
public sealed class PolicyIndex
{
    /// <summary>Set on every namespace by the API server (NamespaceDefaultLabelName), so selectors can name a namespace.</summary>
    public const string NamespaceNameLabel = "kubernetes.io/metadata.name";

    private readonly Dictionary<(string Ns, string Key, string Value), HashSet<ObjectKey>> _podsByLabel = [];
    private readonly Dictionary<string, HashSet<ObjectKey>> _podsByNamespace = new(KubeNames.Comparer);
    private readonly Dictionary<string, SortedDictionary<string, NetworkPolicy>> _policiesByNamespace = new(KubeNames.Comparer);
    private readonly Dictionary<ObjectKey, HashSet<ObjectKey>> _podsByPolicy = [];
    private readonly Dictionary<ObjectKey, SortedSet<ObjectKey>> _policiesByPod = [];
    private readonly Dictionary<string, IReadOnlyDictionary<string, string>> _namespaceLabels = new(KubeNames.Comparer);
    private ImmutableArray<ClusterNetworkPolicy> _admin = [];
    private ImmutableArray<ClusterNetworkPolicy> _baseline = [];

    public PolicyIndex(ClusterSnapshot snapshot)
    {
        Snapshot = snapshot;
        foreach (var pod in snapshot.Pods.Values)
        {
            IndexPodLabels(pod);
        }

        foreach (var policy in snapshot.NetworkPolicies.Values)
        {
            AddPolicy(policy);
        }

        SortClusterPolicies();
    }

    public ClusterSnapshot Snapshot { get; private set; }

    /// <summary>Admin-tier ClusterNetworkPolicies, by priority (lower first), then name.</summary>
    public ImmutableArray<ClusterNetworkPolicy> AdminPolicies => _admin;

    /// <summary>Baseline-tier ClusterNetworkPolicies, by priority (lower first), then name.</summary>
    public ImmutableArray<ClusterNetworkPolicy> BaselinePolicies => _baseline;

    public void Apply(IEnumerable<ClusterChange> changes)
    {
        foreach (var change in changes)
        {
            Apply(change);
        }
    }

    public void Apply(ClusterChange change)
    {
        var before = Snapshot;
        Snapshot = before.Apply(change);
        switch (change.Object)
        {
            case Pod pod:
                if (before.Pods.TryGetValue(pod.Key(), out var oldPod))
                {
                    RemovePod(oldPod);
                }

                if (Snapshot.Pods.TryGetValue(pod.Key(), out var newPod))
                {
                    AddPod(newPod);
                }

                break;
            case NetworkPolicy policy:
                if (before.NetworkPolicies.TryGetValue(policy.Key(), out var oldPolicy))
                {
                    RemovePolicy(oldPolicy);
                }

                if (Snapshot.NetworkPolicies.TryGetValue(policy.Key(), out var newPolicy))
                {
                    AddPolicy(newPolicy);
                }

                break;
            case Namespace ns:
                _namespaceLabels.Remove(ns.Metadata.Name);
                break;
            case ClusterNetworkPolicy:
                SortClusterPolicies();
                break;
        }
    }

    /// <summary>
    /// The namespace's labels as the API server keeps them: with <c>kubernetes.io/metadata.name</c> set to its name,
    /// also for a namespace the manifests use without declaring it.
    /// </summary>
    public IReadOnlyDictionary<string, string> NamespaceLabels(string ns)
    {
        if (!_namespaceLabels.TryGetValue(ns, out var labels))
        {
            var declared = Snapshot.Namespaces.TryGetValue(ns, out var n) ? n.Metadata.Labels : ImmutableDictionary<string, string>.Empty.WithComparers(KubeNames.Comparer);
            labels = declared.SetItem(NamespaceNameLabel, ns);
            _namespaceLabels[ns] = labels;
        }

        return labels;
    }

    /// <summary>The NetworkPolicies of the pod's namespace whose podSelector selects the pod, by name.</summary>
    public IReadOnlyList<NetworkPolicy> SelectingPolicies(Pod pod)
    {
        var ns = pod.Metadata.Namespace;
        if (!_policiesByNamespace.TryGetValue(ns, out var policies))
        {
            return [];
        }

        // An indexed pod answers from the index; any other pod (predicted from a template, designed) is matched now.
        if (Snapshot.Pods.TryGetValue(pod.Key(), out var indexed) && ReferenceEquals(indexed, pod))
        {
            return _policiesByPod.TryGetValue(pod.Key(), out var keys)
                ? keys.Select(k => policies[k.Name]).ToList()
                : [];
        }

        return policies.Values.Where(p => p.PodSelector.Matches(pod.Metadata.Labels)).ToList();
    }

    /// <summary>The policies that isolate the pod for <paramref name="direction"/> (<see cref="PolicyTypes"/>).</summary>
    public IReadOnlyList<NetworkPolicy> IsolatingPolicies(Pod pod, string direction) =>
        SelectingPolicies(pod).Where(p => direction == PolicyTypes.Ingress ? p.IsolatesIngress : p.IsolatesEgress).ToList();

    /// <summary>The pods (of the snapshot) the NetworkPolicy selects, sorted.</summary>
    public IReadOnlyList<ObjectKey> SelectedPods(ObjectKey policy) =>
        _podsByPolicy.TryGetValue(policy, out var pods) ? pods.Order().ToList() : [];

    /// <summary>The pods of the snapshot, in any namespace, that carry the label <paramref name="key"/>=<paramref name="value"/>, sorted.</summary>
    public IReadOnlyList<Pod> PodsLabelled(string key, string value) =>
        _podsByNamespace.Keys
            .SelectMany(ns => _podsByLabel.TryGetValue((ns, key, value), out var set) ? set : [])
            .Order()
            .Select(k => Snapshot.Pods[k])
            .ToList();

    /// <summary>True when the ClusterNetworkPolicy's subject selects the pod. hostNetwork pods are never subjects.</summary>
    public bool Selects(ClusterNetworkPolicy policy, Pod pod) =>
        policy.Subject is { } subject && !pod.HostNetwork && Selects(subject, pod);

    /// <summary>Namespace selector on the pod's namespace labels and pod selector (when set) on its labels.</summary>
    public bool Selects(ClusterPodSelector selector, Pod pod) =>
        selector.NamespaceSelector.Matches(NamespaceLabels(pod.Metadata.Namespace))
        && (selector.PodSelector is null || selector.PodSelector.Matches(pod.Metadata.Labels));

    private void SortClusterPolicies()
    {
        var all = Snapshot.ClusterNetworkPolicies.Values
            .OrderBy(p => p.Priority)
            .ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)
            .ToList();
        _admin = [.. all.Where(p => p.Tier == PolicyTiers.Admin)];
        _baseline = [.. all.Where(p => p.Tier == PolicyTiers.Baseline)];
    }

    private void AddPolicy(NetworkPolicy policy)
    {
        var ns = policy.Metadata.Namespace;
        if (!_policiesByNamespace.TryGetValue(ns, out var policies))
        {
            policies = new SortedDictionary<string, NetworkPolicy>(StringComparer.Ordinal);
            _policiesByNamespace[ns] = policies;
        }

        policies[policy.Metadata.Name] = policy;
        var selected = new HashSet<ObjectKey>();
        foreach (var podKey in Candidates(ns, policy.PodSelector))
        {
            if (Snapshot.Pods.TryGetValue(podKey, out var pod) && policy.PodSelector.Matches(pod.Metadata.Labels))
            {
                selected.Add(podKey);
                Link(podKey, policy.Key());
            }
        }

        _podsByPolicy[policy.Key()] = selected;
    }

    private void RemovePolicy(NetworkPolicy policy)
    {
        if (_policiesByNamespace.TryGetValue(policy.Metadata.Namespace, out var policies))
        {
            policies.Remove(policy.Metadata.Name);
            if (policies.Count == 0)
            {
                _policiesByNamespace.Remove(policy.Metadata.Namespace);
            }
        }

        if (_podsByPolicy.Remove(policy.Key(), out var pods))
        {
            foreach (var pod in pods)
            {
                if (_policiesByPod.TryGetValue(pod, out var set) && set.Remove(policy.Key()) && set.Count == 0)
                {
                    _policiesByPod.Remove(pod);
                }
            }
        }
    }

    private void AddPod(Pod pod)
    {
        IndexPodLabels(pod);
        if (!_policiesByNamespace.TryGetValue(pod.Metadata.Namespace, out var policies))
        {
            return;
        }

        foreach (var policy in policies.Values)
        {
            if (policy.PodSelector.Matches(pod.Metadata.Labels))
            {
                _podsByPolicy[policy.Key()].Add(pod.Key());
                Link(pod.Key(), policy.Key());
            }
        }
    }

    private void RemovePod(Pod pod)
    {
        var key = pod.Key();
        var ns = pod.Metadata.Namespace;
        foreach (var (k, v) in pod.Metadata.Labels)
        {
            if (_podsByLabel.TryGetValue((ns, k, v), out var set) && set.Remove(key) && set.Count == 0)
            {
                _podsByLabel.Remove((ns, k, v));
            }
        }

        if (_podsByNamespace.TryGetValue(ns, out var inNs))
        {
            inNs.Remove(key);
        }

        if (_policiesByPod.Remove(key, out var policies))
        {
            foreach (var policy in policies)
            {
                _podsByPolicy[policy].Remove(key);
            }
        }
    }

    private void IndexPodLabels(Pod pod)
    {
        var key = pod.Key();
        var ns = pod.Metadata.Namespace;
        if (!_podsByNamespace.TryGetValue(ns, out var inNs))
        {
            inNs = [];
            _podsByNamespace[ns] = inNs;
        }

        inNs.Add(key);
        foreach (var (k, v) in pod.Metadata.Labels)
        {
            if (!_podsByLabel.TryGetValue((ns, k, v), out var set))
            {
                set = [];
                _podsByLabel[(ns, k, v)] = set;
            }

            set.Add(key);
        }
    }

    private void Link(ObjectKey pod, ObjectKey policy)
    {
        if (!_policiesByPod.TryGetValue(pod, out var set))
        {
            set = [];
            _policiesByPod[pod] = set;
        }

        set.Add(policy);
    }

    /// <summary>The pods that can match: those carrying the rarest of the selector's matchLabels, else the whole namespace.</summary>
    private IEnumerable<ObjectKey> Candidates(string ns, LabelSelector selector)
    {
        HashSet<ObjectKey>? best = null;
        foreach (var (k, v) in selector.MatchLabels)
        {
            if (!_podsByLabel.TryGetValue((ns, k, v), out var set))
            {
                return [];
            }

            if (best is null || set.Count < best.Count)
            {
                best = set;
            }
        }

        return best ?? (IEnumerable<ObjectKey>?)_podsByNamespace.GetValueOrDefault(ns) ?? [];
    }
}
