using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using PortMapper.Core.Loading;
using YamlDotNet.Core;

namespace PortMapper.TestApiServer;

/// <summary>Routes and answers requests the way kube-apiserver does, within what PortMapper and its tests use.</summary>
internal sealed class ApiHandler(TestApiServer server)
{
    // The API Priority and Fairness headers of the recordings; clients ignore them, but the shape is the contract.
    private const string FlowSchemaUid = "4bd09b6d-77ae-461a-99eb-b86f26473d8b";
    private const string PriorityLevelUid = "7f6ee2ad-984b-4617-be62-e6d8d513116d";

    private ObjectStore Store => server.Store;

    private FaultInjector Faults => server.Faults;

    private sealed record Route(ServedResource Resource, string? Namespace, string? Name);

    public async Task HandleAsync(HttpContext ctx)
    {
        try
        {
            await HandleCoreAsync(ctx).ConfigureAwait(false);
        }
        catch (Exception e) when (ctx.RequestAborted.IsCancellationRequested || e is IOException or OperationCanceledException)
        {
            // The client went away (or a fault dropped it): nothing left to answer.
        }
    }

    private async Task HandleCoreAsync(HttpContext ctx)
    {
        var request = ctx.Request;
        var headers = ctx.Response.Headers;
        headers["Audit-Id"] = Guid.NewGuid().ToString();
        headers.CacheControl = "no-cache, private";
        headers["X-Kubernetes-Pf-Flowschema-Uid"] = FlowSchemaUid;
        headers["X-Kubernetes-Pf-Prioritylevel-Uid"] = PriorityLevelUid;

        var user = Authenticate(ctx);
        server.Record(new RecordedRequest(request.Method, request.Path.Value ?? "", request.QueryString.Value ?? "", user?.Name, request.Headers.UserAgent.ToString()));
        if (user is null)
        {
            await WriteAsync(ctx, Status.Unauthorized()).ConfigureAwait(false);
            return;
        }

        if (Faults.TakeFailure(request) is { } failure)
        {
            await WriteAsync(ctx, InjectedFailure(failure, request)).ConfigureAwait(false);
            return;
        }

        var segments = (request.Path.Value ?? "").Trim('/').Split('/');
        var watch = request.Query["watch"] is var w && (w == "1" || w == "true");
        if (!watch && Faults.Latency > TimeSpan.Zero)
        {
            await Task.Delay(Faults.Latency, ctx.RequestAborted).ConfigureAwait(false);
        }

        if (segments is ["version"])
        {
            await VersionAsync(ctx).ConfigureAwait(false);
            return;
        }

        if (segments is ["api"] or ["apis"])
        {
            await GroupListAsync(ctx, segments[0] == "api").ConfigureAwait(false);
            return;
        }

        if (segments is ["api", "v1"] or ["apis", _, _])
        {
            await DiscoveryAsync(ctx, segments.Length == 2 ? "" : segments[1], segments[^1]).ConfigureAwait(false);
            return;
        }

        if (Parse(segments) is not { } route)
        {
            await WriteAsync(ctx, Status.UnknownResource()).ConfigureAwait(false);
            return;
        }

        if (server.Options.Unserved.Contains(route.Resource.ApiVersion) || server.Options.UnservedResources.Contains(route.Resource.Qualified))
        {
            await PageNotFoundAsync(ctx).ConfigureAwait(false);
            return;
        }

        var verb = (request.Method, route.Name) switch
        {
            ("GET", null) => watch ? "watch" : "list",
            ("GET", _) => "get",
            ("POST", null) => "create",
            ("PATCH", not null) => "patch",
            ("DELETE", not null) => "delete",
            _ => null,
        };
        if (verb is null)
        {
            await WriteAsync(ctx, Status.Failure(405, "MethodNotAllowed", $"the server does not allow this method on the requested resource")).ConfigureAwait(false);
            return;
        }

        var selector = FieldSelector.Everything;
        if (verb is "list" or "watch")
        {
            if (FieldSelector.Parse(request.Query["fieldSelector"], out var selectorError) is not { } parsed)
            {
                await WriteAsync(ctx, Status.BadRequest(selectorError!)).ConfigureAwait(false);
                return;
            }

            selector = parsed;
        }

        // RBAC's resourceNames cover a list or watch only when its field selector pins metadata.name.
        var named = verb is "list" or "watch" ? selector.Name : route.Name;
        if (!server.Access.Allows(user, verb, route.Resource.Plural, route.Namespace, named))
        {
            await WriteAsync(ctx, Status.Forbidden(user, verb, route.Resource, route.Namespace, route.Name)).ConfigureAwait(false);
            return;
        }

        var task = verb switch
        {
            "watch" => WatchAsync(ctx, route, selector),
            "list" => ListAsync(ctx, route, selector),
            "get" => GetAsync(ctx, route),
            "create" => CreateAsync(ctx, route),
            "patch" => ApplyAsync(ctx, route, user),
            _ => DeleteAsync(ctx, route),
        };
        await task.ConfigureAwait(false);
    }

