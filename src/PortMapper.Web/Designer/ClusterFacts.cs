using System.Collections.Immutable;
using System.Globalization;
using PortMapper.Core.Model;

namespace PortMapper.Web.Designer;

/// <summary>A container port the selected pods declare: what a named targetPort can refer to.</summary>
public sealed record DeclaredPort(string? Name, int Number, string Protocol, string Owner)
{
    public string Label => Name is null
        ? $"{Number.ToString(CultureInfo.InvariantCulture)}/{Protocol}"
        : $"{Name} → {Number.ToString(CultureInfo.InvariantCulture)}/{Protocol}";
}

/// <summary>What a Service selector picks: pods that exist, and workload templates whose future pods it would pick.</summary>
public sealed record SelectedPods(ImmutableArray<string> Pods, ImmutableArray<string> Templates, ImmutableArray<DeclaredPort> Ports)
{
    public static SelectedPods None { get; } = new([], [], []);

    public int Count => Pods.Length;

    public bool IsEmpty => Pods.IsEmpty && Templates.IsEmpty;

    public IEnumerable<string> PortNames(string protocol) =>
        Ports.Where(p => p.Name is not null && p.Protocol == protocol).Select(p => p.Name!).Distinct(StringComparer.Ordinal);
}

/// <summary>A Service port an Ingress backend can point at, by name or number.</summary>
public sealed record BackendPort(string Value, string Label);

/// <summary>The answers the forms need from the cluster (as it would be with the design applied).</summary>
public static class ClusterFacts
{
    public static SelectedPods Select(ClusterSnapshot snapshot, string ns, IReadOnlyDictionary<string, string> selector)
    {
        if (selector.Count == 0)
        {
            return SelectedPods.None;
        }

        var pods = snapshot.Pods.Values
            .Where(p => p.Metadata.Namespace == ns && Matches(selector, p.Metadata.Labels))
            .OrderBy(p => p.Metadata.Name, KubeNames.Comparer)
            .ToList();
        var templates = snapshot.Workloads.Values
            .Where(w => w.Metadata.Namespace == ns && Matches(selector, w.TemplateLabels))
            .OrderBy(w => w.Metadata.Name, KubeNames.Comparer)
            .ToList();
        var ports = pods.Where(p => !p.FromTemplate).SelectMany(p => p.Spec.AllPorts.Select(x => new DeclaredPort(x.Port.Name, x.Port.Number, x.Port.Protocol, $"Pod {p.Metadata.Name}")))
            .Concat(templates.SelectMany(w => w.Template.AllPorts.Select(x => new DeclaredPort(x.Port.Name, x.Port.Number, x.Port.Protocol, $"{w.Kind} {w.Metadata.Name}"))))
            .DistinctBy(p => (p.Name, p.Number, p.Protocol))
            .OrderBy(p => p.Name ?? "\uffff", StringComparer.Ordinal)
            .ThenBy(p => p.Number)
            .ToImmutableArray();
        return new SelectedPods(
            [.. pods.Where(p => !p.FromTemplate).Select(p => p.Metadata.Name)],
            [.. templates.Select(w => $"{w.Kind} {w.Metadata.Name}")],
            ports);
    }

    private static bool Matches(IReadOnlyDictionary<string, string> selector, IReadOnlyDictionary<string, string> labels) =>
        selector.All(kv => labels.TryGetValue(kv.Key, out var v) && v == kv.Value);

    public static ImmutableArray<string> ServicesIn(ClusterSnapshot snapshot, string ns) =>
        [.. snapshot.Services.Values.Where(s => s.Metadata.Namespace == ns && !s.IsExternalName).Select(s => s.Metadata.Name).Order(StringComparer.Ordinal)];

    public static ImmutableArray<BackendPort> PortsOf(ClusterSnapshot snapshot, string ns, string? service)
    {
        if (service is null || !snapshot.Services.TryGetValue(new ObjectKey(ns, service), out var svc))
        {
            return [];
        }

        var result = ImmutableArray.CreateBuilder<BackendPort>();
        foreach (var p in svc.Ports)
        {
            var number = p.Port.ToString(CultureInfo.InvariantCulture);
            if (!string.IsNullOrEmpty(p.Name))
            {
                result.Add(new BackendPort(p.Name, $"{p.Name} (port {number})"));
            }

            result.Add(new BackendPort(number, $"{number}{(string.IsNullOrEmpty(p.Name) ? "" : $" ({p.Name})")}"));
        }

        return result.ToImmutable();
    }

