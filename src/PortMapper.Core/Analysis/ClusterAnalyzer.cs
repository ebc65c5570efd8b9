using System.Collections.Frozen;
using System.Collections.Immutable;
using PortMapper.Core.Model;
using PortMapper.Core.Policy;

namespace PortMapper.Core.Analysis;

/// <summary>Every traffic path and finding of one snapshot.</summary>
public sealed class ClusterAnalysis
{
    private FrozenDictionary<string, TrafficPath>? _byId;

    public ClusterAnalysis(ClusterSnapshot snapshot, ImmutableArray<TrafficPath> paths, ImmutableArray<Diagnostic> diagnostics)
    {
        Snapshot = snapshot;
        Paths = paths;
        Diagnostics = diagnostics;
    }

    public ClusterSnapshot Snapshot { get; }

    public ImmutableArray<TrafficPath> Paths { get; }

    public ImmutableArray<Diagnostic> Diagnostics { get; }

    public TrafficPath? FindPath(string id) =>
        (_byId ??= Paths.ToFrozenDictionary(p => p.Id, StringComparer.Ordinal)).GetValueOrDefault(id);

    public IEnumerable<TrafficPath> PathsIn(string? ns) => ns is null ? Paths : Paths.Where(p => p.Namespace == ns);

    /// <summary>The policy index over this snapshot, built on first use (side panels, traces); null without any policy.</summary>
    public PortMapper.Core.Policy.PolicyIndex? Policies =>
        Snapshot.NetworkPolicies.IsEmpty && Snapshot.ClusterNetworkPolicies.IsEmpty
            ? null
            : LazyInitializer.EnsureInitialized(ref _policies, () => new PortMapper.Core.Policy.PolicyIndex(Snapshot));

    private PortMapper.Core.Policy.PolicyIndex? _policies;

    public IEnumerable<Diagnostic> DiagnosticsIn(string? ns) => ns is null ? Diagnostics : Diagnostics.Where(d => d.Object.Namespace == ns);
}

/// <summary>
/// Computes traffic paths and diagnostics, then keeps them current: each change recomputes only the units it can
/// affect (the Services selecting a changed pod, the Ingresses in front of a changed Service...).
/// </summary>
public sealed class ClusterAnalyzer
{
    private const string NodePortsUnit = "~nodeports";
    private const string RoutesUnit = "~routes";
    private const string GatewaysUnit = "~gateways";

    private readonly ClusterIndex _index;
    private readonly UnitAnalysis _units;
    private readonly SortedDictionary<string, UnitResult> _results = new(StringComparer.Ordinal);
    private readonly ImmutableArray<Diagnostic> _static;
    private PolicyIndex? _policies;

    // Findings of the units that compare objects (ports claimed twice, policies on a path) also mark the paths of
    // other units. They are kept per path and applied only to the units whose paths or marks changed, so one change
    // does not re-mark every path of the cluster (thousands when many Services are closed by NetworkPolicy).
    private readonly Dictionary<string, List<(string Unit, int Index, Diagnostic Diagnostic)>> _cross = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _pathOwner = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<TrafficPath>> _marked = new(StringComparer.Ordinal);
    private readonly HashSet<string> _remark = new(StringComparer.Ordinal);
    private readonly HashSet<string> _crossTouched = new(StringComparer.Ordinal);

    /// <param name="snapshot">The cluster to analyse.</param>
    /// <param name="staticDiagnostics">Findings made elsewhere (unreadable fields, objects the API server would reject) to report alongside.</param>
    public ClusterAnalyzer(ClusterSnapshot snapshot, IEnumerable<Diagnostic>? staticDiagnostics = null)
    {
        _index = new ClusterIndex(snapshot);
        _units = new UnitAnalysis(_index);
        _static = staticDiagnostics?.ToImmutableArray() ?? [];
        _policies = PolicyChecks.Track(null, snapshot, null);
        RecomputeAll();
        Current = Flatten();
    }

    public ClusterAnalysis Current { get; private set; }

    public static ClusterAnalysis Analyze(ClusterSnapshot snapshot, IEnumerable<Diagnostic>? staticDiagnostics = null) =>
        new ClusterAnalyzer(snapshot, staticDiagnostics).Current;