    private static JsonObject InjectedFailure(int code, HttpRequest request) => code switch
    {
        410 => string.IsNullOrEmpty(request.Query["continue"]) ? Status.ListExpired() : Status.ContinueExpired(),
        429 => Status.Failure(429, "TooManyRequests", "Too many requests, please try again later.", new JsonObject { ["retryAfterSeconds"] = 1 }),
        503 => Status.Failure(503, "ServiceUnavailable", "The server is currently unable to handle the request"),
        >= 500 => Status.InternalError("injected fault"),
        _ => Status.Failure(code, "BadRequest", $"injected {code} answer"),
    };

    private UserInfo? Authenticate(HttpContext ctx)
    {
        // Like kube-apiserver's union authenticator, a valid client certificate is tried before a bearer token.
        if (ctx.Connection.ClientCertificate is { } cert)
        {
            var cn = cert.GetNameInfo(System.Security.Cryptography.X509Certificates.X509NameType.SimpleName, false);
            var groups = cert.SubjectName.EnumerateRelativeDistinguishedNames()
                .Where(r => r.GetSingleElementType().Value == "2.5.4.10")
                .Select(r => r.GetSingleElementValue() ?? "")
                .ToArray();
            return new UserInfo(cn, [.. groups]);
        }

        var auth = ctx.Request.Headers.Authorization.ToString();
        return auth.StartsWith("Bearer ", StringComparison.Ordinal) ? server.Access.FindToken(auth[7..].Trim()) : null;
    }

    private static Route? Parse(string[] segments)
    {
        string group, version;
        string[] rest;
        switch (segments)
        {
            case ["api", var v, .. var r]:
                (group, version, rest) = ("", v, r);
                break;
            case ["apis", var g, var v, .. var r]:
                (group, version, rest) = (g, v, r);
                break;
            default:
                return null;
        }

        var (plural, ns, name) = rest switch
        {
            [var p] => (p, null, null),
            ["namespaces", var n] when group.Length == 0 => ("namespaces", null, n),
            [var p, var n] => (p, (string?)null, (string?)n),
            ["namespaces", var n, var p] => (p, n, null),
            ["namespaces", var n, var p, var o] => (p, n, o),
            _ => ((string?)null, (string?)null, (string?)null),
        };
        var resource = plural is null ? null : ServedResource.Find(group, version, plural);
        if (resource is null || (!resource.Namespaced && ns is not null) || (resource.Namespaced && name is not null && ns is null))
        {
            return null;
        }

        return new Route(resource, ns, name);
    }

    /// <summary>
    /// The APIResourceList of one group/version, as kube-apiserver serves it for discovery. A group/version it does
    /// not serve (no CRD installed) answers as kube-apiserver's mux does: 404 with a plain-text body, not a Status.
    /// </summary>
    private async Task DiscoveryAsync(HttpContext ctx, string group, string version)
    {
        var groupVersion = group.Length == 0 ? version : $"{group}/{version}";
        var resources = ServedResource.All.Where(r => r.Group == group && r.Version == version && !server.Options.UnservedResources.Contains(r.Qualified)).ToList();
        if (resources.Count == 0 || server.Options.Unserved.Contains(groupVersion))
        {
            await PageNotFoundAsync(ctx).ConfigureAwait(false);
            return;
        }

        var list = new JsonArray();
        foreach (var r in resources)
        {
            list.Add(new JsonObject
            {
                ["name"] = r.Plural,
                ["singularName"] = r.Kind.ToLowerInvariant(),
                ["namespaced"] = r.Namespaced,
                ["kind"] = r.Kind,
                ["verbs"] = new JsonArray("create", "delete", "get", "list", "patch", "update", "watch"),
            });
        }

        await WriteAsync(ctx, new JsonObject { ["kind"] = "APIResourceList", ["apiVersion"] = "v1", ["groupVersion"] = groupVersion, ["resources"] = list }, 200).ConfigureAwait(false);
    }