    /// <summary>
    /// The clients a NetworkPolicy rule can admit by label: each top-level workload (its template labels), each pod no
    /// controller owns, and each namespace as a whole.
    /// </summary>
    public static ImmutableArray<PolicyClient> PolicyClients(ClusterSnapshot snapshot)
    {
        var workloads = snapshot.Workloads.Values
            .Where(w => !w.Metadata.OwnerReferences.Any(o => o.Controller) && w.TemplateLabels.Count > 0)
            .Select(w => new PolicyClient($"{w.Kind}/{w.Metadata.Namespace}/{w.Metadata.Name}", $"{w.Metadata.Namespace}/{w.Metadata.Name} ({w.Kind})", w.Metadata.Namespace, w.TemplateLabels));
        var pods = snapshot.Pods.Values
            .Where(p => !p.FromTemplate && !p.Metadata.OwnerReferences.Any(o => o.Controller) && p.Metadata.Labels.Count > 0)
            .Select(p => new PolicyClient($"Pod/{p.Metadata.Namespace}/{p.Metadata.Name}", $"{p.Metadata.Namespace}/{p.Metadata.Name} (Pod)", p.Metadata.Namespace, p.Metadata.Labels));
        var namespaces = snapshot.Namespaces.Values
            .Select(n => new PolicyClient($"Namespace/{n.Metadata.Name}", $"every pod in namespace {n.Metadata.Name}", n.Metadata.Name, null));
        return [.. workloads.Concat(pods).OrderBy(c => c.Label, StringComparer.Ordinal).Concat(namespaces.OrderBy(c => c.Label, StringComparer.Ordinal))];
    }

    public static ImmutableArray<string> GatewayClasses(ClusterSnapshot snapshot) =>
        [.. snapshot.GatewayClasses.Keys.Order(StringComparer.Ordinal)];

    /// <summary>Every Gateway as "namespace/name", those of <paramref name="ns"/> first.</summary>
    public static ImmutableArray<string> Gateways(ClusterSnapshot snapshot, string ns) =>
        [.. snapshot.Gateways.Keys.OrderBy(k => k.Namespace == ns ? 0 : 1).ThenBy(k => k.ToString(), StringComparer.Ordinal).Select(k => $"{k.Namespace}/{k.Name}")];

    /// <summary>The listener names of Gateway "namespace/name".</summary>
    public static ImmutableArray<string> ListenersOf(ClusterSnapshot snapshot, string? gateway)
    {
        var slash = gateway?.IndexOf('/', StringComparison.Ordinal) ?? -1;
        return slash > 0 && snapshot.Gateways.TryGetValue(new ObjectKey(gateway![..slash], gateway[(slash + 1)..]), out var gw)
            ? [.. gw.Listeners.Select(l => l.Name)]
            : [];
    }

    /// <summary>A Service's port numbers (a Gateway backendRef names its port by number), with the name as label.</summary>
    public static ImmutableArray<BackendPort> PortNumbersOf(ClusterSnapshot snapshot, string ns, string? service) =>
        service is not null && snapshot.Services.TryGetValue(new ObjectKey(ns, service), out var svc)
            ? [.. svc.Ports.Select(p => new BackendPort(p.Port.ToString(CultureInfo.InvariantCulture), string.IsNullOrEmpty(p.Name) ? p.Port.ToString(CultureInfo.InvariantCulture) : $"{p.Port.ToString(CultureInfo.InvariantCulture)} ({p.Name})"))]
            : [];

    public static ImmutableArray<string> IngressClasses(ClusterSnapshot snapshot) =>
        [.. snapshot.IngressClasses.Values.OrderByDescending(c => c.IsDefault).ThenBy(c => c.Metadata.Name, KubeNames.Comparer).Select(c => c.Metadata.Name)];

    /// <summary>The objects the designer can start from, in a stable order: networking first, then workloads and pods.</summary>
    public static ImmutableArray<ObjectRef> Startable(ClusterSnapshot snapshot) =>
    [
        .. snapshot.Services.Values.Select(s => s.Ref())
            .Concat(snapshot.Ingresses.Values.Select(i => i.Ref()))
            .Concat(snapshot.Gateways.Values.Select(g => new ObjectRef("Gateway", g.Metadata.Namespace, g.Metadata.Name)))
            .Concat(snapshot.Routes.Values.Where(r => r.Kind == "HTTPRoute").Select(r => r.Ref()))
            .Concat(snapshot.NetworkPolicies.Values.Select(p => p.Ref()))
            .Concat(snapshot.Workloads.Values.Where(w => !w.Metadata.OwnerReferences.Any(o => o.Controller)).Select(w => w.Ref()))
            .Concat(snapshot.Pods.Values.Where(p => !p.FromTemplate && !p.Metadata.OwnerReferences.Any(o => o.Controller)).Select(p => p.Ref()))
            .OrderBy(r => r.Namespace, KubeNames.Comparer)
            .ThenBy(r => KindOrder(r.Kind))
            .ThenBy(r => r.Name, KubeNames.Comparer),
    ];

    private static int KindOrder(string kind) => kind switch
    {
        "Service" => 0,
        "Ingress" => 1,
        "NetworkPolicy" => 2,
        "Pod" => 4,
        _ => 3,
    };
}
