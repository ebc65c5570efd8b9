using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using PortMapper.Core.Analysis;
using PortMapper.Core.Cluster;
using PortMapper.Core.Loading;
using PortMapper.Core.Model;
using PortMapper.Core.Validation;

namespace PortMapper.Core.Demo;

public sealed record DemoClusterOptions
{
    public ClusterSourceKind Kind { get; init; } = ClusterSourceKind.Demo;

    public string DisplayName { get; init; } = "demo cluster";

    public NodePortRange NodePortRange { get; init; } = NodePortRange.Default;

    /// <summary>Checks an object the way the API server validates it before it is stored (null: no validation).</summary>
    public Func<JsonObject, ImmutableArray<FieldError>>? Validator { get; init; }
}

/// <summary>
/// An in-memory cluster that behaves like a small real one: it allocates clusterIPs and nodePorts with the API
/// server's rules and messages, schedules pods around hostPort conflicts, gives pods IPs from their node's pod CIDR,
/// keeps EndpointSlices from selectors and readiness, hands out LoadBalancer addresses and Ingress status, and
/// reports every change as a watch would. Applying to it is always allowed: it is a sandbox.
/// </summary>
public sealed partial class DemoCluster : IClusterSource
{
    /// <summary>The demo's Service ranges (its default ServiceCIDR), and the prefixes its allocator hands cluster IPs from.</summary>
    internal const string ServiceCidr4 = "10.96.0.0/12";
    internal const string ServiceCidr6 = "fd00:10:96::/112";
    private const string ServiceCidrPrefix = "10.96.";
    private const string ServiceCidr6Prefix = "fd00:10:96::";

    private readonly Lock _gate = new();
    private readonly Dictionary<ObjectRef, Stored> _objects = [];

    /// <summary>The same objects by kind, so a controller visits only the kinds it owns (20k pods cost nothing to a Service).</summary>
    private readonly Dictionary<string, Dictionary<ObjectRef, Stored>> _byKind = new(StringComparer.Ordinal);
    private readonly List<Channel<ClusterBatch>> _subscribers = [];
    private readonly DemoClusterOptions _options;
    private readonly List<ClusterChange> _pending = [];
    private ClusterSnapshot _snapshot;
    private long _resourceVersion = 1000;
    private int _lbCounter;

    private sealed class Stored(JsonObject raw, IKubeObject model)
    {
        public JsonObject Raw { get; set; } = raw;

        public IKubeObject Model { get; set; } = model;

        public Dictionary<string, (string Manager, string Value)> Owners { get; } = new(StringComparer.Ordinal);
    }

    public DemoCluster(DemoClusterOptions? options = null)
    {
        _options = options ?? new DemoClusterOptions();
        _snapshot = ClusterSnapshot.Empty with { EndpointSlicesAuthoritative = true, NodePortRange = _options.NodePortRange };
        Info = new ClusterSourceInfo(_options.Kind, _options.DisplayName);
    }

    public ClusterSourceInfo Info { get; }

    public ConnectionState State { get; } = new(ConnectionStatus.Live, null, DateTimeOffset.UtcNow);

    public ClusterSnapshot Snapshot
    {
        get
        {
            lock (_gate)
            {
                return _snapshot;
            }
        }
    }

    public bool CanApply => true;

    /// <summary>
    /// Findings about the objects the cluster started with: fields PortMapper could not read (PM105) and objects the
    /// API server would have refused (PM106). They are reported beside the path engine's diagnostics.
    /// </summary>
    public ImmutableArray<Diagnostic> StartupFindings { get; private set; } = [];

    /// <summary>Documents of kinds PortMapper does not model (ConfigMaps, Secrets, CRDs...): listed, not analysed.</summary>
    public ImmutableArray<SkippedObject> Skipped { get; private set; } = [];

    /// <summary>The built-in demo: three nodes, the default ServiceCIDR, a default IngressClass and the classic examples.</summary>
    public static DemoCluster CreateDefault(DemoClusterOptions? options = null)
    {
        var cluster = new DemoCluster(options);
        var samples = DemoSamples.Load();
        cluster.Load([.. DemoNodes.Default(), DemoNodes.DefaultServiceCidr(), DemoNodes.DefaultIngressClass(), .. samples.Raw]);
        cluster.StartupFindings = ManifestFindings.From(samples);
        return cluster;
    }