    /// <summary>kube-apiserver's mux for a path no API group serves: a plain-text 404, not a Status.</summary>
    private static async Task PageNotFoundAsync(HttpContext ctx)
    {
        ctx.Response.StatusCode = 404;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        ctx.Response.Headers.XContentTypeOptions = "nosniff";
        await ctx.Response.WriteAsync("404 page not found\n", ctx.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>/api (APIVersions) and /apis (APIGroupList): the legacy discovery kubectl reads before it lists.</summary>
    private async Task GroupListAsync(HttpContext ctx, bool core)
    {
        if (core)
        {
            await WriteAsync(ctx, new JsonObject
            {
                ["kind"] = "APIVersions", ["versions"] = new JsonArray("v1"),
                ["serverAddressByClientCIDRs"] = new JsonArray(new JsonObject { ["clientCIDR"] = "0.0.0.0/0", ["serverAddress"] = ctx.Request.Host.Value }),
            }, 200).ConfigureAwait(false);
            return;
        }

        var groups = new JsonArray();
        foreach (var g in ServedResource.All.Where(r => r.Group.Length > 0 && !server.Options.Unserved.Contains(r.ApiVersion)).Select(r => (r.Group, r.Version)).Distinct())
        {
            var gv = new JsonObject { ["groupVersion"] = $"{g.Group}/{g.Version}", ["version"] = g.Version };
            groups.Add(new JsonObject { ["name"] = g.Group, ["versions"] = new JsonArray(gv), ["preferredVersion"] = gv.DeepClone() });
        }

        await WriteAsync(ctx, new JsonObject { ["kind"] = "APIGroupList", ["apiVersion"] = "v1", ["groups"] = groups }, 200).ConfigureAwait(false);
    }

    private async Task VersionAsync(HttpContext ctx)
    {
        var version = server.Options.GitVersion;
        var parts = version.TrimStart('v').Split('.');
        var body = new JsonObject
        {
            ["major"] = parts[0],
            ["minor"] = parts.Length > 1 ? parts[1] : "0",
            ["gitVersion"] = version,
            ["gitCommit"] = "0000000000000000000000000000000000000000",
            ["gitTreeState"] = "clean",
            ["buildDate"] = "2026-01-01T00:00:00Z",
            ["goVersion"] = "go1.23.5",
            ["compiler"] = "gc",
            ["platform"] = "linux/amd64",
        };

        // /version is indented whoever asks (recordings README).
        await WriteAsync(ctx, body, 200, indented: true).ConfigureAwait(false);
    }

    private async Task ListAsync(HttpContext ctx, Route route, FieldSelector selector)
    {
        var q = ctx.Request.Query;
        var limit = int.TryParse(q["limit"], out var l) && l > 0 ? l : 0;
        string? continueToken = q["continue"];
        long? at = null;
        string? startAfter = null;
        if (!string.IsNullOrEmpty(continueToken))
        {
            if (!TryDecodeContinue(continueToken, out var rv, out startAfter))
            {
                await WriteAsync(ctx, Status.BadRequest("continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)")).ConfigureAwait(false);
                return;
            }

            at = rv;
        }
        else if (q["resourceVersionMatch"] == "Exact" && long.TryParse(q["resourceVersion"], out var exact))
        {
            at = exact;
        }

        List<JsonObject> items;
        long revision;
        try
        {
            (items, revision) = Store.Locked(() => Store.ListLocked(route.Resource, route.Namespace, at, startAfter));
        }
        catch (RevisionCompactedException)
        {
            await WriteAsync(ctx, string.IsNullOrEmpty(continueToken) ? Status.ListExpired() : Status.ContinueExpired()).ConfigureAwait(false);
            return;
        }

        items = [.. items.Where(selector.Matches)];

        var meta = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture) };
        if (limit > 0 && items.Count > limit)
        {
            var last = items[limit - 1]["metadata"]!;
            meta["continue"] = EncodeContinue(revision, ObjectStore.Key(Json.Str(last["namespace"]) ?? "", Json.Str(last["name"]) ?? ""));
            meta["remainingItemCount"] = items.Count - limit;
            items = items[..limit];
        }

        var array = new JsonArray();
        foreach (var item in items)
        {
            // List items carry no kind or apiVersion: the list says it once.
            item.Remove("kind");
            item.Remove("apiVersion");
            array.Add(item);
        }

        var body = new JsonObject
        {
            ["kind"] = route.Resource.Kind + "List",
            ["apiVersion"] = route.Resource.ApiVersion,
            ["metadata"] = meta,
            ["items"] = array,
        };
        await WriteAsync(ctx, body, 200, chunked: true).ConfigureAwait(false);
    }

