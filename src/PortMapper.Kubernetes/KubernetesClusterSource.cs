using System.Collections.Immutable;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using PortMapper.Core.Cluster;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Api;
using PortMapper.Kubernetes.Apply;
using PortMapper.Kubernetes.Config;
using PortMapper.Kubernetes.Informers;

namespace PortMapper.Kubernetes;

/// <summary>One informer as a status page shows it.</summary>
public sealed record InformerInfo(string Resource, string? Namespace, InformerState State);

/// <summary>
/// A live cluster: one informer per resource feeding one shared cache. Subscribers get the current snapshot and
/// then batches of coalesced changes on their own channel. When RBAC forbids listing a resource in all namespaces,
/// the source falls back to the configured namespaces and reports what it cannot see in <see cref="ConnectionState.Hidden"/>.
/// </summary>
public sealed class KubernetesClusterSource : IClusterSource
{
    private readonly KubernetesConnection _connection;
    private readonly KubernetesSourceOptions _options;
    private readonly KubernetesApiClient _client;
    private readonly ILoggerFactory _loggers;
    private readonly ILogger _logger;
    private readonly Channel<InformerEvent> _events = Channel.CreateUnbounded<InformerEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Lock _lock = new();
    private readonly List<Channel<ClusterBatch>> _subscribers = [];
    private readonly Dictionary<Informer, (Task Run, CancellationTokenSource Stop)> _informers = [];

    // Each informer's state as of the last event the pump applied, so State never runs ahead of Snapshot.
    private readonly Dictionary<Informer, InformerState> _reported = [];
    private readonly List<HiddenResource> _fallbacks = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _synced = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile ClusterSnapshot _snapshot = ClusterSnapshot.Empty with { EndpointSlicesAuthoritative = true };
    private volatile ConnectionState _state;
    private Task? _pump;
    private int _started;

    public KubernetesClusterSource(KubernetesConnection connection, KubernetesSourceOptions? options = null, ILoggerFactory? loggerFactory = null)
    {
        _connection = connection;
        _options = options ?? new KubernetesSourceOptions();
        _loggers = loggerFactory ?? NullLoggerFactory.Instance;
        _logger = _loggers.CreateLogger<KubernetesClusterSource>();
        _client = new KubernetesApiClient(connection, _options.Client);
        _state = new ConnectionState(ConnectionStatus.Connecting, null, _options.Time.GetUtcNow());
    }

    /// <summary>
    /// The source PortMapper should use: in-cluster, or the kubeconfig (explicit, KUBECONFIG or ~/.kube/config).
    /// Null when there is no cluster to talk to; the caller then shows the demo cluster.
    /// </summary>
    /// <exception cref="KubeconfigException">A kubeconfig exists (or was named) but cannot be used.</exception>
    public static KubernetesClusterSource? Create(KubernetesSourceOptions options, ILoggerFactory? loggerFactory = null) =>
        ConnectionResolver.Resolve(options.Connection) is { } connection ? new KubernetesClusterSource(connection, options, loggerFactory) : null;

    public ClusterSourceInfo Info => _connection.Info;

    public ConnectionState State => _state;

    public ClusterSnapshot Snapshot => _snapshot;

    public bool CanApply => _options.AllowApply;

    public KubernetesApiClient Client => _client;

    public ImmutableArray<InformerInfo> Informers
    {
        get
        {
            lock (_lock)
            {
                return _informers.Keys.Select(i => new InformerInfo(i.Resource.QualifiedName, i.Namespace, Reported(i))).ToImmutableArray();
            }
        }
    }

    /// <summary>Starts the informers and returns at once; <see cref="State"/> tells when the cache is live.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _started, 1) == 1)
        {
            return Task.CompletedTask;
        }

        _logger.LogInformation("Connecting to {Connection}", _connection);
        lock (_lock)
        {
            foreach (var resource in ResourceType.Watched)
            {
                StartInformer(resource, null);
            }

            foreach (var resource in ResourceType.KubeProxyConfigMaps)
            {
                StartInformer(resource, resource.FixedNamespace);
            }
        }

