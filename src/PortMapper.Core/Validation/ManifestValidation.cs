using System.Collections.Immutable;
using System.Text.Json.Nodes;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>The designer's one call: every designed object checked on its own and, together, against the target cluster.</summary>
public static class ManifestValidation
{
    /// <param name="objects">The designed objects, in the order they would be applied.</param>
    /// <param name="cluster">The target cluster, or null when there is none (see <see cref="ClusterAwareValidator.Validate"/>).</param>
    /// <returns>One entry per object, in the same order: the API server's findings first, then the cluster-aware ones.</returns>
    public static ImmutableArray<ObjectValidation> Validate(IReadOnlyList<JsonObject> objects, ClusterSnapshot? cluster)
    {
        ArgumentNullException.ThrowIfNull(objects);
        var together = ClusterAwareValidator.Validate(objects, cluster);
        // A rule both sides know (a cluster IP against its family) is said once.
        return [.. together.Select((o, i) => o with { Findings = [.. ManifestValidator.Validate(objects[i]).AddRange(o.Findings).DistinctBy(f => f.Message)] })];
    }
}