    private static string EncodeContinue(long revision, string lastKey) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(new JsonObject { ["v"] = "meta.k8s.io/v1", ["rv"] = revision, ["start"] = lastKey + "\u0000" }.ToJsonString()));

    private static bool TryDecodeContinue(string token, out long revision, out string? startAfter)
    {
        revision = 0;
        startAfter = null;
        try
        {
            var o = JsonNode.Parse(Convert.FromBase64String(token)) as JsonObject;
            if (o?["v"]?.GetValue<string>() != "meta.k8s.io/v1" || Json.Long(o["rv"]) is not { } rv || Json.Str(o["start"]) is not { } start)
            {
                return false;
            }

            revision = rv;
            startAfter = start.TrimEnd('\u0000');
            return true;
        }
        catch (Exception e) when (e is FormatException or JsonException or InvalidOperationException)
        {
            return false;
        }
    }

    private async Task WatchAsync(HttpContext ctx, Route route, FieldSelector selector)
    {
        var q = ctx.Request.Query;
        var ct = ctx.RequestAborted;
        var timeout = TimeSpan.FromSeconds(long.TryParse(q["timeoutSeconds"], out var t) && t > 0 ? t : 1800);
        var bookmarks = q["allowWatchBookmarks"] == "true";
        var deadline = server.Options.Time.GetUtcNow() + timeout;
        ctx.Response.StatusCode = 200;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.StartAsync(ct).ConfigureAwait(false);

        // Like kube-apiserver, send the headers now: an idle watch may not write anything for minutes, and Kestrel
        // holds started headers back until the first write.
        await ctx.Response.Body.FlushAsync(ct).ConfigureAwait(false);

        var session = new WatchSession(ctx);
        Faults.Register(session);
        try
        {
            string? rvText = q["resourceVersion"];
            long cursor;
            if (Faults.TakeExpiredWatch())
            {
                var requested = long.TryParse(rvText, out var r) ? r : 0;
                await SendAsync(session, "ERROR", Status.WatchExpired(requested, Store.Revision)).ConfigureAwait(false);
                return;
            }

            if (string.IsNullOrEmpty(rvText) || rvText == "0")
            {
                // "Start at most recent": the current state as ADDED events, then the changes.
                var (items, revision) = Store.Locked(() => Store.ListLocked(route.Resource, route.Namespace, null, null));
                foreach (var item in items.Where(selector.Matches))
                {
                    if (!await SendAsync(session, "ADDED", item).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                cursor = revision;
            }
            else if (!long.TryParse(rvText, out cursor))
            {
                await SendAsync(session, "ERROR", Status.BadRequest($"invalid resource version: {rvText}")).ConfigureAwait(false);
                return;
            }

            var interval = server.Options.BookmarkInterval;
            var nextBookmark = server.Options.Time.GetUtcNow() + interval;
            var first = true;
            while (true)
            {
                List<StoreEvent> events;
                Task changed;
                try
                {
                    (events, changed) = Store.Locked(() => (Store.EventsAfterLocked(route.Resource, route.Namespace, cursor, checkCompaction: first), Store.NextChange));
                }
                catch (RevisionCompactedException e)
                {
                    await SendAsync(session, "ERROR", Status.WatchExpired(e.Requested, e.Oldest)).ConfigureAwait(false);
                    return;
                }

                first = false;
                foreach (var e in events)
                {
                    if (selector.Matches(e.Object) && !await SendAsync(session, e.Type, e.Object).ConfigureAwait(false))
                    {
                        return;
                    }

                    cursor = e.Revision;
                }

                var now = server.Options.Time.GetUtcNow();
                if (now >= deadline)
                {
                    // The server's last word before its timeout ends the stream, as in watch-services.jsonl.
                    if (bookmarks)
                    {
                        await SendAsync(session, "BOOKMARK", Bookmark(route.Resource, Store.Revision)).ConfigureAwait(false);
                    }

                    return;
                }

                if (bookmarks && now >= nextBookmark)
                {
                    if (!await SendAsync(session, "BOOKMARK", Bookmark(route.Resource, Math.Max(cursor, Store.Revision))).ConfigureAwait(false))
                    {
                        return;
                    }

                    nextBookmark = now + interval;
                }

                var wake = (bookmarks && nextBookmark < deadline ? nextBookmark : deadline) - now;
                await Task.WhenAny(changed, Task.Delay(wake > TimeSpan.Zero ? wake : TimeSpan.Zero, server.Options.Time, ct)).ConfigureAwait(false);
                ct.ThrowIfCancellationRequested();
            }
        }
        finally
        {
            Faults.Unregister(session);
        }
    }

    /// <summary>Writes one event and flushes it. False when the stream has been cut by a fault.</summary>
    private async Task<bool> SendAsync(WatchSession session, string type, JsonObject obj)
    {
        var ctx = session.Context;
        if (session.Stalled)
        {
            // A dead stream: nothing more, until the client hangs up.
            await Task.Delay(Timeout.InfiniteTimeSpan, ctx.RequestAborted).ConfigureAwait(false);
        }

        var line = Encoding.UTF8.GetBytes(new JsonObject { ["type"] = type, ["object"] = obj.DeepClone() }.ToJsonString(Options(ctx)) + "\n");
        if (session.CutNextEvent)
        {
            await ctx.Response.Body.WriteAsync(line.AsMemory(0, line.Length / 2), ctx.RequestAborted).ConfigureAwait(false);
            await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
            ctx.Abort();
            return false;
        }

        await ctx.Response.Body.WriteAsync(line, ctx.RequestAborted).ConfigureAwait(false);
        await ctx.Response.Body.FlushAsync(ctx.RequestAborted).ConfigureAwait(false);
        return true;
    }

    /// <summary>A bookmark: an empty object of the watched kind that carries only the resourceVersion.</summary>
    private static JsonObject Bookmark(ServedResource resource, long revision)
    {
        var o = new JsonObject
        {
            ["kind"] = resource.Kind,
            ["apiVersion"] = resource.ApiVersion,
            ["metadata"] = new JsonObject { ["resourceVersion"] = revision.ToString(CultureInfo.InvariantCulture), ["creationTimestamp"] = null },
        };
        if (resource.Kind == "Service")
        {
            o["spec"] = new JsonObject();
            o["status"] = new JsonObject { ["loadBalancer"] = new JsonObject() };
        }

        return o;
    }

    private async Task GetAsync(HttpContext ctx, Route route)
    {
        var obj = Store.Locked(() => Store.GetLocked(route.Resource, route.Namespace ?? "", route.Name!)?.DeepClone().AsObject());
        await WriteAsync(ctx, obj ?? Status.NotFound(route.Resource, route.Name!), obj is null ? 404 : 200).ConfigureAwait(false);
    }

    private async Task DeleteAsync(HttpContext ctx, Route route)
    {
        var gone = Store.Locked(() => Store.DeleteLocked(route.Resource, route.Namespace ?? "", route.Name!));
        await WriteAsync(ctx, gone ?? Status.NotFound(route.Resource, route.Name!), gone is null ? 404 : 200).ConfigureAwait(false);
    }

    private async Task CreateAsync(HttpContext ctx, Route route)
    {
        var (body, problem) = await ReadObjectAsync(ctx, route).ConfigureAwait(false);
        if (problem is not null)
        {
            await WriteAsync(ctx, problem).ConfigureAwait(false);
            return;
        }

        var name = Json.Str(body!["metadata"]?["name"]);
        if (string.IsNullOrEmpty(name))
        {
            await WriteAsync(ctx, Status.Invalid(route.Resource, "", [new FieldCause("FieldValueRequired", "Required value: name or generateName is required", "metadata.name")])).ConfigureAwait(false);
            return;
        }

        var ns = route.Namespace ?? "";
        var manager = ctx.Request.Query["fieldManager"].ToString() is { Length: > 0 } fm ? fm : ManagerFromUserAgent(ctx);
        var dryRun = ctx.Request.Query["dryRun"] == "All";
        var answer = Store.Locked(() =>
        {
            if (route.Resource.Namespaced && Store.GetLocked(ServedResource.ByKind("Namespace"), "", ns) is null)
            {
                return Status.NamespaceNotFound(ns);
            }

            if (route.Resource.Kind == "Service")
            {
                var services = Store.AllLocked(route.Resource).ToList();
                if (ServiceRules.Check(body, services) is { Count: > 0 } causes)
                {
                    return Status.Invalid(route.Resource, name, causes);
                }

                ServiceRules.Default(body, null, services);
            }

            if (Store.GetLocked(route.Resource, ns, name) is not null)
            {
                return Status.AlreadyExists(route.Resource, name);
            }

            Json.Meta(body)["managedFields"] = ServerSideApply.UpdateEntry(body, manager, Json.Now(server.Options.Time));
            return dryRun ? Json.Canonical(body) : Store.WriteLocked(route.Resource, ns, name, body);
        });
        await WriteAsync(ctx, answer, answer["kind"]?.GetValue<string>() == "Status" ? null : 201).ConfigureAwait(false);
    }

    private async Task ApplyAsync(HttpContext ctx, Route route, UserInfo user)
    {
        var q = ctx.Request.Query;
        if (ctx.Request.ContentType?.Split(';')[0].Trim() != "application/apply-patch+yaml")
        {
            await WriteAsync(ctx, Status.Failure(415, "UnsupportedMediaType",
                $"the stand-in API server only supports server-side apply patches (application/apply-patch+yaml), not {ctx.Request.ContentType}")).ConfigureAwait(false);
            return;
        }

        var manager = q["fieldManager"].ToString();
        if (manager.Length == 0)
        {
            var cause = new FieldCause("FieldValueRequired", "Required value: is required for apply patch", "fieldManager");
            await WriteAsync(ctx, Status.Failure(422, "Invalid", "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch",
                Status.Details("", "meta.k8s.io", "PatchOptions", [cause]))).ConfigureAwait(false);
            return;
        }

        var (body, problem) = await ReadObjectAsync(ctx, route).ConfigureAwait(false);
        if (problem is not null)
        {
            await WriteAsync(ctx, problem).ConfigureAwait(false);
            return;
        }

        var name = route.Name!;
        if (Json.Str(body!["metadata"]?["name"]) is { } bodyName && bodyName != name)
        {
            await WriteAsync(ctx, Status.BadRequest($"the name of the object ({bodyName}) does not match the name on the URL ({name})")).ConfigureAwait(false);
            return;
        }

        var ns = route.Namespace ?? "";
        var force = q["force"] == "true";
        var dryRun = q["dryRun"] == "All";
        var exists = Store.Locked(() => Store.GetLocked(route.Resource, ns, name) is not null);
        if (!exists && !server.Access.Allows(user, "create", route.Resource.Plural, route.Namespace))
        {
            await WriteAsync(ctx, Status.Forbidden(user, "create", route.Resource, route.Namespace, name)).ConfigureAwait(false);
            return;
        }

        var (answer, code) = Store.Locked<(JsonObject, int?)>(() =>
        {
            if (route.Resource.Namespaced && Store.GetLocked(ServedResource.ByKind("Namespace"), "", ns) is null)
            {
                return (Status.NamespaceNotFound(ns), null);
            }

            var live = Store.GetLocked(route.Resource, ns, name);
            var result = ServerSideApply.Apply(live, body, manager, force, Json.Now(server.Options.Time));
            if (result.Conflicts.Count > 0)
            {
                return (Status.ApplyConflicts(result.Conflicts), null);
            }

            if (result.NoOp)
            {
                return (live!.DeepClone().AsObject(), 200);
            }

            var merged = result.Merged!;
            Json.Meta(merged)["name"] = name;
            if (route.Resource.Namespaced)
            {
                Json.Meta(merged)["namespace"] = ns;
            }

            if (route.Resource.Kind == "Service")
            {
                var others = Store.AllLocked(route.Resource).Where(s => !(Json.Str(s["metadata"]?["namespace"]) == ns && Json.Str(s["metadata"]?["name"]) == name)).ToList();
                if (ServiceRules.Check(merged, others) is { Count: > 0 } causes)
                {
                    return (Status.Invalid(route.Resource, name, causes), null);
                }

                ServiceRules.Default(merged, live, others);
            }

            var status = live is null ? 201 : 200;
            if (dryRun)
            {
                if (live is null)
                {
                    Json.Meta(merged)["uid"] = Guid.NewGuid().ToString();
                    Json.Meta(merged)["creationTimestamp"] = Json.Now(server.Options.Time);
                }

                return (Json.Canonical(merged), status);
            }

            return (Store.WriteLocked(route.Resource, ns, name, merged), status);
        });
        await WriteAsync(ctx, answer, code).ConfigureAwait(false);
    }

    private static async Task<(JsonObject? Body, JsonObject? Problem)> ReadObjectAsync(HttpContext ctx, Route route)
    {
        using var reader = new StreamReader(ctx.Request.Body, Encoding.UTF8);
        var text = await reader.ReadToEndAsync(ctx.RequestAborted).ConfigureAwait(false);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            try
            {
                var docs = YamlToJson.Parse(text, "request");
                node = docs.Count == 0 ? null : docs[0].Root;
            }
            catch (YamlException e)
            {
                return (null, Status.BadRequest($"error decoding YAML: {e.Message}"));
            }
        }

        if (node is not JsonObject body)
        {
            return (null, Status.BadRequest("the body of the request must be a Kubernetes object"));
        }

        var r = route.Resource;
        if (Json.Str(body["kind"]) != r.Kind || Json.Str(body["apiVersion"]) != r.ApiVersion)
        {
            return (null, Status.BadRequest($"the API version in the data ({Json.Str(body["apiVersion"])}) does not match the expected API version ({r.ApiVersion})"));
        }

        if (r.Namespaced && Json.Str(body["metadata"]?["namespace"]) is { } bodyNs && bodyNs != route.Namespace)
        {
            return (null, Status.BadRequest("the namespace of the provided object does not match the namespace sent on the request"));
        }

        return (body, null);
    }

    private static string ManagerFromUserAgent(HttpContext ctx)
    {
        var ua = ctx.Request.Headers.UserAgent.ToString();
        var end = ua.IndexOf('/', StringComparison.Ordinal);
        return end > 0 ? ua[..end] : ua.Length > 0 ? ua : "unknown";
    }

    private static JsonSerializerOptions Options(HttpContext ctx) =>
        ctx.Request.Headers.UserAgent.ToString().StartsWith("curl", StringComparison.Ordinal) ? Json.Indented : Json.Compact;

    /// <summary>Writes a JSON answer. A Status body takes its HTTP code from its own code field.</summary>
    private static async Task WriteAsync(HttpContext ctx, JsonObject body, int? code = null, bool chunked = false, bool indented = false)
    {
        var status = code ?? (int)(Json.Long(body["code"]) ?? 500);
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        if (status is 401 or 403)
        {
            ctx.Response.Headers.XContentTypeOptions = "nosniff";
        }

        // Go's JSON encoder ends every API answer with a newline (/version, written by hand, has none).
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString(indented ? Json.Indented : Options(ctx)) + (indented ? "" : "\n"));
        if (!chunked)
        {
            ctx.Response.ContentLength = bytes.Length;
        }

        await ctx.Response.Body.WriteAsync(bytes, ctx.RequestAborted).ConfigureAwait(false);
    }
}
