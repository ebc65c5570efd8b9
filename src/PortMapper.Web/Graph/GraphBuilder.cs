using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Web.Graph;

/// <summary>
/// Turns an analysis into the graph's elements: one element per hop a request passes (shared between the paths that
/// pass it), arrows labelled with the port they carry, positions computed from columns and rows (no layout engine),
/// and the level of detail the view asks for. Pure: the same analysis, view and order give the same model.
/// docs/graph.md describes the columns and the element ids.
/// </summary>
public static class GraphBuilder
{
    public const double ColumnWidth = 250;
    public const double RowHeight = 58;
    public const double GroupGap = 12;
    public const double NamespaceGap = 76;
    public const double CollapsedNamespaceGap = 18;
    public const int LabelLineLength = 28;

    /// <summary>The size the browser draws an element at (GraphCanvas.razor.js), for the namespace bands around them.</summary>
    public const double ElementWidth = 190;
    public const double ElementHeight = 42;
    public const double BandPadding = 18;

    public static GraphModel Build(ClusterAnalysis analysis, GraphView? view = null, GraphOrder? order = null)
    {
        ArgumentNullException.ThrowIfNull(analysis);
        return new Run(analysis, view ?? GraphView.Default, order ?? GraphOrder.Empty).Build();
    }

    /// <summary>The part of a path id after its exposure: "ns/name:port/protocol" (or "ns/name" for ExternalName).</summary>
    public static string KeyOf(string pathId)
    {
        var colon = pathId.IndexOf(':', StringComparison.Ordinal);
        return colon < 0 ? pathId : pathId[(colon + 1)..];
    }

    /// <summary>The group a path is laid out with: its Service, else its pod, else its Ingress.</summary>
    public static string GroupOf(TrafficPath p) =>
        p.Service is { } s ? "svc:" + s.Name : p.Pod is { } pod ? "pod:" + pod.Name : p.Ingress is { } i ? "ing:" + i.Name : p.Route is { } r ? "route:" + r.Name : p.Id;

    internal static int ExposureRank(Exposure e) => e switch
    {
        Exposure.ClusterIP => 0,
        Exposure.Headless => 1,
        Exposure.ExternalName => 2,
        Exposure.NodePort => 3,
        Exposure.LoadBalancer => 4,
        Exposure.ExternalIP => 5,
        Exposure.HostPort => 6,
        Exposure.HostNetwork => 7,
        Exposure.Ingress => 8,
        _ => 9,
    };

    internal static string StatusGlyph(PathStatus s) => s switch
    {
        PathStatus.Broken => "✕ ",
        PathStatus.Degraded => "⚠ ",
        _ => "",
    };

    private static PathStatus Worst(PathStatus a, PathStatus b) => (PathStatus)Math.Max((int)a, (int)b);

    private sealed class Element
    {
        public required string Id { get; init; }

        public required string Kind { get; init; }

        public required GraphColumn Column { get; init; }

        public required string[] Lines { get; set; }

        public string? Namespace { get; init; }

        public ObjectRef? Object { get; set; }

        public int? Count { get; set; }

        public bool Expandable { get; set; }

        public string? Group { get; set; }

        public string? GroupKey { get; set; }

        public string? Slot { get; set; }

        public SlotOrder SlotOrder { get; set; }

        public List<string> Paths { get; } = [];

        public HashSet<string> PathSet { get; } = new(StringComparer.Ordinal);

        /// <summary>For a collapsed namespace: its paths themselves, for the counts on the box.</summary>
        public List<TrafficPath> Collapsed { get; } = [];

        /// <summary>For a collapsed namespace: the steps of each of its paths (the box alone).</summary>
        public ImmutableArray<GraphPathStep>? CollapsedSteps { get; set; }

        public PathStatus Status { get; set; }

        public List<GraphProblem> Problems { get; } = [];

        public bool Match { get; set; }

        public double X { get; set; }

        public double Y { get; set; }

        public void AddPath(string id)
        {
            if (PathSet.Add(id))
            {
                Paths.Add(id);
            }
        }

        public void AddProblem(GraphProblem p)
        {
            if (!Problems.Contains(p))
            {
                Problems.Add(p);
            }
        }
    }

    private sealed class Arrow
    {
        public required string Source { get; init; }

        public required string Target { get; init; }

        public required string Label { get; init; }

        public List<string> Paths { get; } = [];

        public HashSet<string> PathSet { get; } = new(StringComparer.Ordinal);

        public PathStatus Status { get; set; }
    }

    /// <summary>How slots sort within a group: Service ports by number, then the rest by id.</summary>
    private readonly record struct SlotOrder(int Rank, int Port, string Key) : IComparable<SlotOrder>
    {
        public int CompareTo(SlotOrder other)
        {
            var c = Rank.CompareTo(other.Rank);
            if (c == 0)
            {
                c = Port.CompareTo(other.Port);
            }

            return c != 0 ? c : string.CompareOrdinal(Key, other.Key);
        }
    }

