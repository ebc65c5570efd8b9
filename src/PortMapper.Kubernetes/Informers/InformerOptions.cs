namespace PortMapper.Kubernetes.Informers;

/// <summary>How informers pace themselves. The defaults suit a real cluster; tests shrink them.</summary>
public sealed record InformerOptions
{
    /// <summary>The first retry delay after a failure; it doubles with each further failure.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>The longest retry delay, however long the failures last.</summary>
    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The server-side timeoutSeconds of each watch, stretched by a random factor between 1 and 2 so that the
    /// watches of many clients do not all end together (client-go: 5 to 10 minutes).
    /// </summary>
    public TimeSpan WatchTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The watchdog: a watch that delivers nothing, not even a bookmark, for this long is assumed dead (a half-open
    /// connection, a stalled proxy) and is restarted. The API server sends a bookmark about once a minute.
    /// </summary>
    public TimeSpan WatchIdleTimeout { get; init; } = TimeSpan.FromSeconds(150);

    /// <summary>How often a forbidden list is tried again, in case someone has granted the permission since.</summary>
    public TimeSpan ForbiddenRetry { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Seeds the jitter, for reproducible tests; null uses a random seed.</summary>
    public int? JitterSeed { get; init; }
}

/// <summary>Capped exponential backoff with jitter: base·2^(n-1), at most the cap, then scaled by a random 50–100 %.</summary>
internal sealed class Backoff(TimeSpan initial, TimeSpan max, Random random)
{
    public TimeSpan Delay(int attempt)
    {
        if (attempt <= 0)
        {
            return TimeSpan.Zero;
        }

        var exponential = initial.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 30));
        var capped = Math.Min(exponential, max.TotalMilliseconds);
        double factor;
        lock (random)
        {
            factor = 0.5 + (random.NextDouble() * 0.5);
        }

        return TimeSpan.FromMilliseconds(capped * factor);
    }
}
