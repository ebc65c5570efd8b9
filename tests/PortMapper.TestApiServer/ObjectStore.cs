using System.Globalization;
using System.Text.Json.Nodes;

namespace PortMapper.TestApiServer;

/// <summary>One write, as a watch reports it. <see cref="Previous"/> lets a list be served as of an older revision.</summary>
internal sealed record StoreEvent(long Revision, ServedResource Resource, string Namespace, string Key, string Type, JsonObject Object, JsonObject? Previous);

/// <summary>A request for a revision older than the store still knows (etcd compaction).</summary>
internal sealed class RevisionCompactedException(long requested, long oldest) : Exception($"too old resource version: {requested} ({oldest})")
{
    public long Requested { get; } = requested;

    public long Oldest { get; } = oldest;
}

/// <summary>
/// The stand-in's etcd: objects per resource in key order, one global revision counter, and the history of
/// writes so that watches can resume from a revision and paged lists stay consistent at theirs. Compaction drops
/// history, after which older revisions answer 410 as a real server does.
/// </summary>
public sealed class ObjectStore
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ServedResource, SortedDictionary<string, JsonObject>> _objects = [];
    private readonly List<StoreEvent> _log = [];
    private readonly TimeProvider _time;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _revision = 100;
    private long _compacted;

    internal ObjectStore(TimeProvider time) => _time = time;

    /// <summary>The latest revision (every write takes the next one, whatever the resource).</summary>
    public long Revision
    {
        get
        {
            lock (_lock)
            {
                return _revision;
            }
        }
    }

    /// <summary>Revisions below this one are gone: watching or listing from them answers 410 Expired.</summary>
    public long CompactedRevision
    {
        get
        {
            lock (_lock)
            {
                return _compacted;
            }
        }
    }

    /// <summary>
    /// Forgets all history up to the current revision, like etcd compaction: new watches and lists from an older
    /// revision answer 410. Watches already streaming go on, as they do from the API server's watch cache.
    /// </summary>
    public void Compact()
    {
        lock (_lock)
        {
            _compacted = _revision;
        }
    }

    /// <summary>Creates or replaces an object (apiVersion/kind/metadata.name required), as a controller would.</summary>
    public JsonObject Put(JsonObject obj)
    {
        var (resource, ns, name) = Identify(obj);
        lock (_lock)
        {
            return WriteLocked(resource, ns, name, obj);
        }
    }

    public void PutAll(IEnumerable<JsonObject> objects)
    {
        foreach (var o in objects)
        {
            Put(o);
        }
    }

    public bool Delete(string kind, string? ns, string name)
    {
        var resource = ServedResource.ByKind(kind);
        lock (_lock)
        {
            return DeleteLocked(resource, resource.Namespaced ? ns ?? "" : "", name) is not null;
        }
    }

    public JsonObject? Get(string kind, string? ns, string name)
    {
        var resource = ServedResource.ByKind(kind);
        lock (_lock)
        {
            return Bucket(resource).GetValueOrDefault(Key(resource.Namespaced ? ns ?? "" : "", name))?.DeepClone().AsObject();
        }
    }

    public IReadOnlyList<JsonObject> List(string kind, string? ns = null)
    {
        var resource = ServedResource.ByKind(kind);
        lock (_lock)
        {
            return Bucket(resource).Values.Where(o => ns is null || NamespaceOf(o) == ns).Select(o => o.DeepClone().AsObject()).ToList();
        }
    }

    internal JsonObject? GetLocked(ServedResource resource, string ns, string name) => Bucket(resource).GetValueOrDefault(Key(ns, name));

    internal T Locked<T>(Func<T> action)
    {
        lock (_lock)
        {
            return action();
        }
    }

    internal IEnumerable<JsonObject> AllLocked(ServedResource resource) => Bucket(resource).Values;

    /// <summary>Creates or replaces an object; call it under the store's lock (<see cref="Locked{T}"/>).</summary>
    internal JsonObject WriteLocked(ServedResource resource, string ns, string name, JsonObject obj)
    {
        var bucket = Bucket(resource);
        var key = Key(ns, name);
        var previous = bucket.GetValueOrDefault(key);
        var stored = obj.DeepClone().AsObject();
        var meta = Json.Meta(stored);
        meta["name"] = name;
        if (resource.Namespaced)
        {
            meta["namespace"] = ns;
        }
        else
        {
            meta.Remove("namespace");
        }

        var prevMeta = previous?["metadata"] as JsonObject;
        meta["uid"] = Json.Str(prevMeta?["uid"]) ?? Json.Str(meta["uid"]) ?? Guid.NewGuid().ToString();
        meta["creationTimestamp"] = Json.Str(prevMeta?["creationTimestamp"]) ?? Json.Str(meta["creationTimestamp"]) ?? Json.Now(_time);
        meta["resourceVersion"] = (++_revision).ToString(CultureInfo.InvariantCulture);
        stored["apiVersion"] ??= resource.ApiVersion;
        stored["kind"] ??= resource.Kind;
        stored = Json.Canonical(stored);
        bucket[key] = stored;
        Record(new StoreEvent(_revision, resource, ns, key, previous is null ? "ADDED" : "MODIFIED", stored, previous));
        return stored.DeepClone().AsObject();
    }

    internal JsonObject? DeleteLocked(ServedResource resource, string ns, string name)
    {
        var bucket = Bucket(resource);
        var key = Key(ns, name);
        if (!bucket.Remove(key, out var previous))
        {
            return null;
        }

        var gone = previous.DeepClone().AsObject();
        Json.Meta(gone)["resourceVersion"] = (++_revision).ToString(CultureInfo.InvariantCulture);
        Record(new StoreEvent(_revision, resource, ns, key, "DELETED", gone, previous));
        return gone.DeepClone().AsObject();
    }

    /// <summary>The objects as of <paramref name="revision"/> (null: now), in key order, after <paramref name="startAfter"/>.</summary>
    internal (List<JsonObject> Items, long Revision) ListLocked(ServedResource resource, string? ns, long? revision, string? startAfter)
    {
        var at = revision ?? _revision;
        if (at < _compacted)
        {
            throw new RevisionCompactedException(at, _compacted);
        }

        var items = new SortedDictionary<string, JsonObject>(Bucket(resource), StringComparer.Ordinal);
        for (var i = _log.Count - 1; i >= 0 && _log[i].Revision > at; i--)
        {
            var e = _log[i];
            if (e.Resource != resource)
            {
                continue;
            }

            if (e.Type == "ADDED")
            {
                items.Remove(e.Key);
            }
            else
            {
                items[e.Key] = e.Previous!;
            }
        }

        var result = items
            .Where(kv => (ns is null || NamespaceOf(kv.Value) == ns) && (startAfter is null || string.CompareOrdinal(kv.Key, startAfter) > 0))
            .Select(kv => kv.Value.DeepClone().AsObject())
            .ToList();
        return (result, at);
    }

    /// <summary>The events of one resource after <paramref name="after"/>; throws when asked to check and that history is compacted.</summary>
    internal List<StoreEvent> EventsAfterLocked(ServedResource resource, string? ns, long after, bool checkCompaction)
    {
        if (checkCompaction && after < _compacted)
        {
            throw new RevisionCompactedException(after, _compacted);
        }

        return _log.Where(e => e.Revision > after && e.Resource == resource && (ns is null || e.Namespace == ns)).ToList();
    }

    /// <summary>Completes at the next write.</summary>
    internal Task NextChange
    {
        get
        {
            lock (_lock)
            {
                return _changed.Task;
            }
        }
    }

    private void Record(StoreEvent e)
    {
        _log.Add(e);
        var changed = _changed;
        _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        changed.TrySetResult();
    }

    private SortedDictionary<string, JsonObject> Bucket(ServedResource resource)
    {
        if (!_objects.TryGetValue(resource, out var bucket))
        {
            bucket = new SortedDictionary<string, JsonObject>(StringComparer.Ordinal);
            _objects[resource] = bucket;
        }

        return bucket;
    }

    private static (ServedResource Resource, string Namespace, string Name) Identify(JsonObject obj)
    {
        var kind = Json.Str(obj["kind"]) ?? throw new ArgumentException("The object needs a kind.", nameof(obj));
        var resource = ServedResource.ByKind(kind);
        var meta = obj["metadata"] as JsonObject;
        var name = Json.Str(meta?["name"]) ?? throw new ArgumentException("The object needs metadata.name.", nameof(obj));
        var ns = resource.Namespaced ? Json.Str(meta?["namespace"]) ?? "default" : "";
        return (resource, ns, name);
    }

    internal static string Key(string ns, string name) => ns.Length == 0 ? name : $"{ns}/{name}";

    private static string NamespaceOf(JsonObject o) => Json.Str(o["metadata"]?["namespace"]) ?? "";
}
