using System.Threading.Channels;
using Microsoft.Extensions.Logging;
using PortMapper.Core.Model;
using PortMapper.Kubernetes.Api;

namespace PortMapper.Kubernetes.Informers;

public enum InformerStatus
{
    /// <summary>Not listed yet.</summary>
    Connecting,

    /// <summary>Listed and watching.</summary>
    Synced,

    /// <summary>The list or watch failed; retrying after a backoff. Objects already seen stay in the cache.</summary>
    Reconnecting,

    /// <summary>RBAC forbids the list; retried slowly.</summary>
    Forbidden,

    /// <summary>Failing in a way that needs a person (credentials, TLS trust); still retried, at the longest backoff.</summary>
    Failed,

    Stopped,
}

/// <summary>Where one informer stands; <see cref="LastError"/> stays set until it is healthy again.</summary>
public sealed record InformerState(InformerStatus Status, string? LastError, DateTimeOffset Since, bool HasSynced);

/// <summary>What an informer tells the cache: objects that changed, or that its own state changed.</summary>
internal abstract record InformerEvent(Informer Source)
{
    public sealed record Changes(Informer Source, IReadOnlyList<ClusterChange> Items) : InformerEvent(Source);

    /// <summary>Carries the state it reports: it is read after the changes queued before it, never ahead of them.</summary>
    public sealed record StateChanged(Informer Source, InformerState State) : InformerEvent(Source);
}

/// <summary>A watch that delivered nothing for longer than the watchdog allows.</summary>
internal sealed class WatchStalledException(string message) : Exception(message);

/// <summary>
/// Keeps one resource (in all namespaces or in one) in sync: list, then watch from the list's resourceVersion.
/// On 410 it lists again and reports the difference as changes so the cache converges; on any other failure it
/// watches again from the last resourceVersion after a capped, jittered backoff; a watchdog restarts a silent
/// watch. It only stops when cancelled, and its state and last error are always readable.
/// </summary>
internal sealed class Informer
{
    private readonly KubernetesApiClient _client;
    private readonly InformerOptions _options;
    private readonly ChannelWriter<InformerEvent> _output;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private readonly Backoff _backoff;
    private readonly Random _random;
    private readonly Dictionary<ObjectKey, IKubeObject> _store = [];
    private volatile InformerState _state;
    private string? _resourceVersion;

    public Informer(KubernetesApiClient client, ResourceType resource, string? ns, InformerOptions options, ChannelWriter<InformerEvent> output, ILogger logger, TimeProvider time)
    {
        _client = client;
        Resource = resource;
        Namespace = ns;
        _options = options;
        _output = output;
        _logger = logger;
        _time = time;
        _random = options.JitterSeed is { } seed ? new Random(HashCode.Combine(seed, resource.Plural, ns)) : new Random();
        _backoff = new Backoff(options.InitialBackoff, options.MaxBackoff, _random);
        _state = new InformerState(InformerStatus.Connecting, null, time.GetUtcNow(), false);
    }

    public ResourceType Resource { get; }

    /// <summary>Null when the informer covers all namespaces (or the resource is cluster-scoped).</summary>
    public string? Namespace { get; }

    public InformerState State => _state;

    /// <summary>The objects this informer holds. Read it only after <see cref="RunAsync"/> has returned.</summary>
    public IReadOnlyCollection<IKubeObject> Items => _store.Values;

    public string Scope => Namespace is null ? Resource.QualifiedName : $"{Resource.QualifiedName} in namespace {Namespace}";

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                if (_resourceVersion is null)
                {
                    await ListAsync(cancellationToken).ConfigureAwait(false);
                    failures = 0;
                }

                var started = _time.GetUtcNow();
                var delivered = await WatchAsync(cancellationToken).ConfigureAwait(false);
                if (delivered > 0 || _time.GetUtcNow() - started > _options.InitialBackoff)
                {
                    failures = 0;
                    continue;
                }

