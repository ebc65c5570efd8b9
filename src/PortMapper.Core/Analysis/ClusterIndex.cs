using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.Analysis;

/// <summary>
/// Look-up tables over a snapshot that make selector matching and reverse references cheap. Mutable on purpose:
/// the incremental analyzer updates it in place for each change instead of rebuilding it.
/// </summary>
internal sealed class ClusterIndex
{
    private readonly Dictionary<(string Ns, string Key, string Value), HashSet<ObjectKey>> _podsByLabel = [];
    private readonly Dictionary<string, HashSet<ObjectKey>> _podsByNamespace = new(KubeNames.Comparer);
    private readonly Dictionary<string, HashSet<ObjectKey>> _podsByNode = new(KubeNames.Comparer);
    private readonly Dictionary<ObjectKey, HashSet<ObjectKey>> _slicesByService = [];
    private readonly Dictionary<string, HashSet<ObjectKey>> _servicesByNamespace = new(KubeNames.Comparer);
    private readonly Dictionary<ObjectKey, HashSet<ObjectKey>> _ingressesByService = [];
    private readonly Dictionary<ObjectKey, Pod> _templatePods = [];
    private readonly Dictionary<ObjectKey, HashSet<ObjectRef>> _routesByService = [];

    public ClusterIndex(ClusterSnapshot snapshot)
    {
        Snapshot = snapshot;
        foreach (var pod in snapshot.Pods.Values)
        {
            AddPod(pod);
        }

        foreach (var slice in snapshot.EndpointSlices.Values)
        {
            AddSlice(slice);
        }

        foreach (var service in snapshot.Services.Values)
        {
            Add(_servicesByNamespace, service.Metadata.Namespace, service.Key());
        }

        foreach (var ingress in snapshot.Ingresses.Values)
        {
            AddIngress(ingress);
        }

        foreach (var route in snapshot.Routes.Values)
        {
            AddRoute(route);
        }

        RebuildNodes();
        RebuildTemplatePods();
    }

    private ClusterIndex(ClusterSnapshot snapshot, IEnumerable<Pod> pods)
    {
        Snapshot = snapshot;
        foreach (var pod in pods)
        {
            AddPod(pod);
        }
    }

    /// <summary>
    /// An index of <paramref name="pods"/> alone, for <see cref="SelectPods"/> among them: the demo's EndpointSlice
    /// controller revisits only the namespaces that changed. No slices, Services, Ingresses or predicted pods.
    /// </summary>
    public static ClusterIndex OfPods(ClusterSnapshot snapshot, IEnumerable<Pod> pods) => new(snapshot, pods);

    public ClusterSnapshot Snapshot { get; private set; }

    /// <summary>Every node name, sorted; shared by every NodePort hop.</summary>
    public ImmutableArray<string> NodeNames { get; private set; } = [];

    /// <summary>Every node's primary address, in <see cref="NodeNames"/> order.</summary>
    public ImmutableArray<string> NodeAddresses { get; private set; } = [];

    public IEnumerable<ObjectKey> ServicesIn(string ns) => _servicesByNamespace.TryGetValue(ns, out var s) ? s : [];

    public IEnumerable<ObjectKey> IngressesFor(ObjectKey service) => _ingressesByService.TryGetValue(service, out var s) ? s : [];

    /// <summary>The HTTPRoutes and GRPCRoutes with a backendRef to the Service.</summary>
    public IEnumerable<ObjectRef> RoutesFor(ObjectKey service) => _routesByService.TryGetValue(service, out var s) ? s : [];

    public IEnumerable<ObjectKey> PodsOnNode(string node) => _podsByNode.TryGetValue(node, out var s) ? s : [];

    public IEnumerable<EndpointSlice> SlicesFor(ObjectKey service) =>
        _slicesByService.TryGetValue(service, out var s) ? s.Select(k => Snapshot.EndpointSlices[k]) : [];

    public Pod? Pod(ObjectKey key) => Snapshot.Pods.GetValueOrDefault(key) ?? _templatePods.GetValueOrDefault(key);

