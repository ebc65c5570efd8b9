using System.Collections.Immutable;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;
using PortMapper.Core.Cluster;
using PortMapper.Core.Design;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;
using PortMapper.Web.Designer;
using PortMapper.Web.Security;

namespace PortMapper.Web.Api;

public sealed record ApiFinding(string Field, string Severity, string Message);

public sealed record ApiObjectValidation(ApiObjectRef Object, int Document, int Line, ImmutableArray<ApiFinding> Findings);

public sealed record ApiConflict(string Manager, string Field);

public sealed record ApiFieldError(string Field, string Message);

public sealed record ApiApplyResult(
    ApiObjectRef Object,
    string Outcome,
    int? Status,
    string Message,
    ImmutableArray<ApiConflict> Conflicts,
    ImmutableArray<ApiFieldError> Errors);

/// <summary>
/// The designer's API (docs/api.md): validate manifests against the cluster, and server-side apply them (or dry-run
/// them) through the apply guard. Bodies are YAML or JSON, one or more objects.
/// </summary>
public static class ManifestEndpoints
{
    /// <summary>A manifest set larger than this is not something a person designs; refuse it rather than buffer it.</summary>
    internal const int MaxBodyBytes = 4 * 1024 * 1024;

    private static readonly string[] ValidateTypes = ["application/yaml", "text/yaml", "application/x-yaml", "application/json", "text/plain"];

    // No text/plain, form or multipart types here: a cross-site <form> can send those without a CORS preflight,
    // so accepting them would let any web page make a visitor's browser apply to the cluster.
    private static readonly string[] ApplyTypes = ["application/yaml", "text/yaml", "application/x-yaml", "application/json"];

