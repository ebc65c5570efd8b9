using System.Collections.Immutable;
using System.Net;

namespace PortMapper.Kubernetes.Api;

/// <summary>One entry of a Status' details.causes: what was wrong with which field.</summary>
public sealed record StatusCause(string? Reason, string? Message, string? Field);

/// <summary>A metav1.Status that the API server sent for a failed request.</summary>
public sealed record ApiStatus(int Code, string? Reason, string? Message)
{
    public string? DetailsName { get; init; }

    public string? DetailsKind { get; init; }

    public ImmutableArray<StatusCause> Causes { get; init; } = [];

    public int? RetryAfterSeconds { get; init; }
}

/// <summary>What a request was for, so that an error can say which object or resource it concerns.</summary>
public sealed record RequestTarget(string Verb, string Resource, string? Namespace = null, string? Name = null)
{
    public override string ToString()
    {
        var what = Name is null ? Resource : $"{Resource} \"{Name}\"";
        return Namespace is null ? $"{Verb} {what}" : $"{Verb} {what} in namespace \"{Namespace}\"";
    }
}

/// <summary>
/// An error answer from the API server, decoded from its Status body. <see cref="Exception.Message"/> is written for a
/// person: what failed, for which resource, and what to do; the server's own words are in <see cref="Status"/>.
/// </summary>
public class KubernetesApiException : Exception
{
    public KubernetesApiException(ApiStatus status, RequestTarget? target, string? server, Exception? inner = null)
        : base(Describe(status, target, server), inner)
    {
        Status = status;
        Target = target;
    }

    public ApiStatus Status { get; }

    public RequestTarget? Target { get; }

    /// <summary>The HTTP status code (the Status' code when it carries one).</summary>
    public int Code => Status.Code;

    public string? Reason => Status.Reason;

    public string? ServerMessage => Status.Message;

    public ImmutableArray<StatusCause> Causes => Status.Causes;

    public bool IsForbidden => Code == (int)HttpStatusCode.Forbidden;

    public bool IsUnauthorized => Code == (int)HttpStatusCode.Unauthorized;

    public bool IsNotFound => Code == (int)HttpStatusCode.NotFound;

    private static string Describe(ApiStatus s, RequestTarget? target, string? server)
    {
        var what = target?.ToString() ?? "the request";
        var said = string.IsNullOrWhiteSpace(s.Message) ? $"{s.Code} {s.Reason}" : s.Message.TrimEnd('.');
        var at = server is null ? "the API server" : $"the API server at {server}";
        return s.Code switch
        {
            401 => $"{Capitalize(at)} did not accept PortMapper's credentials (401 Unauthorized) for {what}. "
                   + "The token or client certificate is missing, expired or not trusted by this cluster: log in again or refresh the credentials in the kubeconfig.",
            403 => $"Forbidden: {said}. PortMapper's identity needs the \"{target?.Verb ?? "get"}\" permission on {target?.Resource ?? "this resource"}"
                   + (target?.Namespace is { } ns ? $" in namespace \"{ns}\"" : "")
                   + "; grant it with a Role or ClusterRole binding (see deploy/ for the one PortMapper needs).",
            404 => $"Not found: {said} ({what}).",
            410 => $"Expired: {said} ({what}). The resourceVersion is older than the server keeps; PortMapper lists again from the start.",
            422 => $"Invalid: {said}.",
            409 => $"Conflict: {said}.",
            429 => $"{Capitalize(at)} is throttling requests (429) for {what}: {said}. PortMapper retries with a growing delay.",
            >= 500 => $"{Capitalize(at)} failed {what} ({s.Code} {s.Reason}): {said}. PortMapper retries; if it persists, check the API server's health.",
            _ => $"{Capitalize(at)} refused {what} ({s.Code} {s.Reason}): {said}.",
        };
    }

    private static string Capitalize(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}

/// <summary>
/// HTTP 410 Expired: the resourceVersion a list or watch started from was compacted away. The only cure is a fresh list.
/// </summary>
public sealed class ResourceVersionExpiredException(ApiStatus status, RequestTarget? target, string? server)
    : KubernetesApiException(status, target, server);
