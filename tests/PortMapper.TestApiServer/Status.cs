using System.Text.Json.Nodes;

namespace PortMapper.TestApiServer;

/// <summary>metav1.Status bodies, field for field in the order the API server writes them (see the recordings).</summary>
internal static class Status
{
    public static JsonObject Failure(int code, string reason, string message, JsonObject? details = null, JsonObject? metadata = null)
    {
        var status = new JsonObject
        {
            ["kind"] = "Status",
            ["apiVersion"] = "v1",
            ["metadata"] = metadata ?? new JsonObject(),
            ["status"] = "Failure",
            ["message"] = message,
            ["reason"] = reason,
        };
        if (details is not null)
        {
            status["details"] = details;
        }

        status["code"] = code;
        return status;
    }

    /// <summary>details: name, group (non-core only), kind, causes, in Go's field order.</summary>
    public static JsonObject Details(string? name, string? group, string? kind, IEnumerable<FieldCause>? causes = null)
    {
        var details = new JsonObject();
        if (name is not null)
        {
            details["name"] = name;
        }

        if (!string.IsNullOrEmpty(group))
        {
            details["group"] = group;
        }

        if (kind is not null)
        {
            details["kind"] = kind;
        }

        if (causes is not null)
        {
            details["causes"] = new JsonArray(causes.Select(c => (JsonNode)new JsonObject
            {
                ["reason"] = c.Reason,
                ["message"] = c.Message,
                ["field"] = c.Field,
            }).ToArray());
        }

        return details;
    }

    public static JsonObject Unauthorized() => Failure(401, "Unauthorized", "Unauthorized");

    public static JsonObject Forbidden(UserInfo user, string verb, ServedResource r, string? ns, string? name) =>
        Failure(403, "Forbidden",
            $"{r.Qualified}{(name is null ? "" : $" \"{name}\"")} is forbidden: User \"{user.Name}\" cannot {verb} resource \"{r.Plural}\" in API group \"{r.Group}\" "
            + (ns is null ? "at the cluster scope" : $"in the namespace \"{ns}\""),
            Details(name, r.Group, r.Plural));

    public static JsonObject NotFound(ServedResource r, string name) =>
        Failure(404, "NotFound", $"{r.Qualified} \"{name}\" not found", Details(name, r.Group, r.Plural));

    public static JsonObject NamespaceNotFound(string ns) =>
        Failure(404, "NotFound", $"namespaces \"{ns}\" not found", Details(ns, null, "namespaces"));

    public static JsonObject UnknownResource() =>
        Failure(404, "NotFound", "the server could not find the requested resource", new JsonObject());

    public static JsonObject AlreadyExists(ServedResource r, string name) =>
        Failure(409, "AlreadyExists", $"{r.Qualified} \"{name}\" already exists", Details(name, r.Group, r.Plural));

    public static JsonObject Invalid(ServedResource r, string name, IReadOnlyList<FieldCause> causes)
    {
        var list = causes.Select(c => $"{c.Field}: {c.Message}").ToList();
        var summary = list.Count == 1 ? list[0] : $"[{string.Join(", ", list)}]";
        return Failure(422, "Invalid", $"{r.Kind} \"{name}\" is invalid: {summary}", Details(name, r.Group, r.Kind, causes));
    }

    public static JsonObject ApplyConflicts(IReadOnlyList<ApplyConflict> conflicts)
    {
        string message;
        if (conflicts.Count == 1)
        {
            message = $"Apply failed with 1 conflict: {conflicts[0].Message}: {ServerSideApply.Render(conflicts[0].Path)}";
        }
        else
        {
            var groups = conflicts.GroupBy(c => c.Message).Select(g =>
                $"conflicts with \"{g.First().Manager}\"{(g.First().Operation == "Apply" ? "" : $" using {g.First().ApiVersion}")}:\n"
                + string.Join("\n", g.Select(c => $"- {ServerSideApply.Render(c.Path)}")));
            message = $"Apply failed with {conflicts.Count} conflicts: {string.Join("\n", groups)}";
        }

        return Failure(409, "Conflict", message,
            Details(null, null, null, conflicts.Select(c => new FieldCause("FieldManagerConflict", c.Message, ServerSideApply.Render(c.Path)))));
    }

    public static JsonObject ListExpired() => Failure(410, "Expired", "The resourceVersion for the provided list is too old.");

    public static JsonObject ContinueExpired() => Failure(410, "Expired",
        "The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, "
        + "or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an "
        + "inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.");

    public static JsonObject WatchExpired(long requested, long oldest) => Failure(410, "Expired", $"too old resource version: {requested} ({oldest})");

    public static JsonObject BadRequest(string message) => Failure(400, "BadRequest", message);

    public static JsonObject InternalError(string message) =>
        Failure(500, "InternalError", $"Internal error occurred: {message}", new JsonObject { ["causes"] = new JsonArray(new JsonObject { ["message"] = message }) });
}
