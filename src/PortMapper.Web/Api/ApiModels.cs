using PortMapper.Core.KubeProxy;
using System.Collections.Immutable;
using System.Text.Json.Serialization;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Demo;
using PortMapper.Core.Model;
using PortMapper.Core.Trace;

namespace PortMapper.Web.Api;

// The JSON contract of /api (docs/api.md). Domain types are mapped here so that the contract changes only on purpose.

/// <param name="Ips">A dual-stack endpoint's address of each family (primary first); left out when it has one.</param>
public sealed record ApiEndpoint(string? Ip, int? Port, string? Pod, string? Node, bool Ready, bool Predicted,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImmutableArray<string>? Ips = null);

public sealed record ApiHop(
    string Kind,
    ImmutableArray<string> Addresses,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Port,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Name,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Note,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImmutableArray<string>? Nodes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImmutableArray<string>? DeliveringNodes,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImmutableArray<ApiEndpoint>? Endpoints,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Tls,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool Broken);

public sealed record ApiPath(
    string Id,
    string Namespace,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Service,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Pod,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Ingress,
    string Exposure,
    string Protocol,
    string From,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PortName,
    ImmutableArray<ApiHop> Hops,
    string Status,
    ImmutableArray<string> Diagnostics)
{
    /// <summary>For a Gateway path: the route ("HTTPRoute ns/name"), its Gateway and listener, the rule and the backend's share of it.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public ApiGatewayLeg? Gateway { get; init; }
}

public sealed record ApiGatewayLeg(ApiObjectRef Route, ApiObjectRef Gateway, string Listener, int Rule, double Weight);

public sealed record ApiObjectRef(string Kind, string Namespace, string Name);

public sealed record ApiDiagnostic(
    string Code,
    string Severity,
    ApiObjectRef Object,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Field,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Hop,
    string Message,
    string Fix,
    ImmutableArray<string> Paths);

public sealed record ApiTraceHop(
    string Kind,
    string Translation,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Address,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Node,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Chain,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImmutableArray<string?>? EndpointChains);

/// <summary>
/// NetworkPolicy at one endpoint pod, on the packet after DNAT: allowed, blocked or depends, the deciding policy and
/// rule, and the walk across tiers. Always a prediction from the objects.
/// </summary>
public sealed record ApiPolicyVerdict(
    ApiEndpoint Endpoint,
    string Verdict,
    string Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ApiObjectRef? Policy,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Rule,
    string Walk);

public sealed record ApiTrace(
    bool Reachable,
    ImmutableArray<ApiTraceHop> Hops,
    ImmutableArray<ApiEndpoint> Endpoints,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? PathId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] ImmutableArray<ApiPolicyVerdict>? Policies,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? DroppedAt);

public sealed record ApiHidden(string Resource, string? Namespace, string Reason);

public sealed record ApiHealth(string Status, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? LastError, DateTimeOffset? Since, ImmutableArray<ApiHidden> Hidden);

public sealed record ApiSkipped(string ApiVersion, string Kind, string Name, string Source);

public sealed record ApiCluster(
    string Source,
    string DisplayName,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Context,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Server,
    bool CanApply,
    ImmutableSortedDictionary<string, int> Objects,
    ImmutableSortedDictionary<string, int> Diagnostics,
    int Paths,
    ApiHealth Health,
    ImmutableArray<ApiSkipped> Skipped)
{
    /// <summary>What carries Service traffic: kube-proxy's mode (iptables, nftables, ipvs) or none, and how PortMapper knows.</summary>
    public ApiDataplane? Dataplane { get; init; }
}