        _pump = Task.Run(() => PumpAsync(_stop.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    /// <summary>Completes once every resource has been listed (or found forbidden).</summary>
    public Task WaitForSyncAsync(CancellationToken cancellationToken) => _synced.Task.WaitAsync(cancellationToken);

    public ClusterSubscription Subscribe()
    {
        var channel = Channel.CreateUnbounded<ClusterBatch>(new UnboundedChannelOptions { SingleReader = true });
        lock (_lock)
        {
            _subscribers.Add(channel);
            return new ClusterSubscription(_snapshot, _state, channel.Reader, () => Unsubscribe(channel));
        }
    }

    private void Unsubscribe(Channel<ClusterBatch> channel)
    {
        lock (_lock)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    /// <summary>How many subscriptions are open; each one is a channel the source writes to.</summary>
    public int SubscriberCount
    {
        get
        {
            lock (_lock)
            {
                return _subscribers.Count;
            }
        }
    }

    public async Task<ImmutableArray<ApplyObjectResult>> ApplyAsync(IReadOnlyList<JsonObject> objects, ApplyOptions options, CancellationToken cancellationToken)
    {
        var results = new ApplyObjectResult[objects.Count];
        if (!CanApply)
        {
            for (var i = 0; i < objects.Count; i++)
            {
                var (target, problem) = ApplyTarget.From(objects[i], _connection.Namespace);
                results[i] = problem ?? ApplyResults.Refused(target!.Ref);
            }

            return [.. results];
        }

        var extra = new List<ApplyObjectResult>();
        if (options.CreateNamespaces)
        {
            extra.AddRange(await CreateMissingNamespacesAsync(objects, options, cancellationToken).ConfigureAwait(false));
        }

        // Namespaces first, so that objects in a namespace of the same batch find it.
        var order = Enumerable.Range(0, objects.Count).OrderBy(i => ApplyTarget.Text(objects[i]["kind"]) == "Namespace" ? 0 : 1);
        foreach (var i in order)
        {
            // The version cached before the write: read after it, the watch may already have delivered the new one.
            var cachedBefore = ApplyTarget.From(objects[i], _connection.Namespace).Target is { } target ? CachedResourceVersion(target.Ref) : null;
            var result = await _client.ApplyAsync(objects[i], options, _connection.Namespace, cancellationToken).ConfigureAwait(false);
            results[i] = options.DryRun ? result : MarkUnchanged(result, cachedBefore);
        }

        return [.. results, .. extra];
    }

    /// <summary>A 200 that kept the resourceVersion the object had before changed nothing: the server skipped the write.</summary>
    private static ApplyObjectResult MarkUnchanged(ApplyObjectResult result, string? cachedBefore) =>
        result.Outcome == ApplyOutcome.Configured && cachedBefore is not null && ApplyTarget.Text(result.Result?["metadata"]?["resourceVersion"]) == cachedBefore
            ? result with { Outcome = ApplyOutcome.Unchanged, Message = $"{result.Object} unchanged" }
            : result;

    private string? CachedResourceVersion(ObjectRef o)
    {
        var key = new ObjectKey(o.Namespace, o.Name);
        var s = _snapshot;
        IKubeObject? cached = o.Kind switch
        {
            "Namespace" => s.Namespaces.GetValueOrDefault(o.Name),
            "Pod" => s.Pods.GetValueOrDefault(key),
            "Service" => s.Services.GetValueOrDefault(key),
            "EndpointSlice" => s.EndpointSlices.GetValueOrDefault(key),
            "Ingress" => s.Ingresses.GetValueOrDefault(key),
            "IngressClass" => s.IngressClasses.GetValueOrDefault(o.Name),
            _ => null,
        };
        return cached?.Metadata.ResourceVersion;
    }

    private async Task<List<ApplyObjectResult>> CreateMissingNamespacesAsync(IReadOnlyList<JsonObject> objects, ApplyOptions options, CancellationToken cancellationToken)
    {
        var inBatch = objects.Where(o => ApplyTarget.Text(o["kind"]) == "Namespace").Select(o => ApplyTarget.Text(o["metadata"]?["name"])).ToHashSet(StringComparer.Ordinal);
        var needed = objects
            .Select(o => ApplyTarget.From(o, _connection.Namespace).Target)
            .Where(t => t?.Namespace is not null && !inBatch.Contains(t.Namespace))
            .Select(t => t!.Namespace!)
            .Distinct(StringComparer.Ordinal)
            .Where(ns => !_snapshot.Namespaces.ContainsKey(ns))
            .ToList();
        var results = new List<ApplyObjectResult>();
        foreach (var ns in needed)
        {
            try
            {
                if (await _client.GetAsync(ResourceType.Namespaces, null, ns, cancellationToken).ConfigureAwait(false) is not null)
                {
                    continue;
                }
            }
            catch (Exception e) when (e is KubernetesApiException or KubernetesConnectionException)
            {
                // Cannot tell whether it exists (not allowed to get namespaces?): let the objects' own applies say.
                _logger.LogInformation("Cannot check namespace {Namespace}: {Message}", ns, e.Message);
                continue;
            }

            var nsObject = new JsonObject { ["apiVersion"] = "v1", ["kind"] = "Namespace", ["metadata"] = new JsonObject { ["name"] = ns } };
            results.Add(await _client.ApplyAsync(nsObject, options, _connection.Namespace, cancellationToken).ConfigureAwait(false));
        }

        return results;
    }

    private void StartInformer(ResourceType resource, string? ns)
    {
        var stop = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        var informer = new Informer(_client, resource, ns, _options.Informer, _events.Writer, _loggers.CreateLogger<Informer>(), _options.Time);
        _informers[informer] = (Task.Run(() => informer.RunAsync(stop.Token), CancellationToken.None), stop);
    }

    /// <summary>
    /// Starts the informers of optional kinds the server serves. Runs before the pump reads its first event, so the
    /// first "synced" already waits for them; a kind that is not served (or whose discovery fails) is left off
    /// quietly: the feature it feeds is off, nothing is reported as broken.
    /// </summary>
    private async Task DiscoverOptionalAsync(CancellationToken cancellationToken)
    {
        foreach (var resource in ResourceType.Optional)
        {
            bool served;
            try
            {
                served = await _client.IsServedAsync(resource.ApiVersion, resource.Plural, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is KubernetesApiException or KubernetesConnectionException)
            {
                _logger.LogInformation("Cannot tell whether {Resource} is served ({Message}); not watching it", resource, e.Message);
                continue;
            }

            if (!served)
            {
                _logger.LogInformation("{Resource} is not installed in this cluster; not watching it", resource);
                continue;
            }

            lock (_lock)
            {
                StartInformer(resource, null);
            }
        }
    }

    private async Task PumpAsync(CancellationToken cancellationToken)
    {
        var reader = _events.Reader;
        try
        {
            await DiscoverOptionalAsync(cancellationToken).ConfigureAwait(false);
            while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                if (_options.BatchWindow > TimeSpan.Zero)
                {
                    await Task.Delay(_options.BatchWindow, _options.Time, cancellationToken).ConfigureAwait(false);
                }

                var changes = new List<ClusterChange>();
                var forbidden = new HashSet<Informer>();
                while (reader.TryRead(out var e))
                {
                    switch (e)
                    {
                        case InformerEvent.Changes c:
                            changes.AddRange(c.Items);
                            break;
                        case InformerEvent.StateChanged sc:
                            if (Report(sc) && NeedsFallback(sc.Source, sc.State))
                            {
                                forbidden.Add(sc.Source);
                            }

                            break;
                    }
                }

                foreach (var informer in forbidden)
                {
                    changes.AddRange(await FallBackAsync(informer).ConfigureAwait(false));
                }

                Publish(changes);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Disposed.
        }
        catch (Exception e)
        {
            // A bug here would freeze the picture without a word; make it loud instead.
            _logger.LogError(e, "The live cache stopped updating");
            lock (_lock)
            {
                _state = new ConnectionState(ConnectionStatus.Failed, $"PortMapper's live cache stopped updating: {e.Message}. Restart PortMapper.", _options.Time.GetUtcNow());
            }
        }
    }

    /// <summary>Records what an informer reported; false when it is no longer one of ours (replaced by a fallback).</summary>
    private bool Report(InformerEvent.StateChanged e)
    {
        lock (_lock)
        {
            if (!_informers.ContainsKey(e.Source))
            {
                return false;
            }

            _reported[e.Source] = e.State;
            return true;
        }
    }

    private InformerState Reported(Informer informer) =>
        _reported.GetValueOrDefault(informer) ?? new InformerState(InformerStatus.Connecting, null, _state.Since ?? DateTimeOffset.MinValue, false);

    private static bool NeedsFallback(Informer informer, InformerState state) =>
        state.Status == InformerStatus.Forbidden && informer.Namespace is null && informer.Resource.Namespaced;

    /// <summary>Replaces a forbidden cluster-wide informer by one per fallback namespace; returns the removal of what it held.</summary>
    private async Task<IEnumerable<ClusterChange>> FallBackAsync(Informer informer)
    {
        var reason = informer.State.LastError;
        (Task Run, CancellationTokenSource Stop) entry;
        lock (_lock)
        {
            entry = _informers[informer];
            _informers.Remove(informer);
            _reported.Remove(informer);
        }

        await entry.Stop.CancelAsync().ConfigureAwait(false);
        await entry.Run.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        entry.Stop.Dispose();

        var namespaces = _options.Namespaces.IsDefaultOrEmpty ? [_connection.Namespace] : _options.Namespaces;
        var shown = string.Join(", ", namespaces.Select(n => $"\"{n}\""));
        _logger.LogWarning("{Resource}: cluster-wide list forbidden; watching namespaces {Namespaces} instead", informer.Resource, shown);
        lock (_lock)
        {
            _fallbacks.Add(new HiddenResource(informer.Resource.QualifiedName, null,
                $"{reason} Until then PortMapper shows {informer.Resource.Plural} in namespace{(namespaces.Length == 1 ? "" : "s")} {shown} only."));
            foreach (var ns in namespaces)
            {
                StartInformer(informer.Resource, ns);
            }
        }

        return informer.Items.Select(o => new ClusterChange(ChangeType.Deleted, o)).ToList();
    }

    private void Publish(List<ClusterChange> raw)
    {
        var changes = ChangeBatch.Coalesce(raw);
        bool allSynced;
        lock (_lock)
        {
            if (!changes.IsEmpty)
            {
                _snapshot = ChangeBatch.Apply(_snapshot, changes);
            }

            var state = ComputeState();
            var stateChanged = !Same(state, _state);
            if (stateChanged)
            {
                _state = state;
            }

            // A forbidden cluster-wide informer is about to be replaced by per-namespace ones: not done yet.
            allSynced = _informers.Keys.Select(i => (i, Reported(i))).All(x => x.Item2.HasSynced || (x.Item2.Status == InformerStatus.Forbidden && !NeedsFallback(x.i, x.Item2)));
            if (!changes.IsEmpty || stateChanged)
            {
                var batch = new ClusterBatch(_snapshot, changes, _state);
                foreach (var s in _subscribers)
                {
                    s.Writer.TryWrite(batch);
                }
            }
        }

        if (allSynced)
        {
            _synced.TrySetResult();
        }
    }

    private ConnectionState ComputeState()
    {
        var informers = _informers.Keys.Select(i => (Informer: i, State: Reported(i))).ToList();
        var hidden = _fallbacks
            .Concat(informers.Where(i => i.State.Status == InformerStatus.Forbidden && !i.Informer.Resource.Supplementary)
                .Select(i => new HiddenResource(i.Informer.Resource.QualifiedName, i.Informer.Namespace, i.State.LastError ?? "forbidden")))
            .ToImmutableArray();
        var failed = informers.FirstOrDefault(i => i.State.Status == InformerStatus.Failed).State;
        var reconnecting = informers.FirstOrDefault(i => i.State.Status == InformerStatus.Reconnecting).State;
        (ConnectionStatus Status, string? Error) now = informers switch
        {
            [_, ..] when informers.All(i => i.State.Status == InformerStatus.Forbidden || i.Informer.Resource.Supplementary) && informers.Any(i => !i.Informer.Resource.Supplementary) =>
                (ConnectionStatus.Failed, $"PortMapper may not read anything in this cluster. {informers[0].State.LastError}"),
            _ when failed is not null => (ConnectionStatus.Failed, failed.LastError),
            _ when reconnecting is not null => (ConnectionStatus.Reconnecting, reconnecting.LastError),
            _ when informers.Any(i => i.State.Status is InformerStatus.Connecting or InformerStatus.Stopped) => (ConnectionStatus.Connecting, null),
            _ => (ConnectionStatus.Live, null),
        };
        var since = now.Status == _state.Status ? _state.Since : _options.Time.GetUtcNow();
        return new ConnectionState(now.Status, now.Error, since) { Hidden = hidden };
    }

    private static bool Same(ConnectionState a, ConnectionState b) =>
        a.Status == b.Status && a.LastError == b.LastError && a.Hidden.SequenceEqual(b.Hidden);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        List<(Task Run, CancellationTokenSource Stop)> informers;
        lock (_lock)
        {
            informers = [.. _informers.Values];
        }

        await Task.WhenAll(informers.Select(i => i.Run).Append(_pump ?? Task.CompletedTask)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        lock (_lock)
        {
            foreach (var s in _subscribers)
            {
                s.Writer.TryComplete();
            }

            _subscribers.Clear();
        }

        foreach (var i in informers)
        {
            i.Stop.Dispose();
        }

        _client.Dispose();
        _stop.Dispose();
    }

    /// <summary>The object as the API server stores it (for its YAML); null for a kind PortMapper cannot read or an object that is gone.</summary>
    public Task<JsonObject?> GetObjectAsync(ObjectRef reference, CancellationToken cancellationToken)
    {
        var resource = ResourceType.Watched.FirstOrDefault(r => r.Kind == reference.Kind) ?? ResourceType.Applicable.GetValueOrDefault(reference.Kind)
            ?? ResourceType.Optional.FirstOrDefault(r => r.Kind == reference.Kind);
        if (resource is null)
        {
            return Task.FromResult<JsonObject?>(null);
        }

        var ns = resource.Namespaced ? reference.Namespace : null;
        return _client.GetJsonAsync(resource.ObjectPath(ns, reference.Name), new RequestTarget("get", resource.QualifiedName, ns, reference.Name), cancellationToken);
    }

    public override string ToString() => $"live cluster {_connection} ({_state.StatusName})";
}