    public ClusterAnalysis Apply(IEnumerable<ClusterChange> changes)
    {
        var dirty = new HashSet<string>(StringComparer.Ordinal);
        var all = false;
        foreach (var change in changes)
        {
            var before = _index.Snapshot;
            var after = before.Apply(change);
            all |= Affected(before, after, change, dirty);
            _index.Update(after, change);
            _policies = PolicyChecks.Track(_policies, after, change);
            all |= AffectedAfter(change, dirty);
        }

        if (all)
        {
            RecomputeAll();
        }
        else
        {
            foreach (var unit in dirty.ToList())
            {
                if (ReachChecks.Follower(unit) is { } follower)
                {
                    dirty.Add(follower);
                }
            }

            // The reach units read the paths of their Service or Ingress unit: those go first.
            foreach (var unit in dirty.Where(u => !ReachChecks.IsReachUnit(u)))
            {
                Recompute(unit);
            }

            foreach (var unit in dirty.Where(ReachChecks.IsReachUnit))
            {
                Recompute(unit);
            }
        }

        Current = Flatten();
        return Current;
    }

    public ClusterAnalysis Apply(params ClusterChange[] changes) => Apply((IEnumerable<ClusterChange>)changes);

    /// <summary>Marks the units that read the object as it was before the change. Returns true when everything must be redone.</summary>
    private bool Affected(ClusterSnapshot before, ClusterSnapshot after, ClusterChange change, HashSet<string> dirty)
    {
        switch (change.Object)
        {
            case Node:
            case IngressClass:
            case Workload when !after.EndpointSlicesAuthoritative:
                return true;
            case Pod pod:
                if (before.Pods.TryGetValue(pod.Key(), out var old))
                {
                    MarkPod(old, dirty);
                }

                if (!after.EndpointSlicesAuthoritative)
                {
                    // Predicted template pods appear and vanish with real pods; a full pass keeps that simple.
                    return before.Workloads.Count > 0;
                }

                break;
            case Service svc:
                MarkService(svc.Key(), dirty);
                dirty.Add(NodePortsUnit);
                if (!after.Gateways.IsEmpty && (GatewayApi.GatewayOf(svc) is not null || (before.Services.TryGetValue(svc.Key(), out var oldSvc) && GatewayApi.GatewayOf(oldSvc) is not null)))
                {
                    // The Service a Gateway implementation made: its address is where the Gateway's paths start.
                    MarkRoutes(after, dirty);
                }

                break;
            case EndpointSlice slice:
                // The stored slice, not the one in the change, says which Service lost endpoints: the change may have
                // dropped the service-name label, or be a delete that carries an older or bare copy of the object.
                if (slice.ServiceName is { } name)
                {
                    MarkService(new ObjectKey(slice.Metadata.Namespace, name), dirty);
                }

                if (before.EndpointSlices.TryGetValue(slice.Key(), out var oldSlice) && oldSlice.ServiceName is { } oldName)
                {
                    MarkService(new ObjectKey(slice.Metadata.Namespace, oldName), dirty);
                }

                break;
            case Ingress ing:
                dirty.Add(Unit("ing", ing.Key()));
                dirty.Add(RoutesUnit);
                break;
            case NetworkPolicy policy:
                dirty.Add(PolicyChecks.UnitName(policy.Key()));
                PolicyChecks.MarkNamespace(after, policy.Metadata.Namespace, dirty);
                ReachChecks.MarkNamespace(_index, policy.Metadata.Namespace, dirty);
                break;
            case ClusterNetworkPolicy or Namespace:
                PolicyChecks.MarkAffected(after, null, dirty);
                ReachChecks.MarkAll(after, dirty);
                if (change.Object is Namespace)
                {
                    // allowedRoutes selectors read namespace labels.
                    MarkRoutes(after, dirty);
                }

                break;
            case HttpRoute route:
                dirty.Add(RouteUnit(route.Ref()));
                dirty.Add(GatewaysUnit);
                break;
            case Model.Gateway or GatewayClass or ReferenceGrant:
                MarkRoutes(after, dirty);
                break;
        }

        return false;
    }

    /// <summary>Marks the units that read the object as it is after the change.</summary>
    private bool AffectedAfter(ClusterChange change, HashSet<string> dirty)
    {
        if (change.Object is Pod pod && change.Type != ChangeType.Deleted)
        {
            MarkPod(pod, dirty);
        }
        else if (change.Object is Pod deleted)
        {
            dirty.Add(Unit("pod", deleted.Key()));
        }

        return false;
    }

