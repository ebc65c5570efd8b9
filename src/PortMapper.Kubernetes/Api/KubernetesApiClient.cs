using System.Collections.Immutable;
using System.Net;
using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Authentication;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using PortMapper.Core.Cluster;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Apply;
using PortMapper.Kubernetes.Auth;
using PortMapper.Kubernetes.Config;
using PortMapper.Kubernetes.Decoding;
using PortMapper.Kubernetes.Http;

namespace PortMapper.Kubernetes.Api;

public sealed record KubernetesClientOptions
{
    /// <summary>The deadline of every call that is not a watch (a get, an apply, one page of a list).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(30);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Objects per list page (the limit parameter).</summary>
    public int PageSize { get; init; } = 500;
}

/// <summary>A complete list of one resource, with the resourceVersion to watch from.</summary>
public sealed record ListResult(ImmutableArray<IKubeObject> Items, string ResourceVersion);

/// <summary>
/// A small typed client for the few calls PortMapper makes: paged lists, watches, gets and server-side apply.
/// Thread-safe; one per connection.
/// </summary>
public sealed class KubernetesApiClient : IDisposable
{
    private readonly KubernetesHttp _http;
    private readonly string _base;

    public KubernetesApiClient(KubernetesConnection connection, KubernetesClientOptions? options = null)
    {
        Connection = connection;
        Options = options ?? new KubernetesClientOptions();
        try
        {
            _http = KubernetesHttp.Create(connection, Options.ConnectTimeout);
        }
        catch (CredentialException e)
        {
            throw new KubernetesConnectionException(ConnectionFailure.Credentials, e.Message, e);
        }

        _base = connection.Server.GetLeftPart(UriPartial.Path).TrimEnd('/');
    }

    public KubernetesConnection Connection { get; }

    public KubernetesClientOptions Options { get; }

    private string Server => Connection.DisplayServer;