    /// <summary>One element a path passes at one step, how the arrow into it is labelled, and how the path fares there.</summary>
    private sealed record Visit(Element Element, string EdgeLabel)
    {
        public PathStatus Status { get; set; }

        public List<GraphProblem> Problems { get; } = [];
    }

    private sealed record Step(HopKind? Hop, List<Visit> Visits);

    /// <summary>
    /// Pods per namespace, for the counts on collapsed namespaces, kept per pod collection: snapshots share it until a
    /// pod changes, so a Service change or a click that rebuilds the graph does not count 50,000 pods again.
    /// </summary>
    private static readonly ConditionalWeakTable<ImmutableDictionary<ObjectKey, Pod>, Dictionary<string, int>> PodsPerNamespace = new();

    private sealed class Run(ClusterAnalysis analysis, GraphView view, GraphOrder order)
    {
        private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

        private readonly Dictionary<string, Element> _elements = new(StringComparer.Ordinal);
        private readonly List<Element> _created = [];
        private readonly Dictionary<string, Arrow> _arrows = new(StringComparer.Ordinal);
        private readonly List<Arrow> _arrowOrder = [];
        private readonly Dictionary<(string Path, string Code), Diagnostic> _diagnostics = [];
        private readonly Dictionary<string, ImmutableArray<GraphPathStep>> _steps = new(StringComparer.Ordinal);
        private readonly string _search = view.Search.Trim();

        public GraphModel Build()
        {
            var all = analysis.Paths;
            if (view.Preview is { } preview)
            {
                all = all.AddRange(preview.RemovedPaths);
            }

            var newOrder = UpdateOrder(all);
            foreach (var d in analysis.Diagnostics)
            {
                foreach (var p in d.Paths)
                {
                    _diagnostics.TryAdd((p, d.Code), d);
                }
            }

            var visible = all
                .Where(p => view.Namespaces.IsEmpty || view.Namespaces.Contains(p.Namespace))
                .Where(p => view.Exposures.IsEmpty || view.Exposures.Contains(p.Exposure))
                .Where(p => _search.Length == 0 || GraphSearch.Matches(p, _search))
                .OrderBy(p => p.Namespace, StringComparer.Ordinal)
                .ThenBy(p => ExposureRank(p.Exposure))
                .ThenBy(p => p.Id, StringComparer.Ordinal)
                .ToList();

            var collapsed = Collapsed(visible);
            foreach (var path in visible)
            {
                if (collapsed.Contains(path.Namespace))
                {
                    AddCollapsed(path);
                }
                else
                {
                    AddExpanded(path);
                }
            }

            Arrange(visible, collapsed, newOrder);
            return Emit(visible.Count, all.Length - visible.Count, collapsed, newOrder);
        }

        private ImmutableHashSet<string> Collapsed(List<TrafficPath> visible)
        {
            var namespaces = visible.Select(p => p.Namespace).Distinct(StringComparer.Ordinal).ToList();
            var servicePorts = visible.Where(p => p.Service is not null).Select(p => p.Namespace + "/" + KeyOf(p.Id)).Distinct(StringComparer.Ordinal).Count();
            var byDefault = namespaces.Count > 1 && servicePorts > view.CollapseNamespacesAbove;
            return namespaces
                .Where(ns => byDefault ? !view.ExpandedNamespaces.Contains(ns) : view.CollapsedNamespaces.Contains(ns))
                .ToImmutableHashSet(StringComparer.Ordinal);
        }

