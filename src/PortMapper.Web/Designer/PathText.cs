using System.Globalization;
using PortMapper.Core.Analysis;

namespace PortMapper.Web.Designer;

/// <summary>Short text for paths and hops in the designer's what-if list.</summary>
public static class PathText
{
    public static string Hop(Hop h)
    {
        var port = h.Port is { } n ? ":" + n.ToString(CultureInfo.InvariantCulture) : "";
        return h.Kind switch
        {
            HopKind.Client => h.Name ?? "client",
            HopKind.NodePort => h.Port is null ? $"{h.Name} :(nodePort not allocated yet)" : $"{h.Name} {port}".Trim(),
            HopKind.Endpoints when h.Endpoints.Length > 0 =>
                $"{h.Endpoints.Length} pod{(h.Endpoints.Length == 1 ? "" : "s")} {(h.Port is null && h.Name is not null ? ":" + h.Name : port)}".Trim(),
            HopKind.Endpoints => "no endpoints",
            HopKind.Dns or HopKind.ExternalName => h.Name ?? "",
            HopKind.Gateway when h.Name?.Contains("://", StringComparison.Ordinal) == true => h.Name,
            HopKind.Ingress or HopKind.Gateway => $"{(h.Tls ? "https" : "http")}://{h.Name}",
            _ => h.Addresses.IsDefaultOrEmpty
                ? $"{h.Name} {port}".Trim()
                : $"{string.Join(", ", h.Addresses.Take(2))}{(h.Addresses.Length > 2 ? $" +{h.Addresses.Length - 2}" : "")}{port}",
        };
    }

    public static string Status(PathStatus s) => s switch
    {
        PathStatus.Ok => "ok",
        PathStatus.Degraded => "degraded",
        _ => "broken",
    };

    public static string Severity(Severity s) => s switch
    {
        Core.Analysis.Severity.Error => "error",
        Core.Analysis.Severity.Warning => "warning",
        _ => "info",
    };
}
