using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Cluster;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Api;

namespace PortMapper.Kubernetes.Apply;

/// <summary>Where one manifest object goes: its resource, namespace and the URL to PATCH.</summary>
internal sealed record ApplyTarget(ResourceType Resource, string ApiVersion, string? Namespace, string Name)
{
    public ObjectRef Ref => new(Resource.Kind, Namespace ?? "", Name);

    public string Path => $"{Resource.CollectionPath(ApiVersion, Namespace)}/{Uri.EscapeDataString(Name)}";

    /// <summary>The target, or a result that explains why the object cannot be applied at all.</summary>
    public static (ApplyTarget? Target, ApplyObjectResult? Problem) From(JsonObject obj, string defaultNamespace)
    {
        var kind = Text(obj["kind"]);
        var apiVersion = Text(obj["apiVersion"]);
        var metadata = obj["metadata"] as JsonObject;
        var name = Text(metadata?["name"]);
        var ns = Text(metadata?["namespace"]);
        var where = new ObjectRef(kind ?? "(no kind)", ns ?? "", name ?? "(no name)");
        if (kind is null || apiVersion is null)
        {
            return (null, ApplyResults.Failed(where, $"{where}: the object needs apiVersion and kind before it can be applied."));
        }

        if (string.IsNullOrEmpty(name))
        {
            return (null, ApplyResults.Failed(where, $"{where}: metadata.name is required (server-side apply cannot use generateName)."));
        }

        if (!ResourceType.Applicable.TryGetValue(kind, out var resource))
        {
            return (null, ApplyResults.Failed(where,
                $"{where}: PortMapper cannot apply kind {kind}. It applies {string.Join(", ", ResourceType.Applicable.Keys.Order(StringComparer.Ordinal))}; apply this one with kubectl."));
        }

        var group = apiVersion.Contains('/', StringComparison.Ordinal) ? apiVersion[..apiVersion.IndexOf('/', StringComparison.Ordinal)] : "";
        if (group != resource.Group)
        {
            return (null, ApplyResults.Failed(where,
                $"{where}: apiVersion {apiVersion} does not serve {kind}; use apiVersion {resource.ApiVersion}."));
        }

        return (new ApplyTarget(resource, apiVersion, resource.Namespaced ? ns ?? defaultNamespace : null, name), null);
    }

    /// <summary>A JSON string's value; null for anything else (manifests can hold any type anywhere).</summary>
    public static string? Text(JsonNode? n) => n is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;
}
