namespace PortMapper.Kubernetes.Tests.Support;

/// <summary>
/// Waits for a condition that the system reaches asynchronously (a cache converging). The limit only keeps a broken
/// build from hanging; tests assert on the outcome, never on how long it took.
/// </summary>
public static class Eventually
{
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan? limit = null)
    {
        using var cts = new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            try
            {
                await Task.Delay(20, cts.Token);
            }
            catch (OperationCanceledException)
            {
                return condition();
            }
        }

        return true;
    }

    public static CancellationToken Limit(TimeSpan? limit = null) => new CancellationTokenSource(limit ?? TimeSpan.FromSeconds(30)).Token;
}
