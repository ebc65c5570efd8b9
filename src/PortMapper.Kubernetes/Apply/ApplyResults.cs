using System.Collections.Immutable;
using System.Text.Json.Nodes;
using PortMapper.Core.Cluster;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Api;

namespace PortMapper.Kubernetes.Apply;

/// <summary>Turns server answers to server-side apply into results a person can act on.</summary>
internal static class ApplyResults
{
    public static ApplyObjectResult Success(ObjectRef obj, int status, bool dryRun, JsonObject? body)
    {
        var outcome = status == 201 ? ApplyOutcome.Created : ApplyOutcome.Configured;
        var verb = outcome == ApplyOutcome.Created ? "created" : "configured";
        var message = dryRun ? $"{obj} would be {verb} (dry run: nothing was saved)" : $"{obj} {verb}";
        return new ApplyObjectResult(obj, outcome, status, message) { Result = body };
    }

    public static ApplyObjectResult Failed(ObjectRef obj, string message) => new(obj, ApplyOutcome.Error, null, message);

    public static ApplyObjectResult Refused(ObjectRef obj) => new(obj, ApplyOutcome.Refused, null,
        $"{obj} was not applied: this cluster connection is read-only. Start PortMapper with applying enabled to write to the cluster.");

    public static ApplyObjectResult FromError(ApplyTarget target, KubernetesApiException e, ApplyOptions options)
    {
        var obj = target.Ref;
        switch (e.Code)
        {
            case 409 when e.Reason == "Conflict" && e.Causes.Any(c => c.Reason == "FieldManagerConflict"):
                var conflicts = e.Causes
                    .Where(c => c.Reason == "FieldManagerConflict")
                    .Select(c => new FieldConflict(Manager(c.Message), c.Field ?? "", c.Message ?? ""))
                    .ToImmutableArray();
                var list = string.Join("; ", conflicts.Select(c => $"{c.Field} (owned by \"{c.Manager}\")"));
                return new ApplyObjectResult(obj, ApplyOutcome.Conflict, 409,
                    $"{obj}: {conflicts.Length} {(conflicts.Length == 1 ? "field is" : "fields are")} managed by another field manager: {list}. "
                    + "Apply with force to take them over, or leave them out of the manifest.")
                { Conflicts = conflicts };
            case 422:
                var errors = e.Causes.Select(c => new FieldError(c.Field ?? "", c.Reason ?? "", c.Message ?? "")).ToImmutableArray();
                var detail = errors.IsEmpty ? e.ServerMessage : string.Join("; ", errors.Select(x => x.Field.Length == 0 ? x.Message : $"{x.Field}: {x.Message}"));
                return new ApplyObjectResult(obj, ApplyOutcome.Invalid, 422, $"{obj} is invalid: {detail}. Fix the fields and apply again.") { Errors = errors };
            case 403:
                return new ApplyObjectResult(obj, ApplyOutcome.Forbidden, 403,
                    $"{obj} was not applied: {e.ServerMessage}. PortMapper's identity needs patch (and create, for new objects) on {target.Resource.QualifiedName}"
                    + (target.Namespace is { } ns ? $" in namespace \"{ns}\"" : "") + "; see deploy/ for a role that grants it.");
            case 401:
                return new ApplyObjectResult(obj, ApplyOutcome.Unauthorized, 401, e.Message);
            case 404 when e.Status.DetailsKind == "namespaces":
                return new ApplyObjectResult(obj, ApplyOutcome.NotFound, 404,
                    $"{obj} was not applied: namespace \"{e.Status.DetailsName ?? target.Namespace}\" does not exist. "
                    + (options.DryRun && options.CreateNamespaces
                        ? "A real apply creates it first; a dry run cannot check objects inside a namespace that does not exist yet."
                        : "Create it first, or apply with \"create namespaces\" turned on."));
            case 404:
                return new ApplyObjectResult(obj, ApplyOutcome.NotFound, 404,
                    $"{obj} was not applied: the server does not serve {target.ApiVersion} {target.Resource.Kind} ({e.ServerMessage}). Check the apiVersion against the cluster's version.");
            default:
                return new ApplyObjectResult(obj, ApplyOutcome.Error, e.Code, $"{obj} was not applied: {e.Message}");
        }
    }

    /// <summary>The manager in a FieldManagerConflict message: <c>conflict with "kubectl" using apps/v1</c>.</summary>
    private static string Manager(string? message)
    {
        if (message is null)
        {
            return "";
        }

        var start = message.IndexOf('"', StringComparison.Ordinal);
        var end = start < 0 ? -1 : message.IndexOf('"', start + 1);
        return end > start ? message[(start + 1)..end] : message;
    }
}
