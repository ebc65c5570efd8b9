using System.Collections.Immutable;
using PortMapper.Core.Analysis;

namespace PortMapper.Web.Components.Paths;

/// <summary>
/// The /paths grid's per-column filters: status, exposure, and text in the object or the hop chain. Our own labelled
/// controls rather than the data grid's filter row, whose icon buttons and selects have no accessible names; and the
/// filtering is one pass over precomputed strings, so typing stays instant at 15,000 rows.
/// </summary>
internal sealed record PathFilter
{
    public static PathFilter None { get; } = new();

    public PathStatus? Status { get; init; }

    public Exposure? Exposure { get; init; }

    /// <summary>Case-insensitive text in the Service, pod or Ingress name.</summary>
    public string Object { get; init; } = "";

    /// <summary>Case-insensitive text anywhere in the chain: an address, a port, a host, "no endpoints".</summary>
    public string Chain { get; init; } = "";

    public bool IsEmpty => Status is null && Exposure is null && string.IsNullOrWhiteSpace(Object) && string.IsNullOrWhiteSpace(Chain);

    public bool Matches(PathRow row) =>
        (Status is not { } s || row.Status == s)
        && (Exposure is not { } e || row.Exposure == e)
        && Contains(row.Object, Object)
        && Contains(row.Chain, Chain);

    public ImmutableArray<PathRow> Apply(ImmutableArray<PathRow> rows) => IsEmpty ? rows : rows.Where(Matches).ToImmutableArray();

    private static bool Contains(string text, string part) =>
        string.IsNullOrWhiteSpace(part) || text.Contains(part.Trim(), StringComparison.OrdinalIgnoreCase);
}
