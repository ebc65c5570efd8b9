using System.Collections.Immutable;
using System.Globalization;
using PortMapper.Core.Analysis;

namespace PortMapper.Web.Components.Paths;

/// <summary>
/// One row of the /paths grid: a traffic path with the texts its columns sort and filter on, computed once per
/// analysis so that sorting and filtering 15,000 rows compares strings instead of walking hops.
/// </summary>
internal sealed record PathRow
{
    public required TrafficPath Path { get; init; }

    public string Id => Path.Id;

    public string Namespace => Path.Namespace;

    public PathStatus Status => Path.Status;

    public Exposure Exposure => Path.Exposure;

    /// <summary>The Service (or pod) the path reaches, and the Ingress in front of it.</summary>
    public required string Object { get; init; }

    /// <summary>Every hop's text joined by arrows: what the "Path" column filters on.</summary>
    public required string Chain { get; init; }

    public required ImmutableArray<string> HopTexts { get; init; }

    public static ImmutableArray<PathRow> From(ImmutableArray<TrafficPath> paths)
    {
        var rows = ImmutableArray.CreateBuilder<PathRow>(paths.Length);

        // Namespaces in name order (the grid groups in the order rows come); within one, the analysis' own order.
        foreach (var p in paths.OrderBy(p => p.Namespace, StringComparer.Ordinal))
        {
            var hops = p.Hops.Select(HopText).ToImmutableArray();
            rows.Add(new PathRow
            {
                Path = p,
                Object = (p.Service?.Name ?? p.Pod?.Name ?? "") + (p.Ingress is null ? "" : $" (Ingress {p.Ingress.Name})"),
                Chain = string.Join(" → ", hops),
                HopTexts = hops,
            });
        }

        return rows.MoveToImmutable();
    }

    public static string HopText(Hop h)
    {
        var port = h.Port is { } n ? ":" + n.ToString(CultureInfo.InvariantCulture) : "";
        return h.Kind switch
        {
            HopKind.Client => h.Name ?? "client",
            HopKind.NodePort => $"{h.Name} {port}".Trim(),
            HopKind.Endpoints when h.Endpoints.Length > 0 => $"{h.Endpoints.Length} pod{(h.Endpoints.Length == 1 ? "" : "s")} {(h.Port is null && h.Name is not null ? ":" + h.Name : port)}".Trim(),
            HopKind.Endpoints => "no endpoints",
            HopKind.Dns or HopKind.ExternalName => h.Name ?? "",
            HopKind.Gateway when h.Name?.Contains("://", StringComparison.Ordinal) == true => h.Name,
            HopKind.Ingress or HopKind.Gateway => $"{(h.Tls ? "https" : "http")}://{h.Name}",
            _ => h.Addresses.IsDefaultOrEmpty ? $"{h.Name} {port}".Trim() : $"{string.Join(", ", h.Addresses.Take(2))}{(h.Addresses.Length > 2 ? $" +{h.Addresses.Length - 2}" : "")}{port}",
        };
    }

    public static string StatusClass(PathStatus s) => s switch { PathStatus.Ok => "ok", PathStatus.Degraded => "degraded", _ => "broken" };

    public static string StatusLabel(PathStatus s) => s switch { PathStatus.Ok => "✓ ok", PathStatus.Degraded => "! degraded", _ => "✕ broken" };

    /// <summary>"1 path", "2 paths": counts as a person writes them.</summary>
    public static string Count(int n, string singular, string? plural = null) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? singular : plural ?? singular + "s");
}