                // The server closed at once without a word (a proxy that drops long requests?): don't spin.
                await DelayAsync(++failures, cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (ResourceVersionExpiredException e)
            {
                // The watch fell behind the server's history: only a new list can catch up. The first time
                // that is immediate; repeated 410s back off like any other failure.
                _logger.LogInformation("{Scope}: {Message} Listing again.", Scope, e.ServerMessage);
                _resourceVersion = null;
                if (failures++ > 0)
                {
                    await DelayAsync(failures, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (KubernetesApiException e) when (e.IsForbidden)
            {
                SetState(InformerStatus.Forbidden, e.Message);
                _logger.LogWarning("{Scope}: {Message}", Scope, e.Message);
                await SleepAsync(_options.ForbiddenRetry, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested)
            {
                failures++;
                var needsAttention = e is KubernetesConnectionException { NeedsAttention: true } or KubernetesApiException { IsUnauthorized: true };
                SetState(needsAttention ? InformerStatus.Failed : InformerStatus.Reconnecting, $"{Scope}: {e.Message}");
                _logger.LogWarning(e, "{Scope}: {Message} Retrying (attempt {Attempt}).", Scope, e.Message, failures);
                await DelayAsync(failures, cancellationToken).ConfigureAwait(false);
            }
        }

        SetState(InformerStatus.Stopped, _state.LastError);
    }

    private async Task ListAsync(CancellationToken cancellationToken)
    {
        var list = await _client.ListAsync(Resource, Namespace, cancellationToken).ConfigureAwait(false);
        var changes = new List<ClusterChange>();
        var seen = new HashSet<ObjectKey>();
        foreach (var item in list.Items)
        {
            var key = item.Key();
            seen.Add(key);
            if (!_store.TryGetValue(key, out var old))
            {
                changes.Add(new ClusterChange(ChangeType.Added, item));
            }
            else if (old.Metadata.ResourceVersion != item.Metadata.ResourceVersion)
            {
                changes.Add(new ClusterChange(ChangeType.Modified, item));
            }

            _store[key] = item;
        }

        foreach (var gone in _store.Keys.Where(k => !seen.Contains(k)).ToList())
        {
            changes.Add(new ClusterChange(ChangeType.Deleted, _store[gone]));
            _store.Remove(gone);
        }

        _resourceVersion = list.ResourceVersion;
        Emit(changes);
        SetState(InformerStatus.Synced, null);
    }

    /// <summary>One watch, until the server ends it. Returns how many events it delivered.</summary>
    private async Task<int> WatchAsync(CancellationToken cancellationToken)
    {
        using var watchdog = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var timeout = _options.WatchTimeout * (1 + _random.NextDouble());
        var delivered = 0;
        try
        {
            watchdog.CancelAfter(_options.WatchIdleTimeout);
            var events = _client.WatchAsync(Resource, Namespace, _resourceVersion, timeout, () => SetState(InformerStatus.Synced, null), watchdog.Token);
            await foreach (var e in events.ConfigureAwait(false))
            {
                watchdog.CancelAfter(_options.WatchIdleTimeout);
                delivered++;
                Handle(e);
            }
        }
        catch (Exception e) when (watchdog.IsCancellationRequested && !cancellationToken.IsCancellationRequested && e is not ResourceVersionExpiredException)
        {
            throw new WatchStalledException(
                $"the watch of {Scope} sent nothing, not even a bookmark, for {_options.WatchIdleTimeout.TotalSeconds:0.#} s; restarting it");
        }

        return delivered;
    }

    private void Handle(WatchEvent e)
    {
        _resourceVersion = e.ResourceVersion.Length > 0 ? e.ResourceVersion : _resourceVersion;
        if (e.Object is not { } obj)
        {
            return;
        }

        var key = obj.Key();
        switch (e.Type)
        {
            case WatchEventType.Added or WatchEventType.Modified:
                var type = _store.ContainsKey(key) ? ChangeType.Modified : ChangeType.Added;
                _store[key] = obj;
                Emit([new ClusterChange(type, obj)]);
                break;
            case WatchEventType.Deleted:
                if (_store.Remove(key, out var old))
                {
                    Emit([new ClusterChange(ChangeType.Deleted, old)]);
                }

                break;
        }
    }

    private void Emit(IReadOnlyList<ClusterChange> changes)
    {
        if (changes.Count > 0)
        {
            _output.TryWrite(new InformerEvent.Changes(this, changes));
        }
    }

    private void SetState(InformerStatus status, string? error)
    {
        var old = _state;
        if (old.Status == status && old.LastError == error)
        {
            return;
        }

        _state = new InformerState(status, error, old.Status == status ? old.Since : _time.GetUtcNow(), old.HasSynced || status == InformerStatus.Synced);
        _output.TryWrite(new InformerEvent.StateChanged(this, _state));
    }

    private Task DelayAsync(int failures, CancellationToken cancellationToken) => SleepAsync(_backoff.Delay(failures), cancellationToken);

    private async Task SleepAsync(TimeSpan delay, CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping: the loop sees the cancellation and ends.
        }
    }

    public override string ToString() => $"informer for {Scope} ({_state.Status})";
}
