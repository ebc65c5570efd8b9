using System.Collections.Immutable;
using System.Text.Json.Nodes;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>One designed object: as written, as PortMapper's model reads it (null for kinds it does not model), and which object it is.</summary>
internal sealed record DesignedObject(int Index, JsonObject Json, IKubeObject? Model, ObjectRef Ref);

/// <summary>
/// What the cluster-aware checks look at: the target cluster as it is now (<see cref="Current"/>), the cluster as it
/// would be with every designed object applied (<see cref="After"/>), and whether a real cluster was given at all.
/// </summary>
internal sealed record DesignContext(ImmutableArray<DesignedObject> Designed, ClusterSnapshot Current, ClusterSnapshot After, bool KnowsCluster)
{
    public bool IsDesigned(IKubeObject o) => Designed.Any(d => d.Model is not null && d.Model.Ref() == o.Ref());
}

/// <summary>
/// The checks only PortMapper can make, because they need the target cluster: nodePort allocation (range and
/// clashes, with the allocator's own messages), host ports that collide on a node, Service selectors and targetPorts
/// against the pods they select, Ingress backends and classes, and a Service's address families and loadBalancerClass
/// against the cluster's ranges and the version it replaces. Designed objects are checked together, in order,
/// as if applied one after the other. See docs/validation.md.
/// </summary>
public static class ClusterAwareValidator
{
    /// <param name="cluster">
    /// The target cluster. Null when there is none: designed objects are then only compared with each other, the
    /// default nodePort range (30000-32767) is assumed, and nothing is reported as missing from the cluster.
    /// </param>
    /// <returns>One entry per designed object, in the same order.</returns>
    public static ImmutableArray<ObjectValidation> Validate(IReadOnlyList<JsonObject> designed, ClusterSnapshot? cluster)
    {
        ArgumentNullException.ThrowIfNull(designed);
        var context = CreateContext(designed, cluster);
        var findings = designed.Select(_ => new List<ValidationFinding>()).ToArray();
        NodePortChecks.Run(context, findings);
        HostPortChecks.Run(context, findings);
        ServiceWiringChecks.Run(context, findings);
        IngressChecks.Run(context, findings);
        ServiceUpdateChecks.Run(context, findings);
        return [.. context.Designed.Select(d => new ObjectValidation(d.Ref, [.. findings[d.Index]]))];
    }

    private static DesignContext CreateContext(IReadOnlyList<JsonObject> designed, ClusterSnapshot? cluster)
    {
        var current = WithDefaultNamespace(cluster ?? ClusterSnapshot.Empty);
        var reader = new ModelReader([]);
        var objects = ImmutableArray.CreateBuilder<DesignedObject>(designed.Count);
        for (var i = 0; i < designed.Count; i++)
        {
            var json = designed[i] ?? throw new ArgumentException($"Designed object {i} is null.", nameof(designed));
            var reference = ManifestValidator.Describe(json);
            var apiVersion = json["apiVersion"] is JsonValue v && v.GetValueKind() == System.Text.Json.JsonValueKind.String ? v.GetValue<string>() : "";
            var model = ModelReader.IsModelled(reference.Kind, apiVersion) ? reader.Read(json) : null;
            objects.Add(new DesignedObject(i, json, model is null ? null : InNamespace(model, reference.Namespace), reference));
        }

        var after = objects.Where(o => o.Model is not null).Aggregate(current, (s, o) => s.Upsert(o.Model!));
        return new DesignContext(objects.ToImmutable(), current, after, cluster is not null);
    }

    /// <summary>
    /// A snapshot read from manifests leaves out the namespace where the files do; those objects land in "default",
    /// where designed objects without a namespace go too, so both are compared there.
    /// </summary>
    private static ClusterSnapshot WithDefaultNamespace(ClusterSnapshot cluster)
    {
        var objects = cluster.AllObjects().ToList();
        if (!objects.Any(IsUnplaced))
        {
            return cluster;
        }

        var placed = objects.Select(o => IsUnplaced(o) ? InNamespace(o, "default") : o);
        return ClusterSnapshot.From(placed, cluster.EndpointSlicesAuthoritative) with { NodePortRange = cluster.NodePortRange };

        static bool IsUnplaced(IKubeObject o) => o.Metadata.Namespace.Length == 0 && o is Pod or Service or Workload or Ingress or EndpointSlice;
    }

    /// <summary>Puts a designed object without a namespace where it will be applied.</summary>
    private static IKubeObject InNamespace(IKubeObject o, string ns) => o switch
    {
        Pod p => p with { Metadata = p.Metadata with { Namespace = ns } },
        Service s => s with { Metadata = s.Metadata with { Namespace = ns } },
        Workload w => w with { Metadata = w.Metadata with { Namespace = ns } },
        Ingress i => i with { Metadata = i.Metadata with { Namespace = ns } },
        EndpointSlice e => e with { Metadata = e.Metadata with { Namespace = ns } },
        _ => o,
    };
}
