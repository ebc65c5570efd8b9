using System.Collections.Immutable;
using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Model;

namespace PortMapper.Core.Validation;

/// <summary>
/// Validates one object as written (from YAML or JSON) the way the API server validates it on create, for the rules
/// PortMapper mirrors: object names, Services, the ports of Pods and pod templates, and networking.k8s.io/v1
/// Ingresses and NetworkPolicies. Defaulting is applied first, as the server does, so that messages match. See docs/validation.md.
/// </summary>
public static class ManifestValidator
{
    /// <summary>The kinds PortMapper validates, the apiVersion each must be sent as, and how it is checked.</summary>
    private static readonly ImmutableDictionary<string, KindRule> Kinds = new Dictionary<string, KindRule>
    {
        ["Service"] = new("v1", true, KubeFormats.IsDns1035Label, ServiceRules.Validate),
        ["Pod"] = new("v1", true, KubeFormats.IsDns1123Subdomain, (o, f) => PodSpecRules.Validate(JsonFields.Object(o, "spec", "spec", f), "spec", isPod: true, f)),
        ["Namespace"] = new("v1", false, KubeFormats.IsDns1123Label, (_, _) => { }),
        ["Deployment"] = new("apps/v1", true, KubeFormats.IsDns1123Subdomain, (o, f) => WorkloadRules.Validate(o, "Deployment", f)),
        ["ReplicaSet"] = new("apps/v1", true, KubeFormats.IsDns1123Subdomain, (o, f) => WorkloadRules.Validate(o, "ReplicaSet", f)),
        ["DaemonSet"] = new("apps/v1", true, KubeFormats.IsDns1123Subdomain, (o, f) => WorkloadRules.Validate(o, "DaemonSet", f)),

        // StatefulSet pods are named <name>-<ordinal> and need a DNS label, so the name itself must be one.
        ["StatefulSet"] = new("apps/v1", true, KubeFormats.IsDns1123Label, (o, f) => WorkloadRules.Validate(o, "StatefulSet", f)),
        ["Job"] = new("batch/v1", true, KubeFormats.IsDns1123Subdomain, (o, f) => WorkloadRules.Validate(o, "Job", f)),
        ["Ingress"] = new("networking.k8s.io/v1", true, KubeFormats.IsDns1123Subdomain, IngressRules.Validate),
        ["NetworkPolicy"] = new("networking.k8s.io/v1", true, KubeFormats.IsDns1123Subdomain, NetworkPolicyRules.Validate),
        ["Gateway"] = new("gateway.networking.k8s.io/v1", true, KubeFormats.IsDns1123Subdomain, GatewayRules.Validate),
        ["HTTPRoute"] = new("gateway.networking.k8s.io/v1", true, KubeFormats.IsDns1123Subdomain, GatewayRules.Validate),
        ["GRPCRoute"] = new("gateway.networking.k8s.io/v1", true, KubeFormats.IsDns1123Subdomain, GatewayRules.Validate),
        ["ReferenceGrant"] = new("gateway.networking.k8s.io/v1beta1", true, KubeFormats.IsDns1123Subdomain, GatewayRules.Validate),
        ["TLSRoute"] = new("gateway.networking.k8s.io/v1alpha2", true, KubeFormats.IsDns1123Subdomain, GatewayRules.Validate),
        ["TCPRoute"] = new("gateway.networking.k8s.io/v1alpha2", true, KubeFormats.IsDns1123Subdomain, GatewayRules.Validate),
    }.ToImmutableDictionary(StringComparer.Ordinal);

    public static ImmutableArray<ValidationFinding> Validate(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var f = new FindingList();
        var apiVersion = JsonFields.String(obj, "apiVersion", "apiVersion", f) ?? "";
        var kind = JsonFields.String(obj, "kind", "kind", f) ?? "";
        if (apiVersion.Length == 0)
        {
            f.Required("apiVersion");
        }

        if (kind.Length == 0)
        {
            f.Required("kind");
        }

        if (apiVersion.Length == 0 || kind.Length == 0)
        {
            return f.ToImmutable();
        }

        if (!Kinds.TryGetValue(kind, out var rule))
        {
            f.Info("kind", $"PortMapper does not validate kind {GoValues.Quote(kind)}: the API server will check it when it is applied");
            return f.ToImmutable();
        }

        if (apiVersion != rule.ApiVersion)
        {
            // The server has no such resource at all (e.g. extensions/v1beta1 Ingress, removed in 1.22).
            f.NotSupported("apiVersion", apiVersion, [rule.ApiVersion]);
            return f.ToImmutable();
        }

        ObjectMetaRules.Validate(obj, rule.NameRule, rule.Namespaced, f);
        rule.ValidateSpec(obj, f);
        return f.ToImmutable();
    }

    /// <summary>
    /// Which object a manifest describes. A namespaced object without a namespace goes to "default", as
    /// <c>kubectl apply</c> without <c>-n</c> would send it.
    /// </summary>
    public static ObjectRef Describe(JsonObject obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        var kind = Text(obj["kind"]) ?? "";
        var meta = obj["metadata"] as JsonObject;
        var name = Text(meta?["name"]) ?? Text(meta?["generateName"]) ?? "";
        var ns = Text(meta?["namespace"]) ?? "";
        if (ns.Length == 0 && Kinds.TryGetValue(kind, out var rule) && rule.Namespaced)
        {
            ns = "default";
        }

        return new ObjectRef(kind, kind == "Namespace" ? "" : ns, name);
    }

    private static string? Text(JsonNode? node) =>
        node is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private sealed record KindRule(string ApiVersion, bool Namespaced, Func<string, List<string>> NameRule, Action<JsonObject, FindingList> ValidateSpec);
}