    private void MarkPod(Pod pod, HashSet<string> dirty)
    {
        dirty.Add(Unit("pod", pod.Key()));
        PolicyChecks.MarkAffected(_index.Snapshot, pod, dirty);
        ReachChecks.MarkPod(_index.Snapshot, pod, dirty);
        if (pod.NodeName is { } node)
        {
            dirty.Add("node:" + node);
        }

        if (pod.HostNetwork)
        {
            dirty.Add(NodePortsUnit);
        }

        foreach (var key in _index.ServicesIn(pod.Metadata.Namespace))
        {
            var svc = _index.Snapshot.Services[key];
            if (svc.Selector is { Count: > 0 } sel && ClusterIndex.Matches(sel, pod.Metadata.Labels))
            {
                MarkService(key, dirty);
            }
        }
    }

    private void MarkService(ObjectKey key, HashSet<string> dirty)
    {
        dirty.Add(Unit("svc", key));
        foreach (var ing in _index.IngressesFor(key))
        {
            dirty.Add(Unit("ing", ing));
        }

        foreach (var route in _index.RoutesFor(key))
        {
            dirty.Add(RouteUnit(route));
        }
    }

    private static string Unit(string kind, ObjectKey key) => $"{kind}:{key.Namespace}/{key.Name}";

    /// <summary>A route's unit: "htr:", "grr:", "tlr:" or "tcr:" and namespace/name.</summary>
    private static string RouteUnit(ObjectRef route) => $"{RoutePrefixes.First(p => p.Kind == route.Kind).Prefix}:{route.Namespace}/{route.Name}";

    private static readonly (string Prefix, string Kind)[] RoutePrefixes = [("htr", "HTTPRoute"), ("grr", "GRPCRoute"), ("tlr", "TLSRoute"), ("tcr", "TCPRoute")];

    private static void MarkRoutes(ClusterSnapshot s, HashSet<string> dirty)
    {
        foreach (var route in s.Routes.Keys)
        {
            dirty.Add(RouteUnit(route));
        }

        dirty.Add(GatewaysUnit);
    }

    private void RecomputeAll()
    {
        _results.Clear();
        _cross.Clear();
        _pathOwner.Clear();
        _marked.Clear();
        _remark.Clear();
        _crossTouched.Clear();
        var s = _index.Snapshot;
        foreach (var key in s.Services.Keys)
        {
            Recompute(Unit("svc", key));
        }

        foreach (var key in s.Pods.Keys)
        {
            Recompute(Unit("pod", key));
        }

        foreach (var key in s.Ingresses.Keys)
        {
            Recompute(Unit("ing", key));
        }

        foreach (var node in s.Pods.Values.Select(p => p.NodeName).OfType<string>().Distinct(KubeNames.Comparer))
        {
            Recompute("node:" + node);
        }

        foreach (var key in s.NetworkPolicies.Keys)
        {
            Recompute(PolicyChecks.UnitName(key));
        }

        foreach (var route in s.Routes.Keys)
        {
            Recompute(RouteUnit(route));
        }

        Recompute(NodePortsUnit);
        Recompute(RoutesUnit);
        Recompute(GatewaysUnit);

        foreach (var key in s.Services.Keys)
        {
            Recompute(ReachChecks.ServiceUnit(key));
        }

        foreach (var key in s.Ingresses.Keys)
        {
            Recompute(ReachChecks.IngressUnit(key));
        }
    }

