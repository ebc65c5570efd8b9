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
/// </summary>
public sealed class LiveAnalysis : IAsyncDisposable
{
    private readonly IClusterSource _source;
    private readonly Func<ClusterSnapshot, IEnumerable<Diagnostic>>? _staticDiagnostics;
    private readonly Lock _gate = new();
    private readonly List<Channel<AnalysisUpdate>> _subscribers = [];
    private readonly CancellationTokenSource _stop = new();
    private ClusterAnalyzer? _analyzer;
    private AnalysisUpdate? _current;
    private Task? _loop;
    private int _disposed;

    /// <param name="source">The cluster to follow.</param>
    /// <param name="staticDiagnostics">Findings that do not come from the path engine (e.g. unreadable manifest fields), computed once.</param>
    public LiveAnalysis(IClusterSource source, Func<ClusterSnapshot, IEnumerable<Diagnostic>>? staticDiagnostics = null)
    {
        _source = source;
        _staticDiagnostics = staticDiagnostics;
    }

    public IClusterSource Source => _source;

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
        var subscription = _source.Subscribe();
        lock (_gate)
        {
            _analyzer = new ClusterAnalyzer(subscription.Initial, _staticDiagnostics?.Invoke(subscription.Initial));
            _current = new AnalysisUpdate(_analyzer.Current, [], subscription.InitialState, (_current?.Version ?? 0) + 1);
        }

        _loop = Task.Run(() => FollowAsync(subscription, _stop.Token), CancellationToken.None);
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

    /// <summary>Stops following the source; safe to call twice (the host stops it, then the DI container disposes it).</summary>
    public async ValueTask DisposeAsync()
    {
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
    }

    private sealed class Unsubscribe(Action action) : IDisposable
    {
        public void Dispose() => action();
    }
}