        private GraphOrder UpdateOrder(ImmutableArray<TrafficPath> all)
        {
            var present = all.Select(p => p.Namespace + "|" + GroupOf(p)).ToHashSet(StringComparer.Ordinal);
            if (present.Count == order.Seen.Count && present.All(order.Seen.ContainsKey))
            {
                // The same groups as last time (a live change within them): the order stands as it is.
                return order;
            }

            var seen = order.Seen.Where(kv => present.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
            var next = order.Next;
            foreach (var key in present.Where(k => !seen.ContainsKey(k)).Order(StringComparer.Ordinal).ToList())
            {
                seen[key] = next++;
            }

            return new GraphOrder { Seen = seen, Next = next };
        }

        // ------------------------------------------------------------------ elements

        private Element Get(string id, string kind, GraphColumn column, string? ns, Func<string[]> lines)
        {
            if (!_elements.TryGetValue(id, out var e))
            {
                e = new Element { Id = id, Kind = kind, Column = column, Namespace = ns, Lines = lines() };
                _elements[id] = e;
                _created.Add(e);
            }

            return e;
        }

        /// <summary>Each namespace band has its own client elements on its left, so arrows stay short and rows read straight.</summary>
        private Element Client(ClientKind from, string ns) => from == ClientKind.External
            ? Get("client:external:" + ns, GraphKinds.Client, GraphColumn.Clients, ns, () => ["External client", "outside the cluster"])
            : Get("client:in-cluster:" + ns, GraphKinds.Client, GraphColumn.Clients, ns, () => ["In-cluster client", "a pod or a node"]);

        private void Connect(Element from, Visit to, string pathId)
        {
            var id = GraphEdge.IdFor(from.Id, to.Element.Id);
            if (!_arrows.TryGetValue(id, out var a))
            {
                a = new Arrow { Source = from.Id, Target = to.Element.Id, Label = to.EdgeLabel };
                _arrows[id] = a;
                _arrowOrder.Add(a);
            }

            if (a.PathSet.Add(pathId))
            {
                a.Paths.Add(pathId);
            }

            a.Status = Worst(a.Status, to.Status);
        }

        private void AddCollapsed(TrafficPath path)
        {
            var ns = Get("ns:" + path.Namespace, GraphKinds.Namespace, GraphColumn.Services, path.Namespace, () => [path.Namespace]);
            ns.Expandable = true;
            ns.Collapsed.Add(path);
            ns.Status = Worst(ns.Status, path.Status);
            ns.Match |= _search.Length > 0;

            // Every path of a collapsed namespace is the one box: one steps array for them all.
            ns.CollapsedSteps ??= [new GraphPathStep(null, [ns.Id])];
            _steps[path.Id] = ns.CollapsedSteps.Value;
        }

        private void AddExpanded(TrafficPath path)
        {
            var steps = new List<Step>();
            string? serviceKey = null;
            foreach (var hop in path.Hops)
            {
                var visits = hop.Kind switch
                {
                    HopKind.Client => [new Visit(Client(path.From, path.Namespace), "")],
                    HopKind.LoadBalancer => [LoadBalancer(path, hop)],
                    HopKind.Ingress => [Ingress(path, hop)],
                    HopKind.Gateway => [GatewayVisit(path, hop)],
                    HopKind.NodePort => NodePort(path, hop),
                    HopKind.ExternalIp => [ExternalIp(path, hop)],
                    HopKind.HostPort => [HostPort(path, hop)],
                    HopKind.HostNetwork => [HostNetwork(path, hop)],
                    HopKind.ClusterIp => [ServiceVisit(path, hop, out serviceKey)],
                    HopKind.Dns => [DnsVisit(path, out serviceKey)],
                    HopKind.ExternalName => [ExternalName(path, hop)],
                    _ => Endpoints(path, hop, serviceKey),
                };
                steps.Add(new Step(hop.Kind, visits));
            }

            if (path.Exposure == Exposure.HostNetwork && path.Pod is { } pod)
            {
                // The process in a hostNetwork pod listens on the node itself; the pod is where the request lands.
                var hop = path.Hops.Last(h => h.Kind == HopKind.HostNetwork);
                var target = new EndpointTarget { Ip = hop.Addresses.FirstOrDefault(), Port = hop.Port, Pod = pod, NodeName = hop.Nodes.FirstOrDefault(), Ready = true };
                steps.Add(new Step(HopKind.Endpoints, [PodVisit(path, target, null)]));
            }

            ApplyDiagnostics(path, steps);
            var groupKey = path.Namespace + "|" + GroupOf(path);
            var slot = steps.SelectMany(s => s.Visits).Select(v => v.Element).FirstOrDefault(e => e.Column == GraphColumn.Services)?.Id ?? path.Id;
            var slotOrder = SlotOrderOf(slot);
            var recorded = ImmutableArray.CreateBuilder<GraphPathStep>(steps.Count);
            for (var i = 0; i < steps.Count; i++)
            {
                foreach (var v in steps[i].Visits)
                {
                    var e = v.Element;
                    e.AddPath(path.Id);
                    e.Status = Worst(e.Status, v.Status);
                    foreach (var problem in v.Problems)
                    {
                        e.AddProblem(problem);
                    }

                    if (e.Column != GraphColumn.Clients && e.Slot is null)
                    {
                        e.GroupKey = groupKey;
                        e.Slot = slot;
                        e.SlotOrder = slotOrder;
                    }

                    // Every element of the previous step to every element of this one: a nodePort shown node by node
                    // fans out from the client and in again to the Service.
                    if (i > 0)
                    {
                        foreach (var from in steps[i - 1].Visits)
                        {
                            Connect(from.Element, v, path.Id);
                        }
                    }
                }

                recorded.Add(new GraphPathStep(steps[i].Hop, [.. steps[i].Visits.Select(v => v.Element.Id)]));
            }

            _steps[path.Id] = recorded.MoveToImmutable();
        }

        private static SlotOrder SlotOrderOf(string slot)
        {
            if (slot.StartsWith("svc:", StringComparison.Ordinal))
            {
                var key = slot[4..];
                var colon = key.LastIndexOf(':');
                var slash = key.LastIndexOf('/');
                if (colon >= 0 && slash > colon && int.TryParse(key[(colon + 1)..slash], NumberStyles.None, Inv, out var port))
                {
                    return new SlotOrder(0, port, slot);
                }

                return new SlotOrder(0, 0, slot);
            }

            return new SlotOrder(1, 0, slot);
        }

        private void ApplyDiagnostics(TrafficPath path, List<Step> steps)
        {
            foreach (var code in path.Diagnostics)
            {
                if (!_diagnostics.TryGetValue((path.Id, code), out var d))
                {
                    continue;
                }

                var step = (d.Hop is { } hop ? steps.FirstOrDefault(s => s.Hop == hop) : null)
                    ?? steps.LastOrDefault(s => s.Hop is HopKind.ClusterIp or HopKind.Dns)
                    ?? steps[^1];
                var status = d.Severity switch
                {
                    Severity.Error => PathStatus.Broken,
                    Severity.Warning => PathStatus.Degraded,
                    _ => PathStatus.Ok,
                };
                var members = step.Visits;
                if (members.Count > 1 || members.Any(v => v.Element.Kind == GraphKinds.Pod))
                {
                    // Shown member by member: a finding about readiness or dropping nodes belongs to the members it is about.
                    var concerned = members.Where(v => v.Status != PathStatus.Ok).ToList();
                    if (concerned.Count > 0 && d.Code is Codes.SomeEndpointsNotReady or Codes.NoReadyEndpoints or Codes.LocalPolicyNodesDrop)
                    {
                        members = concerned;
                    }
                }

                foreach (var v in members)
                {
                    v.Status = Worst(v.Status, status);
                    v.Problems.Add(new GraphProblem(d.Code, SeverityName(d.Severity), d.Message, d.Fix));
                }
            }
        }

        // ------------------------------------------------------------------ one hop each

        private Visit LoadBalancer(TrafficPath path, Hop hop)
        {
            var address = hop.Addresses.IsDefaultOrEmpty ? "pending" : string.Join(", ", hop.Addresses);
            var e = Get(path.Id, GraphKinds.LoadBalancer, GraphColumn.Front, path.Namespace, () => ["LoadBalancer", Port(address, hop.Port)]);
            e.Object = path.Service;
            return new Visit(e, PortLabel(hop.Port)) { Status = hop.Broken ? PathStatus.Broken : PathStatus.Ok };
        }

        private Visit Ingress(TrafficPath path, Hop hop)
        {
            var url = (hop.Tls ? "https://" : "http://") + hop.Name;
            var e = Get(path.Id, GraphKinds.Ingress, GraphColumn.Front, path.Namespace, () => ["Ingress " + path.Ingress?.Name, url]);
            e.Object = path.Ingress;
            return new Visit(e, PortLabel(hop.Port)) { Status = hop.Broken ? PathStatus.Broken : PathStatus.Ok };
        }

        private Visit GatewayVisit(TrafficPath path, Hop hop)
        {
            // The listener's name and protocol say http or https; the second line keeps the room for host and path.
            var share = path.Weight is { } w and < 1 ? $" · {PortMapper.Core.Gateway.GatewayBackends.Percent(w)}" : "";
            var e = Get(path.Id, GraphKinds.Gateway, GraphColumn.Front, path.Namespace,
                () => [$"Gateway {path.Gateway?.Name} · {path.Listener}{share}", hop.Name ?? ""]);
            e.Object = path.Route;
            return new Visit(e, PortLabel(hop.Port)) { Status = hop.Broken ? PathStatus.Broken : PathStatus.Ok };
        }

        private List<Visit> NodePort(TrafficPath path, Hop hop)
        {
            var id = "nodeport:" + KeyOf(path.Id);
            var expand = view.Expanded.Contains(id) && !hop.Nodes.IsDefaultOrEmpty;
            if (!expand)
            {
                var e = Get(id, GraphKinds.NodePort, GraphColumn.Nodes, path.Namespace, () => ["NodePort", $"{hop.Name ?? "every node"} {PortLabel(hop.Port, "(not allocated)")}"]);
                e.Object = path.Service;
                e.Count = hop.Nodes.Length;
                e.Expandable = hop.Nodes.Length > 0;
                return [new Visit(e, PortLabel(hop.Port)) { Status = hop.Broken ? PathStatus.Broken : PathStatus.Ok }];
            }

            var visits = new List<Visit>(hop.Nodes.Length);
            for (var i = 0; i < hop.Nodes.Length; i++)
            {
                var node = hop.Nodes[i];
                var address = i < hop.Addresses.Length ? hop.Addresses[i] : node;
                var e = Get(id + "@" + node, GraphKinds.Node, GraphColumn.Nodes, path.Namespace, () => ["Node " + node, Port(address, hop.Port)]);
                e.Object = path.Service;
                e.Group = id;
                var visit = new Visit(e, PortLabel(hop.Port)) { Status = hop.Broken ? PathStatus.Broken : PathStatus.Ok };
                if (hop.DeliveringNodes is { } delivering && !delivering.Contains(node))
                {
                    visit.Status = PathStatus.Degraded;
                    visit.Problems.Add(new GraphProblem("drop", "warning",
                        $"externalTrafficPolicy is Local and node {node} runs no ready endpoint: it drops traffic sent to its nodePort.",
                        "Send external traffic only to nodes with a ready pod, or use externalTrafficPolicy Cluster."));
                }

                visits.Add(visit);
            }

            return visits;
        }

        private Visit ExternalIp(TrafficPath path, Hop hop)
        {
            var e = Get(path.Id, GraphKinds.ExternalIp, GraphColumn.Nodes, path.Namespace, () => ["externalIPs", Port(string.Join(", ", hop.Addresses), hop.Port)]);
            e.Object = path.Service;
            return new Visit(e, PortLabel(hop.Port));
        }

        private Visit HostPort(TrafficPath path, Hop hop)
        {
            var address = hop.Addresses.IsDefaultOrEmpty ? "no node address" : hop.Addresses[0];
            var e = Get(path.Id, GraphKinds.HostPort, GraphColumn.Nodes, path.Namespace, () => ["hostPort on " + hop.Name, Port(address, hop.Port)]);
            e.Object = path.Pod;
            return new Visit(e, PortLabel(hop.Port)) { Status = hop.Broken ? PathStatus.Broken : PathStatus.Ok };
        }

        private Visit HostNetwork(TrafficPath path, Hop hop)
        {
            var address = hop.Addresses.IsDefaultOrEmpty ? "no node address" : hop.Addresses[0];
            var e = Get(path.Id, GraphKinds.HostNetwork, GraphColumn.Nodes, path.Namespace, () => ["hostNetwork on " + hop.Name, Port(address, hop.Port)]);
            e.Object = path.Pod;
            return new Visit(e, PortLabel(hop.Port)) { Status = hop.Broken ? PathStatus.Broken : PathStatus.Ok };
        }

        private Visit ServiceVisit(TrafficPath path, Hop hop, out string key)
        {
            var service = path.Service;
            var name = service?.Name ?? hop.Name ?? "";
            // A Gateway backend share refused with 500 (no ReferenceGrant, no such Service or port): a box of its own, so
            // it does not mark the Service's real port, which other paths reach.
            var refused = path.Exposure == Exposure.Gateway && hop.Broken;
            if (refused)
            {
                key = "refused:" + path.Id;
            }
            else if (path.Exposure is not (Exposure.Ingress or Exposure.Gateway))
            {
                key = KeyOf(path.Id);
            }
            else if (hop.Port is { } port && service is not null)
            {
                var protocol = analysis.Snapshot.Services.TryGetValue(new ObjectKey(service.Namespace, service.Name), out var svc)
                    ? svc.Ports.FirstOrDefault(p => p.Port == port)?.Protocol ?? Protocols.Tcp
                    : Protocols.Tcp;
                key = $"{service.Namespace}/{service.Name}:{port.ToString(Inv)}/{protocol}";
            }
            else
            {
                key = service is null ? KeyOf(path.Id) : $"{service.Namespace}/{service.Name}";
            }

            var address = hop.Addresses.IsDefaultOrEmpty ? "" : hop.Addresses[0];
            var exists = service is not null && analysis.Snapshot.Services.ContainsKey(new ObjectKey(service.Namespace, service.Name));
            var second = refused ? "500 · " + RefusalOf(hop.Note)
                : !exists && path.Exposure == Exposure.Ingress ? "Service not found"
                : hop.Broken ? $"no port {PortLabel(hop.Port)}"
                : Port(address, hop.Port);
            // A dual-stack Service answers on a cluster IP of each family: both on the card, IPv4 first as the Service lists them.
            var e = Get("svc:" + key, GraphKinds.Service, GraphColumn.Services, path.Namespace,
                () => hop.Addresses.Length == 2 && !hop.Broken && exists ? [name, second, Port(hop.Addresses[1], hop.Port)] : [name, second]);
            e.Object ??= service;
            return new Visit(e, PortLabel(hop.Port)) { Status = hop.Broken ? PathStatus.Broken : PathStatus.Ok };
        }

        /// <summary>Why a Gateway answers 500 for a backend share, in two words, from the hop's note (the full reason is in the finding).</summary>
        private static string RefusalOf(string? note) => note switch
        {
            null => "refused",
            _ when note.Contains("RefNotPermitted", StringComparison.Ordinal) => "no ReferenceGrant",
            _ when note.Contains("no port", StringComparison.Ordinal) => "no such port",
            _ when note.Contains("does not exist", StringComparison.Ordinal) => "Service not found",
            _ when note.Contains("not a Service", StringComparison.Ordinal) => "not a Service",
            _ => "no backend",
        };

        private Visit DnsVisit(TrafficPath path, out string key)
        {
            key = KeyOf(path.Id);
            var headless = path.Exposure == Exposure.Headless;
            var e = Get("svc:" + key, GraphKinds.Dns, GraphColumn.Services, path.Namespace,
                () => [path.Service?.Name ?? "", headless ? "headless · DNS → pod IPs" : "ExternalName · DNS CNAME"]);
            e.Object = path.Service;
            return new Visit(e, "DNS");
        }

        private Visit ExternalName(TrafficPath path, Hop hop)
        {
            var owner = path.Service is { } s ? $"{s.Namespace}/{s.Name}" : KeyOf(path.Id);
            var e = Get("cname:" + owner, GraphKinds.ExternalName, GraphColumn.Backends, path.Namespace, () => ["CNAME", hop.Name ?? "(none)"]);
            e.Object = path.Service;
            return new Visit(e, "CNAME") { Status = hop.Broken ? PathStatus.Broken : PathStatus.Ok };
        }

        private List<Visit> Endpoints(TrafficPath path, Hop hop, string? serviceKey)
        {
            if (path.Exposure == Exposure.HostPort)
            {
                return [.. hop.Endpoints.Select(t => PodVisit(path, t, null))];
            }

            if (serviceKey is null || (path.Exposure == Exposure.Ingress && hop.Endpoints.IsEmpty && hop.Name is not null))
            {
                var e = Get("backend:" + path.Id, GraphKinds.Backend, GraphColumn.Backends, path.Namespace, () => ["Resource backend", hop.Name ?? ""]);
                e.Object = path.Ingress;
                return [new Visit(e, "")];
            }

            var group = "pods:" + serviceKey;
            var label = hop.Port is { } p ? PortLabel(p) : hop.Name is { } n ? ":" + n : "any port";
            // A search that names a pod (not the Service itself) opens the group, so that the pod it found shows.
            var expand = !hop.Endpoints.IsEmpty
                && (view.Expanded.Contains(group)
                    || (_search.Length > 0
                        && !(path.Service?.Name.Contains(_search, StringComparison.OrdinalIgnoreCase) ?? false)
                        && hop.Endpoints.Any(t => GraphSearch.Matches(t, _search))));
            if (expand)
            {
                return [.. hop.Endpoints.OrderBy(t => t.Pod?.Name ?? t.Ip, StringComparer.Ordinal).Select(t => PodVisit(path, t, group))];
            }

            var ready = hop.Endpoints.Count(t => t.Ready);
            var count = hop.Endpoints.Length;
            var second = count == 0 ? "no endpoints"
                : ready == count ? $"{label} · {ready} ready"
                : $"{label} · {ready} of {count} ready";
            var g = Get(group, GraphKinds.Pods, GraphColumn.Backends, path.Namespace, () => [count == 1 ? "1 pod" : $"{count.ToString(Inv)} pods", second]);
            g.Object = path.Service;
            g.Count = count;
            g.Expandable = count > 0;
            return [new Visit(g, label) { Status = ready == 0 ? PathStatus.Broken : ready < count ? PathStatus.Degraded : PathStatus.Ok }];
        }

        private Visit PodVisit(TrafficPath path, EndpointTarget target, string? group)
        {
            var port = target.Port is { } p ? p.ToString(Inv) : "?";
            var id = target.Pod is { } pod
                ? $"pod:{pod.Namespace}/{pod.Name}:{port}/{path.Protocol}"
                : $"endpoint:{path.Namespace}/{target.Ip}:{port}/{path.Protocol}";
            var e = Get(id, GraphKinds.Pod, GraphColumn.Backends, target.Pod?.Namespace ?? path.Namespace,
                () => target.Ips.Length > 1
                    ? [target.Pod?.Name ?? "endpoint", Port(target.Ips[0], target.Port), Port(target.Ips[1], target.Port)]
                    : [target.Pod?.Name ?? "endpoint", Port(target.Ip ?? "no IP yet", target.Port)]);
            e.Object = target.Pod;
            e.Group ??= group;
            if (_search.Length > 0 && GraphSearch.Matches(target, _search))
            {
                e.Match = true;
            }

            var visit = new Visit(e, PortLabel(target.Port));
            if (!target.Ready)
            {
                visit.Status = PathStatus.Degraded;
                visit.Problems.Add(new GraphProblem("not-ready", "warning",
                    $"{target.Pod?.Name ?? target.Ip} is not ready{(target.Terminating ? " (terminating)" : "")}: kube-proxy sends it no traffic.",
                    "Check its readiness probe and events (`kubectl describe pod`)."));
            }

            return visit;
        }

        // ------------------------------------------------------------------ layout

        private void Arrange(List<TrafficPath> visible, ImmutableHashSet<string> collapsed, GraphOrder newOrder)
        {
            var y = 0.0;
            foreach (var ns in visible.Select(p => p.Namespace).Distinct(StringComparer.Ordinal))
            {
                if (collapsed.Contains(ns))
                {
                    var box = _elements["ns:" + ns];
                    box.X = (int)GraphColumn.Services * ColumnWidth;
                    box.Y = y;
                    y += RowHeight + CollapsedNamespaceGap;
                    continue;
                }

                var groups = _created
                    .Where(e => e.Namespace == ns && e.GroupKey is not null && e.Kind != GraphKinds.Namespace)
                    .GroupBy(e => e.GroupKey!)
                    .OrderBy(g => newOrder.Seen.GetValueOrDefault(g.Key, long.MaxValue))
                    .ThenBy(g => g.Key, StringComparer.Ordinal);
                var top = y;
                foreach (var group in groups)
                {
                    foreach (var slot in group.GroupBy(e => e.Slot!).OrderBy(s => s.First().SlotOrder))
                    {
                        var rows = 1;
                        foreach (var column in slot.GroupBy(e => e.Column))
                        {
                            var i = 0;
                            foreach (var e in column)
                            {
                                e.X = (int)e.Column * ColumnWidth;
                                e.Y = y + (i++ * RowHeight);
                            }

                            rows = Math.Max(rows, i);
                        }

                        y += rows * RowHeight;
                    }

                    y += GroupGap;
                }

                // The band's clients sit on its left, centred on its rows: external above in-cluster.
                var bottom = y - GroupGap - RowHeight;
                var clients = _created.Where(e => e.Namespace == ns && e.Column == GraphColumn.Clients).OrderBy(e => e.Id.StartsWith("client:external", StringComparison.Ordinal) ? 0 : 1).ToList();
                for (var i = 0; i < clients.Count; i++)
                {
                    clients[i].X = 0;
                    clients[i].Y = Math.Round(((top + bottom) / 2) + ((i - ((clients.Count - 1) / 2.0)) * RowHeight), 1);
                }

                y += NamespaceGap - GroupGap;
            }

        }

        // ------------------------------------------------------------------ output

        private GraphModel Emit(int shown, int hidden, ImmutableHashSet<string> collapsed, GraphOrder newOrder)
        {
            var nodes = ImmutableArray.CreateBuilder<GraphNode>(_created.Count + 8);

            foreach (var ns in _created.Select(e => e.Namespace).OfType<string>().Distinct(StringComparer.Ordinal))
            {
                var members = _created.Where(e => e.Namespace == ns && e.Column != GraphColumn.Clients && e.Kind != GraphKinds.Namespace).ToList();
                if (collapsed.Contains(ns))
                {
                    nodes.Add(CollapsedNamespace(_elements["ns:" + ns]));
                    continue;
                }

                foreach (var client in _created.Where(e => e.Namespace == ns && e.Column == GraphColumn.Clients))
                {
                    nodes.Add(ToNode(client));
                }

                var paths = members.SelectMany(e => e.Paths).Distinct(StringComparer.Ordinal).ToList();
                var broken = paths.Count(id => analysis.FindPath(id)?.Status == PathStatus.Broken);

                // A band behind the namespace's rows, as wide as the columns it can use: every band lines up.
                var left = ((int)GraphColumn.Front * ColumnWidth) - (ElementWidth / 2) - BandPadding;
                var right = ((int)GraphColumn.Backends * ColumnWidth) + (ElementWidth / 2) + BandPadding;
                var top = members.Count == 0 ? 0 : members.Min(e => e.Y) - (ElementHeight / 2) - BandPadding;
                var bottom = members.Count == 0 ? 0 : members.Max(e => e.Y) + (ElementHeight / 2) + BandPadding;
                nodes.Add(new GraphNode
                {
                    Id = "ns:" + ns,
                    Kind = GraphKinds.Namespace,
                    Label = Truncate(ns),
                    Title = $"Namespace {ns}\n{Count(paths.Count, "path")}" + (broken > 0 ? $", {broken.ToString(Inv)} broken" : ""),
                    Column = GraphColumn.Services,
                    Namespace = ns,
                    X = (left + right) / 2,
                    Y = (top + bottom) / 2,
                    Width = right - left,
                    Height = bottom - top,
                    Object = new ObjectRef("Namespace", "", ns),
                });
                foreach (var e in members)
                {
                    nodes.Add(ToNode(e));
                }
            }

            var edges = _arrowOrder.Select(a => new GraphEdge
            {
                Id = GraphEdge.IdFor(a.Source, a.Target),
                Source = a.Source,
                Target = a.Target,
                Label = a.Label,
                Status = a.Status,
                Paths = [.. a.Paths],
                Preview = PreviewMark(a.Paths),
            }).ToImmutableArray();
            var built = nodes.ToImmutable();
            return new GraphModel
            {
                Nodes = built,
                Edges = edges,
                NodesById = built.ToDictionary(n => n.Id, StringComparer.Ordinal),
                CollapsedNamespaces = collapsed,
                PathCount = shown,
                HiddenPathCount = hidden,
                PathSteps = _steps,
                Order = newOrder,
            };
        }

        private GraphNode CollapsedNamespace(Element e)
        {
            var paths = e.Collapsed;
            var services = paths.Select(p => p.Service?.Name).OfType<string>().Distinct(StringComparer.Ordinal).Count();
            var pods = PodsIn(e.Namespace!);
            var broken = paths.Count(p => p.Status == PathStatus.Broken);
            var degraded = paths.Count(p => p.Status == PathStatus.Degraded);
            var health = broken + degraded == 0 ? "all paths ok"
                : string.Join(" · ", new[] { broken > 0 ? $"{broken.ToString(Inv)} broken" : null, degraded > 0 ? $"{degraded.ToString(Inv)} degraded" : null }.OfType<string>());
            string[] lines = [e.Namespace!, $"{Count(services, "Service")} · {Count(pods, "pod")}", health];
            return new GraphNode
            {
                Id = e.Id,
                Kind = GraphKinds.Namespace,
                Label = StatusGlyph(e.Status) + string.Join('\n', lines.Select(Truncate)),
                Title = $"Namespace {e.Namespace} (collapsed: click to show it)\n{lines[1]}\n{Count(paths.Count, "path")}, {health}",
                Column = GraphColumn.Services,
                Namespace = e.Namespace,
                X = e.X,
                Y = e.Y,
                Status = e.Status,

                // Thousands of ids on one box would only weigh on the browser: a namespace's paths are PathsIn(ns).
                Paths = [],
                Object = new ObjectRef("Namespace", "", e.Namespace!),
                Count = services,
                Expandable = true,
                Match = e.Match,
                Preview = view.Preview is null ? null : PreviewMark([.. paths.Select(p => p.Id)]),
            };
        }

        /// <summary>The pods of a namespace (running or not, selected by a Service or not).</summary>
        private int PodsIn(string ns) => PodsPerNamespace.GetValue(analysis.Snapshot.Pods, CountPerNamespace).GetValueOrDefault(ns);

        private static Dictionary<string, int> CountPerNamespace(ImmutableDictionary<ObjectKey, Pod> pods)
        {
            var counts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var key in pods.Keys)
            {
                counts[key.Namespace] = counts.GetValueOrDefault(key.Namespace) + 1;
            }

            return counts;
        }

