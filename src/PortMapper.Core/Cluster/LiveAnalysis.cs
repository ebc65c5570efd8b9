using System.Collections.Immutable;
using System.Threading.Channels;
using PortMapper.Core.Analysis;
using PortMapper.Core.Model;

namespace PortMapper.Core.Cluster;

/// <summary>A new analysis, the changes that led to it and the connection state at that moment.</summary>
public sealed record AnalysisUpdate(ClusterAnalysis Analysis, ImmutableArray<ClusterChange> Changes, ConnectionState State, long Version);

/// <summary>
/// Keeps one analysis of a cluster source current for every viewer: it follows the source's batches, updates the
/// analysis incrementally and hands each subscriber the latest result (a slow subscriber skips intermediate ones).
/// It owns its source: disposing it, or switching to another source, disposes the source it followed.
/// </summary>
public sealed class LiveAnalysis : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Channel<AnalysisUpdate>> _subscribers = [];
    private IClusterSource _source;
    private Func<ClusterSnapshot, IEnumerable<Diagnostic>>? _staticDiagnostics;
    private CancellationTokenSource _stop = new();
    private ClusterAnalyzer? _analyzer;
    private AnalysisUpdate? _current;
    private Task? _loop;

    /// <param name="source">The cluster to follow.</param>
    /// <param name="staticDiagnostics">Findings that do not come from the path engine (e.g. unreadable manifest fields), computed once.</param>
    public LiveAnalysis(IClusterSource source, Func<ClusterSnapshot, IEnumerable<Diagnostic>>? staticDiagnostics = null)
    {
        _source = source;
        _staticDiagnostics = staticDiagnostics;
    }

    public IClusterSource Source
    {
        get
        {
            lock (_gate)
            {
                return _source;
            }
        }
    }

    /// <summary>The latest analysis; before <see cref="StartAsync"/> an analysis of the source's current snapshot.</summary>
    public AnalysisUpdate Current
    {
        get
        {
            lock (_gate)
            {
                if (_current is null)
                {
                    var snapshot = _source.Snapshot;
                    _analyzer = new ClusterAnalyzer(snapshot, _staticDiagnostics?.Invoke(snapshot));
                    _current = new AnalysisUpdate(_analyzer.Current, [], _source.State, 1);
                }

                return _current;
            }
        }
    }

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await _source.StartAsync(cancellationToken).ConfigureAwait(false);
        Follow(_source, _staticDiagnostics);
    }

    /// <summary>
    /// Moves every viewer to another cluster (a kubeconfig context switch): the new source is started first, so a
    /// source that cannot start leaves the current one in place; then the old one is stopped and disposed.
    /// </summary>
    public async Task SwitchSourceAsync(IClusterSource next, Func<ClusterSnapshot, IEnumerable<Diagnostic>>? staticDiagnostics, CancellationToken cancellationToken)
    {
        await next.StartAsync(cancellationToken).ConfigureAwait(false);
        IClusterSource previous;
        Task? previousLoop;
        CancellationTokenSource previousStop;
        lock (_gate)
        {
            previous = _source;
            previousLoop = _loop;
            previousStop = _stop;
            _stop = new CancellationTokenSource();
        }

        await previousStop.CancelAsync().ConfigureAwait(false);
        if (previousLoop is not null)
        {
            await previousLoop.ConfigureAwait(false);
        }

        previousStop.Dispose();
        Follow(next, staticDiagnostics);
        await previous.DisposeAsync().ConfigureAwait(false);
    }

    private void Follow(IClusterSource source, Func<ClusterSnapshot, IEnumerable<Diagnostic>>? staticDiagnostics)
    {
        var subscription = source.Subscribe();
        lock (_gate)
        {
            _source = source;
            _staticDiagnostics = staticDiagnostics;
            _analyzer = new ClusterAnalyzer(subscription.Initial, staticDiagnostics?.Invoke(subscription.Initial));
            _current = new AnalysisUpdate(_analyzer.Current, [], subscription.InitialState, (_current?.Version ?? 0) + 1);
            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(_current);
            }

            var stop = _stop.Token;
            _loop = Task.Run(() => FollowAsync(subscription, stop), CancellationToken.None);
        }
    }

    /// <summary>A reader that always holds the newest update; dispose the returned handle to stop.</summary>
    public (ChannelReader<AnalysisUpdate> Reader, IDisposable Handle) Subscribe()
    {
        var channel = Channel.CreateBounded<AnalysisUpdate>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return (channel.Reader, new Unsubscribe(() =>
        {
            lock (_gate)
            {
                _subscribers.Remove(channel);
            }

            channel.Writer.TryComplete();
        }));
    }

    private async Task FollowAsync(ClusterSubscription subscription, CancellationToken cancellationToken)
    {
        using (subscription)
        {
            try
            {
                await foreach (var batch in subscription.Updates.ReadAllAsync(cancellationToken).ConfigureAwait(false))
                {
                    Publish(batch);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Stopping.
            }
        }
    }

    private void Publish(ClusterBatch batch)
    {
        lock (_gate)
        {
            var analysis = batch.Changes.IsEmpty ? _current!.Analysis : _analyzer!.Apply(batch.Changes);
            _current = new AnalysisUpdate(analysis, batch.Changes, batch.State, _current!.Version + 1);
            foreach (var s in _subscribers)
            {
                s.Writer.TryWrite(_current);
            }
        }
    }

    private int _disposed;

    public async ValueTask DisposeAsync()
    {
        // The host stops it on shutdown and the DI container disposes it afterwards: the second call does nothing.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            await _loop.ConfigureAwait(false);
        }

        lock (_gate)
        {
            foreach (var s in _subscribers)
            {
                s.Writer.TryComplete();
            }

            _subscribers.Clear();
        }

        _stop.Dispose();
        await _source.DisposeAsync().ConfigureAwait(false);
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