    public static IEndpointRouteBuilder MapManifestApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/manifests").DisableAntiforgery();
        api.MapPost("/validate", ValidateAsync);
        api.MapPost("/apply", ApplyAsync);
        return app;
    }

    private static async Task<Results<Ok<ImmutableArray<ApiObjectValidation>>, ProblemHttpResult>> ValidateAsync(HttpContext context, LiveAnalysis live)
    {
        var (documents, problem) = await ReadBodyAsync(context, ValidateTypes);
        if (problem is not null)
        {
            return problem;
        }

        var validations = ManifestValidation.Validate(documents.Select(d => d.Object).ToList(), live.Current.Analysis.Snapshot);
        return TypedResults.Ok(validations.Select((v, i) => new ApiObjectValidation(
            Map(v.Object),
            documents[i].DocumentIndex + 1,
            documents[i].Line,
            [.. v.Findings.Select(f => new ApiFinding(f.Field, Severity(f.Severity), f.Message))])).ToImmutableArray());
    }

    private static async Task<Results<Ok<ImmutableArray<ApiApplyResult>>, ProblemHttpResult>> ApplyAsync(
        HttpContext context, LiveAnalysis live, IApplyGuard guard, string? dryRun, string? force, string? fieldManager, string? createNamespaces)
    {
        if (!TryFlag("dryRun", dryRun, required: true, out var isDryRun, out var problem) ||
            !TryFlag("force", force, required: false, out var isForced, out problem) ||
            !TryFlag("createNamespaces", createNamespaces, required: false, out var createsNamespaces, out problem))
        {
            return problem!;
        }

        if (fieldManager is not null && (fieldManager.Length is 0 or > 128 || fieldManager.Any(char.IsControl)))
        {
            return ApiEndpoints.Problem(StatusCodes.Status400BadRequest, "Invalid field manager",
                "fieldManager must be 1 to 128 printable characters (it names who owns the applied fields; the default is \"portmapper\").");
        }

        var (documents, bodyProblem) = await ReadBodyAsync(context, ApplyTypes);
        if (bodyProblem is not null)
        {
            return bodyProblem;
        }

        var options = new ApplyOptions(isDryRun, isForced, fieldManager ?? "portmapper", createsNamespaces);
        // The source through LiveAnalysis, never injected: it changes on a context switch, and a per-request
        // IClusterSource would be disposed (the shared source with it) when the request ends.
        var outcome = await GuardedApply.RunAsync(guard, live.Source, context.User, documents.Select(d => d.Object).ToList(), options, context.RequestAborted);
        if (outcome.Refused)
        {
            return ApiEndpoints.Problem(StatusCodes.Status403Forbidden, isDryRun ? "Dry run not allowed" : "Apply not allowed",
                outcome.Decision.Reason ?? "This user may not write to the cluster.");
        }

        return TypedResults.Ok(outcome.Results.Select(Map).ToImmutableArray());
    }

    internal static ApiApplyResult Map(ApplyObjectResult r) => new(
        Map(r.Object),
        r.Outcome.ToString().ToLowerInvariant(),
        r.HttpStatus,
        r.Message,
        [.. r.Conflicts.Select(c => new ApiConflict(c.Manager, c.Field))],
        [.. r.Errors.Select(e => new ApiFieldError(e.Field, e.Message))]);

    private static ApiObjectRef Map(ObjectRef r) => new(r.Kind, r.Namespace, r.Name);

    private static string Severity(ValidationSeverity s) => s switch
    {
        ValidationSeverity.Error => "error",
        ValidationSeverity.Warning => "warning",
        _ => "info",
    };

    private static bool TryFlag(string name, string? value, bool required, out bool flag, out ProblemHttpResult? problem)
    {
        flag = false;
        problem = null;
        switch (value)
        {
            case null when !required:
            case "false":
                return true;
            case "true":
                flag = true;
                return true;
            case null:
                problem = ApiEndpoints.Problem(StatusCodes.Status400BadRequest, $"Missing {name}",
                    $"{name} is required: {name}=true asks the cluster for a server-side dry run (nothing is stored), {name}=false applies.");
                return false;
            default:
                problem = ApiEndpoints.Problem(StatusCodes.Status400BadRequest, $"Invalid {name}", $"{name} must be true or false, not \"{value}\".");
                return false;
        }
    }

    /// <summary>The request's objects, or a 400/413/415 problem that says what was wrong with the body.</summary>
    private static async Task<(ImmutableArray<DesignedDocument> Documents, ProblemHttpResult? Problem)> ReadBodyAsync(HttpContext context, string[] accepted)
    {
        var request = context.Request;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !accepted.Contains(type.MediaType.Value, StringComparer.OrdinalIgnoreCase))
        {
            var sent = string.IsNullOrEmpty(request.ContentType) ? "no Content-Type" : $"Content-Type \"{request.ContentType}\"";
            return ([], ApiEndpoints.Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported content type",
                $"The request has {sent}. Send the manifests as YAML or JSON with one of: {string.Join(", ", accepted)}."));
        }

        if (request.ContentLength > MaxBodyBytes)
        {
            return ([], TooLarge());
        }

        var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            if (buffer.Length + read > MaxBodyBytes)
            {
                return ([], TooLarge());
            }

            buffer.Write(chunk, 0, read);
        }

        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            return ([], ApiEndpoints.Problem(StatusCodes.Status400BadRequest, "Body is not UTF-8", "The body must be UTF-8 text (YAML or JSON)."));
        }

        var parsed = DesignInput.Parse(text);
        if (parsed.Error is { } error)
        {
            return ([], TypedResults.Problem(
                detail: error.ToString(),
                statusCode: StatusCodes.Status400BadRequest,
                title: "Malformed manifest",
                extensions: new Dictionary<string, object?> { ["document"] = error.DocumentIndex + 1, ["line"] = error.Line }));
        }

        return (parsed.Documents, null);
    }

    private static ProblemHttpResult TooLarge() => ApiEndpoints.Problem(StatusCodes.Status413PayloadTooLarge, "Body too large",
        $"The manifests are larger than {MaxBodyBytes / (1024 * 1024)} MiB; send fewer objects per request.");
}
