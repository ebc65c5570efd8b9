using PortMapper.Kubernetes.Informers;

namespace PortMapper.Kubernetes.Tests.Informers;

public class BackoffTests
{
    [Fact]
    public void Delay_GrowsExponentiallyWithJitterAndStopsAtTheCap()
    {
        var backoff = new Backoff(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(30), new Random(42));

        var delays = Enumerable.Range(0, 40).Select(backoff.Delay).ToList();

        Assert.Equal(TimeSpan.Zero, delays[0]);
        Assert.InRange(delays[1].TotalMilliseconds, 250, 500);
        Assert.InRange(delays[3].TotalMilliseconds, 1000, 2000);
        Assert.All(delays.Skip(8), d => Assert.InRange(d.TotalSeconds, 15, 30));
        Assert.True(delays.Skip(8).Distinct().Count() > 1, "jitter spreads retries of many clients apart");
    }
}