    /// <summary>
    /// A cluster holding the given manifests as written — objects the API server would refuse are kept, so their
    /// diagnostics explain why. Nodes come from the manifests when they have any, else the three demo nodes.
    /// </summary>
    public static DemoCluster FromManifests(LoadResult manifests, DemoClusterOptions? options = null)
    {
        var cluster = new DemoCluster((options ?? new DemoClusterOptions()) with { Kind = ClusterSourceKind.Manifests, DisplayName = options?.DisplayName ?? "manifests" });
        var raw = manifests.Raw.ToList();
        if (!manifests.Objects.OfType<Node>().Any())
        {
            raw.InsertRange(0, DemoNodes.Default());
        }

        cluster.Load(raw);
        cluster.StartupFindings = ManifestFindings.From(manifests);
        cluster.Skipped = manifests.Skipped;
        return cluster;
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var s in _subscribers)
            {
                s.Writer.TryComplete();
            }

            _subscribers.Clear();
        }

        return ValueTask.CompletedTask;
    }

    public ClusterSubscription Subscribe()
    {
        var channel = Channel.CreateUnbounded<ClusterBatch>(new UnboundedChannelOptions { SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
            return new ClusterSubscription(_snapshot, State, channel.Reader, () =>
            {
                lock (_gate)
                {
                    _subscribers.Remove(channel);
                }

                channel.Writer.TryComplete();
            });
        }
    }

    /// <summary>The stored object as the API server would return it.</summary>
    public JsonObject? Get(ObjectRef reference)
    {
        lock (_gate)
        {
            return _objects.TryGetValue(reference, out var s) ? (JsonObject)s.Raw.DeepClone() : null;
        }
    }

    public Task<JsonObject?> GetObjectAsync(ObjectRef reference, CancellationToken cancellationToken) => Task.FromResult(Get(reference));

    /// <summary>Loads objects as written (no validation), allocating only what the API server would fill in.</summary>
    public void Load(IEnumerable<JsonObject> objects)
    {
        lock (_gate)
        {
            _batchTime = Now();
            var issues = new List<LoadIssue>();
            foreach (var obj in objects)
            {
                var raw = (JsonObject)obj.DeepClone();
                if (Kind(raw) is not { } kind || !ModelReader.IsModelled(kind, ApiVersion(raw)))
                {
                    continue;
                }

                EnsureNamespace(raw);
                var reference = RefOf(raw);
                if (_objects.ContainsKey(reference))
                {
                    continue;
                }

                if (kind == "Service")
                {
                    Allocate(raw, null, validateExplicit: false);
                }

                Store(raw, issues);
            }

            Reconcile();
            Publish();
        }
    }

    public Task<ImmutableArray<ApplyObjectResult>> ApplyAsync(IReadOnlyList<JsonObject> objects, ApplyOptions options, CancellationToken cancellationToken)
    {
        var results = ImmutableArray.CreateBuilder<ApplyObjectResult>(objects.Count);
        lock (_gate)
        {
            _batchTime = Now();
            foreach (var obj in objects)
            {
                results.Add(ApplyOne(obj, options));
            }

            if (!options.DryRun)
            {
                Reconcile();
                Publish();
            }
        }

        return Task.FromResult(results.ToImmutable());
    }

    /// <summary>Deletes an object and what it owns (a workload's pods, a Service's EndpointSlices, a namespace's contents).</summary>
    public bool Delete(ObjectRef reference)
    {
        lock (_gate)
        {
            if (!_objects.ContainsKey(reference))
            {
                return false;
            }

            Remove(reference);
            if (reference.Kind == "Namespace")
            {
                foreach (var r in _objects.Keys.Where(k => k.Namespace == reference.Name).ToList())
                {
                    Remove(r);
                }
            }

            Reconcile();
            Publish();
            return true;
        }
    }

    /// <summary>Marks a pod ready or not, as a failing or recovering readiness probe would.</summary>
    public bool SetPodReady(string ns, string name, bool ready)
    {
        lock (_gate)
        {
            if (!_objects.TryGetValue(new ObjectRef("Pod", ns, name), out var pod))
            {
                return false;
            }

            var raw = (JsonObject)pod.Raw.DeepClone();
            SetCondition(raw, "Ready", ready, null);
            SetCondition(raw, "ContainersReady", ready, null);
            Store(raw, []);
            Reconcile();
            Publish();
            return true;
        }
    }

    private ApplyObjectResult ApplyOne(JsonObject input, ApplyOptions options)
    {
        var applied = (JsonObject)input.DeepClone();
        var kind = Kind(applied) ?? "";
        var name = applied["metadata"]?["name"]?.GetValueKind() == JsonValueKind.String ? applied["metadata"]!["name"]!.GetValue<string>() : "";
        var reference = RefOf(applied);
        if (kind.Length == 0 || !ModelReader.IsModelled(kind, ApiVersion(applied)))
        {
            return new ApplyObjectResult(reference, ApplyOutcome.Error, 404, kind.Length == 0
                ? "the object has no kind"
                : $"the demo cluster does not serve kind {kind} (it holds Namespaces, Nodes, Pods, workloads, Services, EndpointSlices, Ingresses, IngressClasses, NetworkPolicies and the Gateway API's GatewayClasses, Gateways, HTTPRoutes, GRPCRoutes and ReferenceGrants)");
        }

        if (name.Length == 0)
        {
            return Invalid(reference, [new FieldError("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")]);
        }

        if (reference.Namespace.Length > 0 && !_objects.ContainsKey(new ObjectRef("Namespace", "", reference.Namespace)))
        {
            if (!options.CreateNamespaces)
            {
                return new ApplyObjectResult(reference, ApplyOutcome.NotFound, 404, $"namespaces \"{reference.Namespace}\" not found");
            }

            if (!options.DryRun)
            {
                Store(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = reference.Namespace } }, []);
            }
        }

        if ((_options.Validator ?? ValidateLikeApiServer)(applied) is { IsDefaultOrEmpty: false } errors)
        {
            return Invalid(reference, errors);
        }

        _objects.TryGetValue(reference, out var existing);
        var merged = existing is null ? applied : ServerSideApply.Merge(existing.Raw, applied);
        if (existing is not null && !options.Force)
        {
            var conflicts = ServerSideApply.Conflicts(existing.Owners, existing.Raw, applied, options.FieldManager);
            if (!conflicts.IsEmpty)
            {
                return new ApplyObjectResult(reference, ApplyOutcome.Conflict, 409, ServerSideApply.ConflictMessage(conflicts)) { Conflicts = conflicts };
            }
        }

        if (kind == "Service")
        {
            var allocation = Allocate(merged, existing, validateExplicit: true);
            if (!allocation.IsEmpty)
            {
                return Invalid(reference, allocation);
            }
        }

        if (existing is not null && JsonNode.DeepEquals(Strip(existing.Raw), Strip(merged)))
        {
            if (!options.DryRun)
            {
                ServerSideApply.TakeOwnership(existing.Owners, applied, options.FieldManager);
            }

            return new ApplyObjectResult(reference, ApplyOutcome.Unchanged, 200, $"{reference} unchanged") { Result = Describe(existing.Raw, existing.Owners) };
        }

        if (options.DryRun)
        {
            var preview = (JsonObject)merged.DeepClone();
            StampMetadata(preview, existing?.Raw);
            var owners = new Dictionary<string, (string Manager, string Value)>(existing?.Owners ?? [], StringComparer.Ordinal);
            ServerSideApply.TakeOwnership(owners, applied, options.FieldManager);
            return new ApplyObjectResult(reference, existing is null ? ApplyOutcome.Created : ApplyOutcome.Configured, existing is null ? 201 : 200,
                $"{reference} {(existing is null ? "would be created" : "would be configured")} (server dry run)") { Result = Describe(preview, owners) };
        }

        var stored = Store(merged, []);
        if (existing is not null)
        {
            foreach (var (k, v) in existing.Owners)
            {
                stored.Owners[k] = v;
            }
        }

        ServerSideApply.TakeOwnership(stored.Owners, applied, options.FieldManager);
        return new ApplyObjectResult(reference, existing is null ? ApplyOutcome.Created : ApplyOutcome.Configured, existing is null ? 201 : 200,
            $"{reference} {(existing is null ? "created" : "configured")}") { Result = Describe(stored.Raw, stored.Owners) };
    }

    private static ImmutableArray<FieldError> ValidateLikeApiServer(JsonObject obj) =>
        [.. ManifestValidator.Validate(obj)
            .Where(f => f.Severity == ValidationSeverity.Error)
            .Select(f => new FieldError(f.Field, "FieldValueInvalid", f.Detail))];

    private static ApplyObjectResult Invalid(ObjectRef reference, ImmutableArray<FieldError> errors)
    {
        var summary = string.Join(", ", errors.Select(e => $"{e.Field}: {e.Message}"));
        var message = errors.Length == 1
            ? $"{reference.Kind} \"{reference.Name}\" is invalid: {summary}"
            : $"{reference.Kind} \"{reference.Name}\" is invalid: [{summary}]";
        return new ApplyObjectResult(reference, ApplyOutcome.Invalid, 422, message) { Errors = errors };
    }

    private static JsonObject Strip(JsonObject raw)
    {
        var copy = (JsonObject)raw.DeepClone();
        if (copy["metadata"] is JsonObject m)
        {
            foreach (var k in new[] { "resourceVersion", "uid", "creationTimestamp", "managedFields", "generation" })
            {
                m.Remove(k);
            }
        }

        return copy;
    }

    private static JsonObject Describe(JsonObject raw, Dictionary<string, (string Manager, string Value)> owners)
    {
        var copy = (JsonObject)raw.DeepClone();
        var managers = new JsonArray();
        foreach (var g in owners.GroupBy(o => o.Value.Manager).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            managers.Add(new JsonObject
            {
                ["manager"] = g.Key,
                ["operation"] = "Apply",
                ["fields"] = new JsonArray([.. g.Select(x => (JsonNode)JsonValue.Create(x.Key)!).OrderBy(x => x.GetValue<string>(), StringComparer.Ordinal)]),
            });
        }

        if (copy["metadata"] is JsonObject m && managers.Count > 0)
        {
            m["managedFields"] = managers;
        }

        return copy;
    }

    // ------------------------------------------------------------------ storage

    private Stored Store(JsonObject raw, List<LoadIssue> issues)
    {
        var reference = RefOf(raw);
        _objects.TryGetValue(reference, out var existing);
        StampMetadata(raw, existing?.Raw);
        var model = new ModelReader(issues).Read(raw)!;
        var isNew = existing is null;
        if (existing is null)
        {
            existing = new Stored(raw, model);
            _objects[reference] = existing;
            if (!_byKind.TryGetValue(reference.Kind, out var ofKind))
            {
                _byKind[reference.Kind] = ofKind = [];
            }

            ofKind[reference] = existing;
        }
        else
        {
            existing.Raw = raw;
            existing.Model = model;
        }

        _snapshot = _snapshot.Upsert(model);
        _pending.Add(new ClusterChange(isNew ? ChangeType.Added : ChangeType.Modified, model));
        MarkDirty(model);
        return existing;
    }

    private void Remove(ObjectRef reference)
    {
        if (_objects.Remove(reference, out var stored))
        {
            _byKind[reference.Kind].Remove(reference);
            _snapshot = _snapshot.Remove(stored.Model);
            _pending.Add(new ClusterChange(ChangeType.Deleted, stored.Model));
            MarkDirty(stored.Model);
        }
    }

    /// <summary>
    /// The creation time given to the objects of one load or apply: one instant for all, as for a `kubectl apply -f` of a
    /// file (Gateway API precedence compares creation times, which must not depend on a second ticking over mid-load).
    /// </summary>
    private string? _batchTime;

    private static string Now() => DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private void StampMetadata(JsonObject raw, JsonObject? existing)
    {
        var meta = raw["metadata"] as JsonObject ?? new JsonObject();
        raw["metadata"] = meta;
        meta["uid"] = existing?["metadata"]?["uid"]?.DeepClone() ?? JsonValue.Create(DeterministicUid(RefOf(raw)));
        meta["creationTimestamp"] = existing?["metadata"]?["creationTimestamp"]?.DeepClone() ?? JsonValue.Create(_batchTime ?? Now());
        meta["resourceVersion"] = (++_resourceVersion).ToString(CultureInfo.InvariantCulture);
    }

    private static string DeterministicUid(ObjectRef r)
    {
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(r.ToString()));
        return new Guid(hash.AsSpan(0, 16)).ToString();
    }

    private void Publish()
    {
        if (_pending.Count == 0)
        {
            return;
        }

        // One change per object per batch: the last state wins, as a watch that coalesced them would show.
        var changes = _pending
            .Select((c, i) => (c, i))
            .GroupBy(x => x.c.Object.Ref())
            .Select(g => g.Last())
            .OrderBy(x => x.i)
            .Select(x => x.c)
            .ToImmutableArray();
        _pending.Clear();
        var batch = new ClusterBatch(_snapshot, changes, State);
        foreach (var s in _subscribers)
        {
            s.Writer.TryWrite(batch);
        }
    }

    private static string? Kind(JsonObject raw) => raw["kind"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    private static string ApiVersion(JsonObject raw) => raw["apiVersion"] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : "";

    private static ObjectRef RefOf(JsonObject raw)
    {
        var kind = Kind(raw) ?? "";
        var meta = raw["metadata"] as JsonObject;
        var name = meta?["name"] is JsonValue n && n.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : "";
        var ns = meta?["namespace"] is JsonValue s && s.GetValueKind() == JsonValueKind.String ? s.GetValue<string>() : "";
        if (kind is "Namespace" or "Node" or "IngressClass" or "ClusterNetworkPolicy" or "GatewayClass")
        {
            ns = "";
        }
        else if (ns.Length == 0)
        {
            ns = "default";
        }

        return new ObjectRef(kind, ns, name);
    }

    /// <summary>Fills in the namespace ("default" when none) and creates the namespace object if it is missing.</summary>
    private void EnsureNamespace(JsonObject raw)
    {
        var reference = RefOf(raw);
        if (reference.Namespace.Length == 0)
        {
            return;
        }

        if (raw["metadata"] is JsonObject meta)
        {
            meta["namespace"] = reference.Namespace;
        }

        var nsRef = new ObjectRef("Namespace", "", reference.Namespace);
        if (!_objects.ContainsKey(nsRef))
        {
            Store(new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = reference.Namespace } }, []);
        }
    }

    internal static string Inv(int v) => v.ToString(CultureInfo.InvariantCulture);
}