    /// <summary>The pods of every namespace the selector picks, real and predicted, ordered by namespace and name.</summary>
    public List<Pod> SelectPodsAnywhere(LabelSelector selector) =>
        [.. _podsByNamespace.Keys.Order(StringComparer.Ordinal)
            .SelectMany(ns => SelectPods(ns, selector.MatchLabels))
            .Where(p => selector.Matches(p.Metadata.Labels))
            .OrderBy(p => p.Metadata.Namespace, StringComparer.Ordinal).ThenBy(p => p.Metadata.Name, StringComparer.Ordinal)];

    /// <summary>The pods a selector picks in a namespace, real ones and (for manifests) ones predicted from workload templates.</summary>
    public List<Pod> SelectPods(string ns, IReadOnlyDictionary<string, string> selector)
    {
        HashSet<ObjectKey>? smallest = null;
        foreach (var (k, v) in selector)
        {
            if (!_podsByLabel.TryGetValue((ns, k, v), out var set))
            {
                return [];
            }

            if (smallest is null || set.Count < smallest.Count)
            {
                smallest = set;
            }
        }

        var result = new List<Pod>();
        foreach (var key in smallest ?? (IEnumerable<ObjectKey>)(_podsByNamespace.TryGetValue(ns, out var all) ? all : []))
        {
            var pod = Pod(key)!;
            if (Matches(selector, pod.Metadata.Labels))
            {
                result.Add(pod);
            }
        }

        result.Sort((a, b) => string.CompareOrdinal(a.Metadata.Name, b.Metadata.Name));
        return result;
    }

