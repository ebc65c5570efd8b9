using System.Collections.Immutable;
using PortMapper.Core.Model;

namespace PortMapper.Kubernetes.Informers;

/// <summary>Folding a window of watch changes into one batch and one new snapshot.</summary>
internal static class ChangeBatch
{
    /// <summary>
    /// One change per object, in order of first appearance: added-then-modified is an add, added-then-deleted is
    /// nothing, deleted-then-added is a modification. Applying the result gives the same snapshot as applying all.
    /// </summary>
    public static ImmutableArray<ClusterChange> Coalesce(IReadOnlyList<ClusterChange> changes)
    {
        var index = new Dictionary<ObjectRef, int>();
        var result = new List<ClusterChange?>(changes.Count);
        foreach (var c in changes)
        {
            var key = c.Object.Ref();
            if (!index.TryGetValue(key, out var i))
            {
                index[key] = result.Count;
                result.Add(c);
                continue;
            }

            result[i] = (result[i]?.Type, c.Type) switch
            {
                (ChangeType.Added, ChangeType.Modified) => c with { Type = ChangeType.Added },
                (ChangeType.Added, ChangeType.Deleted) => null,
                (ChangeType.Modified, ChangeType.Deleted) => c,
                (ChangeType.Deleted, ChangeType.Added or ChangeType.Modified) => c with { Type = ChangeType.Modified },
                _ => c,
            };
        }

        return result.OfType<ClusterChange>().ToImmutableArray();
    }

    /// <summary>Applies many changes at once through builders, so a 50k-object initial list is not 50k snapshot copies.</summary>
    public static ClusterSnapshot Apply(ClusterSnapshot snapshot, IReadOnlyList<ClusterChange> changes)
    {
        if (changes.Count < 16)
        {
            return snapshot.Apply(changes);
        }

        var namespaces = snapshot.Namespaces.ToBuilder();
        var nodes = snapshot.Nodes.ToBuilder();
        var pods = snapshot.Pods.ToBuilder();
        var services = snapshot.Services.ToBuilder();
        var slices = snapshot.EndpointSlices.ToBuilder();
        var ingresses = snapshot.Ingresses.ToBuilder();
        var classes = snapshot.IngressClasses.ToBuilder();
        var workloads = snapshot.Workloads.ToBuilder();
        var policies = snapshot.NetworkPolicies.ToBuilder();
        var clusterPolicies = snapshot.ClusterNetworkPolicies.ToBuilder();
        var few = new List<ClusterChange>();
        foreach (var c in changes)
        {
            var delete = c.Type == ChangeType.Deleted;
            switch (c.Object)
            {
                case Namespace n: Set(namespaces, n.Metadata.Name, n, delete); break;
                case Node n: Set(nodes, n.Metadata.Name, n, delete); break;
                case Pod p: Set(pods, p.Key(), p, delete); break;
                case Service s: Set(services, s.Key(), s, delete); break;
                case EndpointSlice e: Set(slices, e.Key(), e, delete); break;
                case Ingress i: Set(ingresses, i.Key(), i, delete); break;
                case IngressClass ic: Set(classes, ic.Metadata.Name, ic, delete); break;
                case Workload w: Set(workloads, w.Ref(), w, delete); break;
                case NetworkPolicy np: Set(policies, np.Key(), np, delete); break;
                case ClusterNetworkPolicy cnp: Set(clusterPolicies, cnp.Metadata.Name, cnp, delete); break;

                // Kinds a cluster holds a handful of (kube-proxy's ConfigMaps, Gateway API objects): one by one.
                default: few.Add(c); break;
            }
        }

        return (snapshot with
        {
            Namespaces = namespaces.ToImmutable(),
            Nodes = nodes.ToImmutable(),
            Pods = pods.ToImmutable(),
            Services = services.ToImmutable(),
            EndpointSlices = slices.ToImmutable(),
            Ingresses = ingresses.ToImmutable(),
            IngressClasses = classes.ToImmutable(),
            Workloads = workloads.ToImmutable(),
            NetworkPolicies = policies.ToImmutable(),
            ClusterNetworkPolicies = clusterPolicies.ToImmutable(),
        }).Apply(few);
    }

    private static void Set<TKey, TValue>(ImmutableDictionary<TKey, TValue>.Builder builder, TKey key, TValue value, bool delete)
        where TKey : notnull
    {
        if (delete)
        {
            builder.Remove(key);
        }
        else
        {
            builder[key] = value;
        }
    }
}
