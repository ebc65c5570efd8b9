using System.Collections.Concurrent;
using Microsoft.AspNetCore.Http;

namespace PortMapper.TestApiServer;

/// <summary>An open watch stream, so that faults can be aimed at it.</summary>
internal sealed class WatchSession(HttpContext context)
{
    public HttpContext Context { get; } = context;

    /// <summary>Set when the stream should go silent for good (a half-open connection, a stuck proxy).</summary>
    public volatile bool Stalled;

    /// <summary>Set when the next event should be cut off half-way and the connection dropped.</summary>
    public volatile bool CutNextEvent;
}

/// <summary>
/// The network and server misbehaving on purpose: dropped and stalled watches, events cut in half, forced 410s,
/// 5xx answers and slow answers. Every knob affects only what happens after it is turned.
/// </summary>
public sealed class FaultInjector
{
    private readonly ConcurrentDictionary<WatchSession, byte> _watches = new();
    private readonly Lock _lock = new();
    private readonly List<FailureRule> _failures = [];
    private int _expireWatches;

    /// <summary>Added before every answer that is not a watch.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>How many watch streams are open now.</summary>
    public int OpenWatches => _watches.Count;

    /// <summary>The next <paramref name="count"/> matching requests fail with <paramref name="statusCode"/> (an InternalError Status by default).</summary>
    public void FailNext(int count, int statusCode = 500, Func<HttpRequest, bool>? match = null)
    {
        lock (_lock)
        {
            _failures.Add(new FailureRule(count, statusCode, match ?? (_ => true)));
        }
    }

    /// <summary>Cancels every pending <see cref="FailNext"/>: the server answers normally again.</summary>
    public void ClearFailures()
    {
        lock (_lock)
        {
            _failures.Clear();
        }
    }

    /// <summary>The next <paramref name="count"/> watches answer with the 410 ERROR event, whatever their resourceVersion.</summary>
    public void ExpireNextWatches(int count) => Interlocked.Add(ref _expireWatches, count);

    /// <summary>Resets every open watch connection.</summary>
    public void DropWatches()
    {
        foreach (var w in _watches.Keys)
        {
            try
            {
                w.Context.Abort();
            }
            catch (ObjectDisposedException)
            {
                // That watch ended on its own just now.
            }
        }
    }

    /// <summary>Every open watch stops sending anything, bookmarks included, but keeps its connection open.</summary>
    public void StallWatches()
    {
        foreach (var w in _watches.Keys)
        {
            w.Stalled = true;
        }
    }

    /// <summary>Every open watch sends half of its next event, then the connection drops.</summary>
    public void CutNextEvents()
    {
        foreach (var w in _watches.Keys)
        {
            w.CutNextEvent = true;
        }
    }

    internal void Register(WatchSession session) => _watches[session] = 0;

    internal void Unregister(WatchSession session) => _watches.TryRemove(session, out _);

    internal bool TakeExpiredWatch()
    {
        while (true)
        {
            var n = Volatile.Read(ref _expireWatches);
            if (n <= 0)
            {
                return false;
            }

            if (Interlocked.CompareExchange(ref _expireWatches, n - 1, n) == n)
            {
                return true;
            }
        }
    }

    internal int? TakeFailure(HttpRequest request)
    {
        lock (_lock)
        {
            var rule = _failures.FirstOrDefault(f => f.Remaining > 0 && f.Match(request));
            if (rule is null)
            {
                return null;
            }

            rule.Remaining--;
            return rule.StatusCode;
        }
    }

    private sealed class FailureRule(int count, int statusCode, Func<HttpRequest, bool> match)
    {
        public int Remaining { get; set; } = count;

        public int StatusCode { get; } = statusCode;

        public Func<HttpRequest, bool> Match { get; } = match;
    }
}