    public static bool Matches(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels)
    {
        foreach (var (k, v) in selector)
        {
            if (!labels.TryGetValue(k, out var actual) || !string.Equals(actual, v, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public void Update(ClusterSnapshot next, ClusterChange change)
    {
        var previous = Snapshot;
        Snapshot = next;
        switch (change.Object)
        {
            case Pod pod:
                if (previous.Pods.TryGetValue(pod.Key(), out var old))
                {
                    RemovePod(old);
                }

                if (change.Type != ChangeType.Deleted)
                {
                    AddPod(pod);
                }

                RebuildTemplatePods();
                break;
            case EndpointSlice slice:
                if (previous.EndpointSlices.TryGetValue(slice.Key(), out var oldSlice))
                {
                    RemoveSlice(oldSlice);
                }

                if (change.Type != ChangeType.Deleted)
                {
                    AddSlice(slice);
                }

                break;
            case Service service:
                if (change.Type == ChangeType.Deleted)
                {
                    Remove(_servicesByNamespace, service.Metadata.Namespace, service.Key());
                }
                else
                {
                    Add(_servicesByNamespace, service.Metadata.Namespace, service.Key());
                }

                break;
            case Ingress ingress:
                if (previous.Ingresses.TryGetValue(ingress.Key(), out var oldIngress))
                {
                    RemoveIngress(oldIngress);
                }

                if (change.Type != ChangeType.Deleted)
                {
                    AddIngress(ingress);
                }

                break;
            case HttpRoute route:
                if (previous.Routes.TryGetValue(route.Ref(), out var oldRoute))
                {
                    RemoveRoute(oldRoute);
                }

                if (change.Type != ChangeType.Deleted)
                {
                    AddRoute(route);
                }

                break;
            case Node:
                RebuildNodes();
                break;
            case Workload:
                RebuildTemplatePods();
                break;
        }
    }

    private void AddPod(Pod pod)
    {
        var key = pod.Key();
        Add(_podsByNamespace, pod.Metadata.Namespace, key);
        foreach (var (k, v) in pod.Metadata.Labels)
        {
            Add(_podsByLabel, (pod.Metadata.Namespace, k, v), key);
        }

        if (pod.NodeName is { } node)
        {
            Add(_podsByNode, node, key);
        }
    }

    private void RemovePod(Pod pod)
    {
        var key = pod.Key();
        Remove(_podsByNamespace, pod.Metadata.Namespace, key);
        foreach (var (k, v) in pod.Metadata.Labels)
        {
            Remove(_podsByLabel, (pod.Metadata.Namespace, k, v), key);
        }

        if (pod.NodeName is { } node)
        {
            Remove(_podsByNode, node, key);
        }
    }

    private void AddSlice(EndpointSlice slice)
    {
        if (slice.ServiceName is { } svc)
        {
            Add(_slicesByService, new ObjectKey(slice.Metadata.Namespace, svc), slice.Key());
        }
    }

    private void RemoveSlice(EndpointSlice slice)
    {
        if (slice.ServiceName is { } svc)
        {
            Remove(_slicesByService, new ObjectKey(slice.Metadata.Namespace, svc), slice.Key());
        }
    }

    private void AddIngress(Ingress ingress)
    {
        foreach (var svc in BackendServices(ingress))
        {
            Add(_ingressesByService, new ObjectKey(ingress.Metadata.Namespace, svc), ingress.Key());
        }
    }

    private void RemoveIngress(Ingress ingress)
    {
        foreach (var svc in BackendServices(ingress))
        {
            Remove(_ingressesByService, new ObjectKey(ingress.Metadata.Namespace, svc), ingress.Key());
        }
    }

    private void AddRoute(HttpRoute route)
    {
        foreach (var svc in BackendServices(route))
        {
            Add(_routesByService, svc, route.Ref());
        }
    }

    private void RemoveRoute(HttpRoute route)
    {
        foreach (var svc in BackendServices(route))
        {
            Remove(_routesByService, svc, route.Ref());
        }
    }

    private static IEnumerable<ObjectKey> BackendServices(HttpRoute route) =>
        route.Rules.SelectMany(r => r.BackendRefs.IsDefaultOrEmpty ? [] : r.BackendRefs)
            .Where(b => b.Group.Length == 0 && b.Kind == "Service")
            .Select(b => new ObjectKey(b.Namespace ?? route.Metadata.Namespace, b.Name))
            .Distinct();

    private static IEnumerable<string> BackendServices(Ingress ingress) =>
        ingress.Rules.SelectMany(r => r.Paths).Select(p => p.Backend.Service?.Name)
            .Append(ingress.DefaultBackend?.Service?.Name)
            .OfType<string>()
            .Distinct(KubeNames.Comparer);

    private void RebuildNodes()
    {
        var nodes = Snapshot.Nodes.Values.OrderBy(n => n.Metadata.Name, KubeNames.Comparer).ToList();
        NodeNames = [.. nodes.Select(n => n.Metadata.Name)];
        NodeAddresses = [.. nodes.Select(n => n.PrimaryAddress ?? n.Metadata.Name)];
    }

    /// <summary>
    /// With manifests alone, a workload whose pods do not exist yet stands in as one predicted pod built from its
    /// template, so Services that select it still show where their traffic would go.
    /// </summary>
    private void RebuildTemplatePods()
    {
        foreach (var key in _templatePods.Keys.ToList())
        {
            RemovePod(_templatePods[key]);
            _templatePods.Remove(key);
        }

        if (Snapshot.EndpointSlicesAuthoritative)
        {
            return;
        }

        foreach (var w in Snapshot.Workloads.Values)
        {
            var ns = w.Metadata.Namespace;
            var hasPods = _podsByNamespace.TryGetValue(ns, out var pods) &&
                pods.Any(k => Snapshot.Pods.TryGetValue(k, out var p) && w.Selector.Matches(p.Metadata.Labels));
            if (hasPods)
            {
                continue;
            }

            var key = new ObjectKey(ns, w.Metadata.Name);
            if (Snapshot.Pods.ContainsKey(key) || _templatePods.ContainsKey(key))
            {
                continue;
            }

            var pod = new Pod(new ObjectMeta
            {
                Name = w.Metadata.Name,
                Namespace = ns,
                Labels = w.TemplateLabels,
                OwnerReferences = [new OwnerReference(w.Kind, w.Metadata.Name, w.Metadata.Uid, true)],
                Source = w.Metadata.Source,
            })
            {
                Spec = w.Template,
                FromTemplate = true,
            };
            _templatePods[key] = pod;
            AddPod(pod);
        }
    }

    private static void Add<TKey, TValue>(Dictionary<TKey, HashSet<TValue>> map, TKey key, TValue value)
        where TKey : notnull
    {
        if (!map.TryGetValue(key, out var set))
        {
            map[key] = set = [];
        }

        set.Add(value);
    }

    private static void Remove<TKey, TValue>(Dictionary<TKey, HashSet<TValue>> map, TKey key, TValue value)
        where TKey : notnull
    {
        if (map.TryGetValue(key, out var set) && set.Remove(value) && set.Count == 0)
        {
            map.Remove(key);
        }
    }
}