public sealed record ApiDataplane(string Mode, string Source, string Summary, [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Replacement);

public static class ApiMapper
{
    public static string Name(ObjectRef r) => r.Namespace.Length == 0 ? r.Name : $"{r.Namespace}/{r.Name}";

    public static string HopKindName(HopKind k) => k switch
    {
        HopKind.Client => "client",
        HopKind.LoadBalancer => "loadBalancer",
        HopKind.Ingress => "ingress",
        HopKind.Gateway => "gateway",
        HopKind.NodePort => "nodePort",
        HopKind.ExternalIp => "externalIP",
        HopKind.ClusterIp => "clusterIP",
        HopKind.Dns => "dns",
        HopKind.ExternalName => "externalName",
        HopKind.HostPort => "hostPort",
        HopKind.HostNetwork => "hostNetwork",
        _ => "endpoints",
    };

    public static string StatusName(PathStatus s) => s switch
    {
        PathStatus.Ok => "ok",
        PathStatus.Degraded => "degraded",
        _ => "broken",
    };

    public static string SeverityName(Severity s) => s switch
    {
        Severity.Error => "error",
        Severity.Warning => "warning",
        _ => "info",
    };

    public static ApiEndpoint Map(EndpointTarget e) =>
        new(e.Ip, e.Port, e.Pod is null ? null : Name(e.Pod), e.NodeName, e.Ready, e.Predicted, e.Ips.Length > 1 ? e.Ips : null);

    public static ApiHop Map(Hop h) => new(
        HopKindName(h.Kind),
        h.Addresses.IsDefault ? [] : h.Addresses,
        h.Port,
        h.Name,
        h.Note,
        h.Nodes.IsDefaultOrEmpty ? null : h.Nodes,
        h.DeliveringNodes,
        h.Kind == HopKind.Endpoints ? h.Endpoints.Select(Map).ToImmutableArray() : null,
        h.Tls,
        h.Broken);

    public static ApiPath Map(TrafficPath p) => new(
        p.Id,
        p.Namespace,
        p.Service is null ? null : Name(p.Service),
        p.Pod is null ? null : Name(p.Pod),
        p.Ingress is null ? null : Name(p.Ingress),
        p.Exposure.ToString(),
        p.Protocol,
        p.From == ClientKind.External ? "external" : "in-cluster",
        p.PortName,
        p.Hops.Select(Map).ToImmutableArray(),
        StatusName(p.Status),
        p.Diagnostics)
    {
        Gateway = p.Route is { } r && p.Gateway is { } g
            ? new ApiGatewayLeg(new ApiObjectRef(r.Kind, r.Namespace, r.Name), new ApiObjectRef(g.Kind, g.Namespace, g.Name), p.Listener ?? "", p.RuleIndex ?? 0, p.Weight ?? 1)
            : null,
    };

    public static ApiDiagnostic Map(Diagnostic d) => new(
        d.Code,
        SeverityName(d.Severity),
        new ApiObjectRef(d.Object.Kind, d.Object.Namespace, d.Object.Name),
        d.Field,
        d.Hop is { } hop ? HopKindName(hop) : null,
        d.Message,
        d.Fix,
        d.Paths);

    public static ApiTrace Map(TraceResult t) => new(
        t.Reachable,
        t.Steps.Select(s => new ApiTraceHop(
            char.ToLowerInvariant(s.Kind.ToString()[0]) + s.Kind.ToString()[1..],
            s.Translation,
            s.Address,
            s.Node,
            s.Chain,
            s.EndpointChains.IsDefaultOrEmpty ? null : s.EndpointChains)).ToImmutableArray(),
        t.Endpoints.Select(Map).ToImmutableArray(),
        t.Reason,
        t.PathId,
        t.Policies.IsDefaultOrEmpty ? null : t.Policies.Select(v => new ApiPolicyVerdict(
            Map(v.Endpoint),
            v.Verdict.Verdict.ToString().ToLowerInvariant(),
            v.Verdict.Reason,
            v.Verdict.Policy is { } p ? new ApiObjectRef(p.Kind, p.Namespace, p.Name) : null,
            v.Verdict.Deciding?.RulePath,
            v.Verdict.Walk)).ToImmutableArray(),
        t.DroppedAt is { } dropped ? HopKindName(dropped) : null);

    public static ApiCluster MapCluster(IClusterSource source, AnalysisUpdate update, ProxyMode? configured = null)
    {
        var dataplane = PortMapper.Core.KubeProxy.Dataplane.Detect(update.Analysis.Snapshot, configured);
        var s = update.Analysis.Snapshot;
        var objects = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, int>
        {
            ["namespaces"] = s.NamespaceNames().Count,
            ["nodes"] = s.Nodes.Count,
            ["pods"] = s.Pods.Count,
            ["workloads"] = s.Workloads.Count,
            ["services"] = s.Services.Count,
            ["endpointSlices"] = s.EndpointSlices.Count,
            ["ingresses"] = s.Ingresses.Count,
            ["ingressClasses"] = s.IngressClasses.Count,
        });
        var diagnostics = ImmutableSortedDictionary.CreateRange(StringComparer.Ordinal, new Dictionary<string, int>
        {
            ["error"] = update.Analysis.Diagnostics.Count(d => d.Severity == Severity.Error),
            ["warning"] = update.Analysis.Diagnostics.Count(d => d.Severity == Severity.Warning),
            ["info"] = update.Analysis.Diagnostics.Count(d => d.Severity == Severity.Info),
        });
        var st = update.State;
        return new ApiCluster(
            source.Info.KindName,
            source.Info.DisplayName,
            source.Info.Context,
            source.Info.Server,
            source.CanApply,
            objects,
            diagnostics,
            update.Analysis.Paths.Length,
            new ApiHealth(st.StatusName, st.LastError, st.Since, st.Hidden.IsDefault ? [] : st.Hidden.Select(h => new ApiHidden(h.Resource, h.Namespace, h.Reason)).ToImmutableArray()),
            source is DemoCluster demo ? demo.Skipped.Select(x => new ApiSkipped(x.ApiVersion, x.Kind, x.Name, x.Source.ToString())).ToImmutableArray() : [])
        {
            Dataplane = new ApiDataplane(dataplane.ModeName, dataplane.Source, dataplane.Summary, dataplane.Replacement),
        };
    }
}