    private void Recompute(string unit)
    {
        var s = _index.Snapshot;
        UnitResult? result = null;
        if (unit == NodePortsUnit)
        {
            result = GlobalChecks.NodePorts(_index);
        }
        else if (unit == RoutesUnit)
        {
            result = GlobalChecks.IngressRoutes(_index);
        }
        else if (unit == GatewaysUnit)
        {
            result = GatewayChecks.Check(_index);
        }
        else if (unit.StartsWith("node:", StringComparison.Ordinal))
        {
            result = GlobalChecks.HostPorts(_index, unit[5..]);
        }
        else
        {
            var kind = unit[..3];
            var rest = unit[4..];
            var slash = rest.IndexOf('/', StringComparison.Ordinal);
            var key = new ObjectKey(rest[..slash], rest[(slash + 1)..]);
            result = kind switch
            {
                "svc" => s.Services.TryGetValue(key, out var svc) ? _units.AnalyzeService(svc) : null,
                "pod" => s.Pods.TryGetValue(key, out var pod) ? _units.AnalyzePod(pod) : null,
                "ing" => s.Ingresses.TryGetValue(key, out var ing) ? _units.AnalyzeIngress(ing) : null,
                "htr" or "grr" or "tlr" or "tcr" => s.Routes.TryGetValue(new ObjectRef(RoutePrefixes.First(p => p.Prefix == kind).Kind, key.Namespace, key.Name), out var route) ? _units.AnalyzeRoute(route) : null,
                "pol" => s.NetworkPolicies.TryGetValue(key, out var policy) && _policies is not null ? PolicyChecks.Check(_index, _policies, policy) : null,
                "rsv" => s.Services.TryGetValue(key, out var rs) && _policies is not null && _results.TryGetValue(Unit("svc", key), out var sr) ? ReachChecks.CheckService(_index, _policies, rs, sr.Paths) : null,
                "rin" => s.Ingresses.TryGetValue(key, out var ri) && _policies is not null && _results.TryGetValue(Unit("ing", key), out var ir) ? ReachChecks.CheckIngress(_index, _policies, ri, ir.Paths) : null,
                _ => null,
            };
        }

        if (result is not null && result.Paths.IsEmpty && result.Diagnostics.IsEmpty)
        {
            result = null;
        }

        _results.TryGetValue(unit, out var old);
        if (old is null && result is null)
        {
            return;
        }

        Track(unit, old, result);
        if (result is null)
        {
            _results.Remove(unit);
        }
        else
        {
            _results[unit] = result;
        }
    }

    private static bool MarksOtherUnits(string unit) =>
        unit[0] == '~' || unit.StartsWith("node:", StringComparison.Ordinal) || ReachChecks.IsReachUnit(unit);

    /// <summary>Keeps the path owners and the cross-unit marks current for a unit whose result changed.</summary>
    private void Track(string unit, UnitResult? old, UnitResult? now)
    {
        _remark.Add(unit);
        foreach (var p in old?.Paths ?? [])
        {
            if (_pathOwner.TryGetValue(p.Id, out var owner) && owner == unit)
            {
                _pathOwner.Remove(p.Id);
            }
        }

        foreach (var p in now?.Paths ?? [])
        {
            _pathOwner[p.Id] = unit;
        }

        if (!MarksOtherUnits(unit))
        {
            return;
        }

        foreach (var d in old?.Diagnostics ?? [])
        {
            foreach (var id in d.Paths)
            {
                if (_cross.TryGetValue(id, out var list) && list.RemoveAll(e => e.Unit == unit) > 0)
                {
                    _crossTouched.Add(id);
                    if (list.Count == 0)
                    {
                        _cross.Remove(id);
                    }
                }
            }
        }

        var diagnostics = now?.Diagnostics ?? [];
        for (var i = 0; i < diagnostics.Length; i++)
        {
            foreach (var id in diagnostics[i].Paths)
            {
                if (!_cross.TryGetValue(id, out var list))
                {
                    _cross[id] = list = [];
                }

                list.Add((unit, i, diagnostics[i]));
                _crossTouched.Add(id);
            }
        }
    }

    private ClusterAnalysis Flatten()
    {
        foreach (var id in _crossTouched)
        {
            if (_pathOwner.TryGetValue(id, out var owner))
            {
                _remark.Add(owner);
            }
        }

        foreach (var unit in _remark)
        {
            if (_results.TryGetValue(unit, out var r) && r.Paths.Any(p => _cross.ContainsKey(p.Id)))
            {
                _marked[unit] = [.. r.Paths.Select(Mark)];
            }
            else
            {
                _marked.Remove(unit);
            }
        }

        _remark.Clear();
        _crossTouched.Clear();

        var paths = ImmutableArray.CreateBuilder<TrafficPath>();
        var diags = ImmutableArray.CreateBuilder<Diagnostic>();
        foreach (var (unit, r) in _results)
        {
            paths.AddRange(_marked.TryGetValue(unit, out var marked) ? marked : r.Paths);
            diags.AddRange(r.Diagnostics);
        }

        diags.AddRange(_static);
        return new ClusterAnalysis(_index.Snapshot, paths.ToImmutable(), diags.ToImmutable());
    }

    /// <summary>A path with the findings other units made about it, in unit order as a full pass would add them.</summary>
    private TrafficPath Mark(TrafficPath path)
    {
        if (!_cross.TryGetValue(path.Id, out var marks))
        {
            return path;
        }

        foreach (var (_, _, d) in marks.OrderBy(m => m.Unit, StringComparer.Ordinal).ThenBy(m => m.Index))
        {
            path = UnitAnalysis.AddDiagnostic(path, d);
        }

        return path;
    }
}
