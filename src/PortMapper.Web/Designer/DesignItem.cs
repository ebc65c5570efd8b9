using System.Collections.Immutable;
using System.Text.Json.Nodes;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Design;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;

namespace PortMapper.Web.Designer;

/// <summary>Where a designed object came from.</summary>
public enum DesignOrigin
{
    Scratch,
    Cluster,
    Imported,
}

/// <summary>One object of the design: its manifest (edited in place by the forms) and where it came from.</summary>
public sealed class DesignItem(JsonObject json, DesignOrigin origin)
{
    public Guid Id { get; } = Guid.NewGuid();

    public JsonObject Json { get; set; } = json;

    public DesignOrigin Origin { get; } = origin;

    public ObjectRef Ref => ManifestValidator.Describe(Json);

    public string Kind => Ref.Kind;

    /// <summary>Which form edits this object, or null when there is none (it is applied as written).</summary>
    public string? Form => Kind switch
    {
        "Service" => "Service",
        "Ingress" => "Ingress",
        "NetworkPolicy" => "NetworkPolicy",
        "Gateway" => "Gateway",
        "HTTPRoute" => "HTTPRoute",
        _ when WorkloadEditor.Kinds.Contains(Kind) => "Workload",
        _ => null,
    };
}

/// <summary>The result of checking the whole design once (debounced): findings per object and the what-if.</summary>
public sealed record DesignCheck(
    long Edit,
    ImmutableDictionary<Guid, ObjectValidation> Validations,
    WhatIfResult? WhatIf,
    ClusterSnapshot After,
    string? Failure)
{
    public static DesignCheck Empty(ClusterSnapshot snapshot) => new(-1, ImmutableDictionary<Guid, ObjectValidation>.Empty, null, snapshot, null);

    public ObjectValidation? For(Guid id) => Validations.GetValueOrDefault(id);

    /// <summary>Checks the objects (copies, so the forms can keep editing) against the cluster.</summary>
    public static DesignCheck Run(long edit, IReadOnlyList<(Guid Id, JsonObject Json)> items, ClusterSnapshot snapshot, ClusterAnalysis before)
    {
        var objects = items.Select(i => i.Json).ToList();
        try
        {
            var validations = ManifestValidation.Validate(objects, snapshot);
            var whatIf = Core.Design.WhatIf.Compute(snapshot, objects, before);
            return new DesignCheck(
                edit,
                items.Select((item, i) => KeyValuePair.Create(item.Id, validations[i])).ToImmutableDictionary(),
                whatIf,
                whatIf.After.Snapshot,
                null);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // Bad data must never take the page down: say what failed and keep the last good state visible.
            return new DesignCheck(edit, ImmutableDictionary<Guid, ObjectValidation>.Empty, null, snapshot,
                $"PortMapper could not check this design ({e.Message}). Fix the field you changed last, or look at the YAML.");
        }
    }
}

/// <summary>One dry run or apply and what the cluster (or the apply guard) answered.</summary>
public sealed record ApplyRun(bool DryRun, bool Force, bool CreateNamespaces, string Yaml, GuardedApplyResult Result)
{
    public bool Succeeded => !Result.Refused && Result.Results.All(r => r.Succeeded);

    public ImmutableArray<FieldConflict> Conflicts => [.. Result.Results.SelectMany(r => r.Conflicts)];
}
