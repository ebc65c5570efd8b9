using PortMapper.Web.Hosting;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.KubeProxy;
using PortMapper.Core.Model;
using PortMapper.Core.Trace;

namespace PortMapper.Web.Api;

/// <summary>The JSON API shared by the UI, the tests and users' scripts (docs/api.md).</summary>
public static partial class ApiEndpoints
{
    public static IEndpointRouteBuilder MapPortMapperApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api");
        api.MapGet("/paths", GetPaths);
        api.MapGet("/diagnostics", GetDiagnostics);
        api.MapGet("/cluster", GetCluster);
        api.MapGet("/kubeproxy/{namespace}/{name}", GetKubeProxy);
        api.MapGet("/trace", GetTrace);
        api.MapGet("/graph", GraphEndpoints.GetGraph);
        return app;
    }

    private static Results<Ok<IEnumerable<ApiPath>>, ProblemHttpResult> GetPaths(LiveAnalysis live, string? @namespace)
    {
        var analysis = live.Current.Analysis;
        if (CheckNamespace(analysis, @namespace) is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok(analysis.PathsIn(@namespace).Select(ApiMapper.Map));
    }

    private static Results<Ok<IEnumerable<ApiDiagnostic>>, ProblemHttpResult> GetDiagnostics(LiveAnalysis live, string? @namespace)
    {
        var analysis = live.Current.Analysis;
        if (CheckNamespace(analysis, @namespace) is { } problem)
        {
            return problem;
        }

        return TypedResults.Ok(analysis.DiagnosticsIn(@namespace)
            .OrderBy(d => d.Severity)
            .ThenBy(d => d.Object.Namespace, StringComparer.Ordinal)
            .ThenBy(d => d.Object.Name, StringComparer.Ordinal)
            .ThenBy(d => d.Code, StringComparer.Ordinal)
            .Select(ApiMapper.Map));
    }

    private static Results<ContentHttpResult, ProblemHttpResult> GetKubeProxy(LiveAnalysis live, PortMapperOptions options, string @namespace, string name, string? node, string? mode, string? family)
    {
        var analysis = live.Current.Analysis;
        if (CheckNamespace(analysis, @namespace) is { } problem)
        {
            return problem;
        }

        ProxyMode proxyMode;
        if (mode is not null)
        {
            if (!Dataplane.TryParseMode(mode, out proxyMode))
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid kube-proxy mode", $"mode: \"{mode}\" is not a kube-proxy mode; use iptables, nftables or ipvs (the default is what the cluster runs).");
            }
        }
        else
        {
            var dataplane = Dataplane.Detect(analysis.Snapshot, options.ProxyMode);
            if (dataplane.Mode == ProxyMode.Replaced)
            {
                return Problem(StatusCodes.Status404NotFound, "No kube-proxy rules", $"{dataplane.Summary}. Pass mode=iptables, mode=nftables or mode=ipvs to see what kube-proxy would program.");
            }

            proxyMode = dataplane.Mode;
        }

        string? ipFamily = null;
        if (family is not null)
        {
            ipFamily = family.ToLowerInvariant() switch
            {
                "ipv4" or "v4" or "4" => IpFamily.V4,
                "ipv6" or "v6" or "6" => IpFamily.V6,
                _ => null,
            };
            if (ipFamily is null)
            {
                return Problem(StatusCodes.Status400BadRequest, "Invalid address family", $"family: \"{family}\" is not an address family; use IPv4 or IPv6 (the default is the Service's primary family).");
            }
        }

        var key = new ObjectKey(@namespace, name);
        string? error;
        string? text = proxyMode switch
        {
            ProxyMode.Nftables => KubeProxyFromAnalysis.GenerateNftables(analysis, key, node, out error, ipFamily)?.ToNftList(),
            ProxyMode.Ipvs => KubeProxyFromAnalysis.GenerateIpvs(analysis, key, node, out error, ipFamily)?.ToIpvsadm(),
            _ => KubeProxyFromAnalysis.Generate(analysis, key, node, out error, ipFamily)?.ToIptablesSave(),
        };
        return text is null
            ? Problem(error!.StartsWith("node", StringComparison.Ordinal) ? StatusCodes.Status400BadRequest : StatusCodes.Status404NotFound, "No kube-proxy rules", error)
            : TypedResults.Text(text, "text/plain; charset=utf-8");
    }

    private static Results<Ok<ApiTrace>, ProblemHttpResult> GetTrace(LiveAnalysis live, PortMapperOptions options, string? from, string? to)
    {
        var analysis = live.Current.Analysis;
        if (!TraceSource.TryParse(from ?? "external", analysis.Snapshot, out var source, out var sourceError))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid trace source", $"from: {sourceError}");
        }

        if (string.IsNullOrWhiteSpace(to))
        {
            return Problem(StatusCodes.Status400BadRequest, "Missing trace target", $"to is required. {TraceTarget.AcceptedForms}");
        }

        if (!TraceTarget.TryParse(to, out var target, out var targetError))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid trace target", $"to: {targetError}");
        }

        // The steps name the chains of the mode the cluster runs (iptables names when it runs no kube-proxy at all).
        var mode = Dataplane.Detect(analysis.Snapshot, options.ProxyMode).Mode;
        return TypedResults.Ok(ApiMapper.Map(Tracer.Trace(analysis, source!, target!, mode: mode)));
    }

    private static Ok<ApiCluster> GetCluster(LiveAnalysis live, PortMapperOptions options) => TypedResults.Ok(ApiMapper.MapCluster(live.Source, live.Current, options.ProxyMode));

    /// <summary>A namespace filter must be a DNS-1123 label that the cluster knows; anything else is a 400 or 404 that says so.</summary>
    internal static ProblemHttpResult? CheckNamespace(ClusterAnalysis analysis, string? ns)
    {
        if (ns is null)
        {
            return null;
        }

        if (!DnsLabel().IsMatch(ns))
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid namespace",
                $"namespace \"{ns}\" is not a valid namespace name: it must be a DNS-1123 label (lower-case letters, digits and '-', at most 63 characters, starting and ending with a letter or digit).");
        }

        var known = analysis.Snapshot.NamespaceNames();
        if (!known.Contains(ns))
        {
            return Problem(StatusCodes.Status404NotFound, "Namespace not found",
                $"namespace \"{ns}\" does not exist in this cluster. Known namespaces: {string.Join(", ", known)}.");
        }

        return null;
    }

    internal static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(detail: detail, statusCode: status, title: title);

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")]
    private static partial Regex DnsLabel();
}