    /// <summary>The server's version (gitVersion, for example v1.32.13).</summary>
    public async Task<string> GetVersionAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        using var answer = await LibraryCallAsync(
            () => _http.Library.Version.GetCodeWithHttpMessagesAsync(cancellationToken: timeout.Token), new RequestTarget("get", "version"), cancellationToken).ConfigureAwait(false);
        return answer.Body?.GitVersion is { Length: > 0 } v ? v : "unknown";
    }

    /// <summary>
    /// Whether the server serves <paramref name="resource"/> in <paramref name="groupVersion"/> ("v1",
    /// "networking.k8s.io/v1", "gateway.networking.k8s.io/v1"), from its discovery document. A group/version the
    /// server does not know answers 404: that is "not installed" (false), not an error.
    /// </summary>
    public async Task<bool> IsServedAsync(string groupVersion, string resource, CancellationToken cancellationToken)
    {
        var path = groupVersion.Contains('/', StringComparison.Ordinal) ? $"/apis/{groupVersion}" : $"/api/{groupVersion}";
        var json = await GetJsonAsync(path, new RequestTarget("get", $"discovery of {groupVersion}"), cancellationToken).ConfigureAwait(false);
        return json?["resources"] is JsonArray resources
               && resources.Any(r => r is JsonObject o && ApplyTarget.Text(o["name"]) == resource);
    }

    /// <summary>Every object of a resource (all pages), or of one namespace when <paramref name="ns"/> is set.</summary>
    public async Task<ListResult> ListAsync(ResourceType resource, string? ns, CancellationToken cancellationToken)
    {
        // A continue token can expire between pages (410); the list then starts over, as client-go's pager does.
        for (var attempt = 0; ; attempt++)
        {
            var items = new List<IKubeObject>();
            string? continueToken = null;
            try
            {
                DecodedList page;
                do
                {
                    page = await ListPageAsync(resource, ns, continueToken, cancellationToken).ConfigureAwait(false);
                    items.AddRange(page.Items);
                    continueToken = page.Continue;
                }
                while (continueToken is not null);

                return new ListResult([.. items], page.ResourceVersion);
            }
            catch (ResourceVersionExpiredException) when (continueToken is not null && attempt < 3)
            {
            }
        }
    }

    private async Task<DecodedList> ListPageAsync(ResourceType resource, string? ns, string? continueToken, CancellationToken cancellationToken)
    {
        var target = new RequestTarget("list", resource.QualifiedName, ns);
        var query = $"?limit={Options.PageSize}" + (continueToken is null ? "" : $"&continue={Uri.EscapeDataString(continueToken)}") + Selector(resource);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, _base + resource.CollectionPath(ns) + query);
        try
        {
            using var response = await SendAsync(request, target, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            await using var stream = await response.Content.ReadAsStreamAsync(timeout.Token).ConfigureAwait(false);
            return await resource.Codec!.DecodeListAsync(stream, timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(target, e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw Unreachable(e, target);
        }
    }

    /// <summary>
    /// Watches a resource from <paramref name="resourceVersion"/> (null: the current state as ADDED events, then
    /// changes). Bookmarks are asked for; the server ends the stream after <paramref name="serverTimeout"/>. An ERROR
    /// event ends the enumeration with an exception (<see cref="ResourceVersionExpiredException"/> for 410).
    /// </summary>
    public IAsyncEnumerable<WatchEvent> WatchAsync(ResourceType resource, string? ns, string? resourceVersion, TimeSpan serverTimeout, CancellationToken cancellationToken) =>
        WatchAsync(resource, ns, resourceVersion, serverTimeout, connected: null, cancellationToken);

    /// <param name="connected">Called once the server has accepted the watch (headers received), before any event.</param>
    internal async IAsyncEnumerable<WatchEvent> WatchAsync(
        ResourceType resource, string? ns, string? resourceVersion, TimeSpan serverTimeout, Action? connected, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var target = new RequestTarget("watch", resource.QualifiedName, ns);
        var query = $"?watch=1&allowWatchBookmarks=true&timeoutSeconds={(int)Math.Max(1, serverTimeout.TotalSeconds)}"
                    + (string.IsNullOrEmpty(resourceVersion) ? "" : $"&resourceVersion={Uri.EscapeDataString(resourceVersion)}") + Selector(resource);
        using var request = new HttpRequestMessage(HttpMethod.Get, _base + resource.CollectionPath(ns) + query);

        // Only the wait for the response headers has a deadline; the stream itself lives as long as the server keeps it.
        HttpResponseMessage response;
        using (var headers = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            headers.CancelAfter(Options.RequestTimeout);
            try
            {
                response = await SendAsync(request, target, HttpCompletionOption.ResponseHeadersRead, headers.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                throw TimedOut(target, e);
            }
        }

        using (response)
        {
            connected?.Invoke();
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                using var frames = new JsonFrameReader(stream);
                while (await NextFrameAsync(frames, target, cancellationToken).ConfigureAwait(false) is { } frame)
                {
                    yield return WatchEventDecoder.Decode(frame.Span, resource, target, Server);
                }
            }
        }
    }

    private async Task<ReadOnlyMemory<byte>?> NextFrameAsync(JsonFrameReader frames, RequestTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return await frames.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
        {
            throw new KubernetesConnectionException(ConnectionFailure.Other, $"The {target} stream from {Server} was cut off: {e.Message}", e);
        }
    }

    private static string Selector(ResourceType resource) =>
        resource.FieldSelector is { } selector ? $"&fieldSelector={Uri.EscapeDataString(selector)}" : "";

    /// <summary>One object, or null when it does not exist.</summary>
    public async Task<IKubeObject?> GetAsync(ResourceType resource, string? ns, string name, CancellationToken cancellationToken)
    {
        var target = new RequestTarget("get", resource.QualifiedName, ns, name);
        var bytes = await GetBytesAsync(resource.ObjectPath(ns, name), target, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : resource.Codec!.Decode(bytes);
    }

    internal async Task<JsonObject?> GetJsonAsync(string path, RequestTarget target, CancellationToken cancellationToken)
    {
        var bytes = await GetBytesAsync(path, target, cancellationToken).ConfigureAwait(false);
        return bytes is null ? null : JsonNode.Parse(bytes) as JsonObject;
    }

    private async Task<byte[]?> GetBytesAsync(string path, RequestTarget target, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, _base + path);
        try
        {
            using var response = await SendAsync(request, target, HttpCompletionOption.ResponseContentRead, timeout.Token).ConfigureAwait(false);
            return await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (KubernetesApiException e) when (e.IsNotFound)
        {
            return null;
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(target, e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw Unreachable(e, target);
        }
    }

    /// <summary>
    /// Server-side apply of one object (PATCH application/apply-patch+yaml with a JSON body, which is valid YAML).
    /// Never throws for an answer from the server: every outcome, refusals included, is in the result.
    /// </summary>
    /// <param name="defaultNamespace">Where a namespaced object without metadata.namespace goes (the context's namespace).</param>
    public async Task<ApplyObjectResult> ApplyAsync(JsonObject obj, ApplyOptions options, string defaultNamespace, CancellationToken cancellationToken)
    {
        var (target, problem) = ApplyTarget.From(obj, defaultNamespace);
        if (problem is not null)
        {
            return problem;
        }

        if (target!.ApiVersion != target.Resource.ApiVersion)
        {
            return ApplyResults.Failed(target.Ref, $"{target.Ref}: PortMapper applies {target.Resource.Kind} as {target.Resource.ApiVersion}, not {target.ApiVersion}; change the apiVersion.");
        }

        var requestTarget = new RequestTarget("patch", target.Resource.QualifiedName, target.Namespace, target.Name);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(Options.RequestTimeout);
        try
        {
            var answer = await LibraryCallAsync(
                () => TypedApply.PatchAsync(_http.Library, target.Resource.Kind, obj.ToJsonString(), target.Name, target.Namespace, options, timeout.Token),
                requestTarget, cancellationToken).ConfigureAwait(false);
            var body = answer.Json is { } json ? JsonNode.Parse(json) as JsonObject : null;
            return ApplyResults.Success(target.Ref, answer.StatusCode, options.DryRun, body);
        }
        catch (KubernetesApiException e)
        {
            return ApplyResults.FromError(target, e, options);
        }
        catch (KubernetesConnectionException e)
        {
            return ApplyResults.Failed(target.Ref, e.Message);
        }
    }

    /// <summary>
    /// Runs one of KubernetesClient's typed calls and turns its failures into ours: a refusal into a
    /// <see cref="KubernetesApiException"/> built from the Status body (so 409 and 422 keep their causes), transport
    /// and credential failures into a <see cref="KubernetesConnectionException"/> that says what to check.
    /// </summary>
    private async Task<T> LibraryCallAsync<T>(Func<Task<T>> call, RequestTarget target, CancellationToken cancellationToken)
    {
        try
        {
            return await call().ConfigureAwait(false);
        }
        catch (k8s.Autorest.HttpOperationException e)
        {
            var mediaType = e.Response.Headers.TryGetValue("Content-Type", out var types) ? types.FirstOrDefault() : null;
            throw Refusal((int)e.Response.StatusCode, e.Response.ReasonPhrase, Encoding.UTF8.GetBytes(e.Response.Content ?? ""), mediaType, target);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw TimedOut(target, e);
        }
        catch (CredentialException e)
        {
            throw new KubernetesConnectionException(ConnectionFailure.Credentials, e.Message, e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw Unreachable(e, target);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, RequestTarget target, HttpCompletionOption completion, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, completion, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw Unreachable(e, target);
        }
        catch (CredentialException e)
        {
            throw new KubernetesConnectionException(ConnectionFailure.Credentials, e.Message, e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            byte[] body;
            try
            {
                body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or HttpRequestException)
            {
                body = [];
            }

            throw Refusal((int)response.StatusCode, response.ReasonPhrase, body, response.Content.Headers.ContentType?.MediaType, target);
        }
    }

    /// <summary>The server said no: its Status body (causes and all) as an exception; 410 as the re-list signal.</summary>
    private KubernetesApiException Refusal(int code, string? reasonPhrase, byte[] body, string? mediaType, RequestTarget target)
    {
        var status = ResourceCodecs.DecodeStatus(body, code) ?? new ApiStatus(code, reasonPhrase, NonStatusBody(mediaType, body));
        return status.Code == 410
            ? new ResourceVersionExpiredException(status, target, Server)
            : new KubernetesApiException(status, target, Server);
    }

    private static string NonStatusBody(string? mediaType, byte[] body)
    {
        var text = Encoding.UTF8.GetString(body.AsSpan(0, Math.Min(body.Length, 300))).Trim();
        return $"the answer was not a Kubernetes Status ({mediaType ?? "no content type"})"
               + (text.Length > 0 ? $": {text}" : "")
               + "; is something other than the API server (a proxy, a load balancer) answering?";
    }

    private KubernetesConnectionException TimedOut(RequestTarget target, Exception inner) =>
        new(ConnectionFailure.Timeout, $"The API server at {Server} did not answer {target} within {Options.RequestTimeout.TotalSeconds:0.#} s.", inner);

    private KubernetesConnectionException Unreachable(Exception e, RequestTarget target)
    {
        var root = e;
        while (root.InnerException is not null && root is not AuthenticationException and not SocketException)
        {
            root = root.InnerException;
        }

        return root switch
        {
            AuthenticationException => new KubernetesConnectionException(ConnectionFailure.Tls,
                $"The TLS handshake with {Server} failed: {_http.LastTlsFailure ?? root.Message}. "
                + "Check certificate-authority(-data) and tls-server-name in the kubeconfig (insecure-skip-tls-verify: true turns the check off, for test clusters only).", e),
            SocketException { SocketErrorCode: SocketError.ConnectionRefused } => new KubernetesConnectionException(ConnectionFailure.Refused,
                $"Cannot connect to the API server at {Server} ({target}): connection refused. Is the cluster running, and is the server address in the kubeconfig right?", e),
            SocketException { SocketErrorCode: SocketError.HostNotFound or SocketError.NoData or SocketError.TryAgain } => new KubernetesConnectionException(ConnectionFailure.HostNotFound,
                $"Cannot resolve the API server's host name in {Server}. Check the server address in the kubeconfig and this machine's DNS.", e),
            _ when e is HttpRequestException { HttpRequestError: HttpRequestError.ProxyTunnelError } => new KubernetesConnectionException(ConnectionFailure.Other,
                $"The proxy {Connection.ProxyUrl} could not open a tunnel to {Server}: {e.Message}. Check proxy-url in the kubeconfig.", e),
            _ => new KubernetesConnectionException(ConnectionFailure.Other, $"Cannot reach the API server at {Server} ({target}): {root.Message}", e),
        };
    }

    public void Dispose() => _http.Dispose();

    public override string ToString() => $"Kubernetes API client for {Connection}";
}
