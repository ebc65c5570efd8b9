using Microsoft.Net.Http.Headers;

namespace PortMapper.Web.Security;

/// <summary>
/// Cross-site request forgery protection for the JSON API. A page on another site can make a browser send a POST with
/// only the CORS-"simple" content types (form, multipart, text/plain) or a body without a content type, and no
/// custom headers, unless PortMapper allowed it by CORS (it never does). So every /api request that changes something
/// must carry a non-simple content type (application/json, application/yaml...) or the header X-PortMapper-Request.
/// Blazor's own forms are covered by ASP.NET Core antiforgery tokens instead.
/// </summary>
internal static class ApiRequestForgery
{
    public const string HeaderName = "X-PortMapper-Request";

    private static readonly string[] SimpleContentTypes = ["application/x-www-form-urlencoded", "multipart/form-data", "text/plain"];

    public static IApplicationBuilder UseApiRequestForgeryCheck(this IApplicationBuilder app) => app.Use(async (context, next) =>
    {
        var request = context.Request;
        if (request.Path.StartsWithSegments("/api") && !IsSafeMethod(request.Method) && !IsAllowed(request))
        {
            await TypedResults.Problem(
                statusCode: StatusCodes.Status415UnsupportedMediaType,
                title: "Request refused: it could come from another web site",
                detail: $"{request.Method} {request.PathBase}{request.Path} needs Content-Type: application/json (or another non-form type) or the header {HeaderName}: 1. " +
                        "Browsers do not let other web sites send either, so no page can make your browser change the cluster in your name.")
                .ExecuteAsync(context);
            return;
        }

        await next(context);
    });

    public static bool IsAllowed(HttpRequest request) =>
        request.Headers.ContainsKey(HeaderName)
        || (MediaTypeHeaderValue.TryParse(request.ContentType, out var type)
            && !SimpleContentTypes.Contains(type.MediaType.ToString(), StringComparer.OrdinalIgnoreCase));

    private static bool IsSafeMethod(string method) =>
        HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || HttpMethods.IsTrace(method);
}