        private GraphNode ToNode(Element e) => new()
        {
            Id = e.Id,
            Kind = e.Kind,
            Label = StatusGlyph(e.Status) + string.Join('\n', e.Lines.Select(Truncate)),
            Title = string.Join('\n', e.Lines) + (e.Expandable ? "\n(click to show each one)" : ""),
            Column = e.Column,
            Namespace = e.Namespace,
            X = e.X,
            Y = e.Y,
            Status = e.Status,
            Problems = [.. e.Problems],
            Paths = [.. e.Paths],
            Object = e.Object,
            Count = e.Count,
            Expandable = e.Expandable,
            Group = e.Group,
            Preview = PreviewMark(e.Paths),
            Match = e.Match || (_search.Length > 0 && e.Column != GraphColumn.Clients && e.Lines.Any(l => l.Contains(_search, StringComparison.OrdinalIgnoreCase))),
        };

        private string? PreviewMark(IReadOnlyCollection<string> paths)
        {
            if (view.Preview is not { } p || paths.Count == 0)
            {
                return null;
            }

            return paths.Any(p.Added.Contains) ? "added"
                : paths.All(p.Removed.Contains) ? "removed"
                : paths.Any(p.Changed.Contains) ? "changed"
                : null;
        }

        /// <summary>"address:port", an IPv6 address in brackets as kube-proxy and curl write it.</summary>
        private static string Port(string address, int? port) =>
            port is { } p ? (address.Contains(':', StringComparison.Ordinal) ? $"[{address}]:{p.ToString(Inv)}" : $"{address}:{p.ToString(Inv)}") : address;

        private static string PortLabel(int? port, string missing = "") => port is { } p ? ":" + p.ToString(Inv) : missing;

        private static string Count(int n, string noun) => n == 1 ? $"1 {noun}" : $"{n.ToString("N0", Inv)} {noun}s";
    }

    internal static string Truncate(string line) =>
        line.Length <= LabelLineLength ? line : string.Concat(line.AsSpan(0, LabelLineLength - 1), "…");

    internal static string SeverityName(Severity s) => s switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };
}
