using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Core.Design;

/// <summary>Which objects make up a namespace's networking, in the order a multi-document export lists them.</summary>
public static class NamespaceExport
{
    /// <summary>
    /// Services, then Ingresses, then the Gateway API's Gateways, routes and ReferenceGrants, then the workloads whose ports they reach (Deployments, StatefulSets, DaemonSets,
    /// ReplicaSets and Jobs nobody else controls, and Pods without a controller), each group by name. Objects a
    /// controller creates — a Deployment's ReplicaSets and pods, EndpointSlices — are left out: applying them by hand
    /// would fight the controller.
    /// </summary>
    public static ImmutableArray<ObjectRef> Select(ClusterSnapshot snapshot, string ns)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var services = snapshot.Services.Values.Where(s => s.Metadata.Namespace == ns).Select(s => s.Ref());
        var ingresses = snapshot.Ingresses.Values.Where(i => i.Metadata.Namespace == ns).Select(i => i.Ref());
        var gateways = snapshot.Gateways.Values.Where(g => g.Metadata.Namespace == ns).Select(g => new ObjectRef("Gateway", ns, g.Metadata.Name));
        var routes = snapshot.Routes.Values.Where(r => r.Metadata.Namespace == ns).Select(r => r.Ref());
        var grants = snapshot.ReferenceGrants.Values.Where(g => g.Metadata.Namespace == ns).Select(g => new ObjectRef("ReferenceGrant", ns, g.Metadata.Name));
        var workloads = snapshot.Workloads.Values
            .Where(w => w.Metadata.Namespace == ns && !HasController(w.Metadata))
            .OrderBy(w => KindOrder(w.Kind))
            .ThenBy(w => w.Metadata.Name, KubeNames.Comparer)
            .Select(w => w.Ref());
        var pods = snapshot.Pods.Values.Where(p => p.Metadata.Namespace == ns && !HasController(p.Metadata)).Select(p => p.Ref());
        return
        [
            .. services.OrderBy(r => r.Name, KubeNames.Comparer),
            .. ingresses.OrderBy(r => r.Name, KubeNames.Comparer),
            .. gateways.OrderBy(r => r.Name, KubeNames.Comparer),
            .. routes.OrderBy(r => r.Kind, StringComparer.Ordinal).ThenBy(r => r.Name, KubeNames.Comparer),
            .. grants.OrderBy(r => r.Name, KubeNames.Comparer),
            .. workloads,
            .. pods.OrderBy(r => r.Name, KubeNames.Comparer),
        ];
    }

    private static bool HasController(ObjectMeta meta) => meta.OwnerReferences.Any(o => o.Controller);

    private static int KindOrder(string kind) => kind switch
    {
        "Deployment" => 0,
        "StatefulSet" => 1,
        "DaemonSet" => 2,
        "ReplicaSet" => 3,
        _ => 4,
    };
}
