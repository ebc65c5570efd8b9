namespace PortMapper.Kubernetes.Tests.Support;

/// <summary>The system clock, shifted on demand: lets a test jump past a credential's expiry without waiting.</summary>
public sealed class ManualTime : TimeProvider
{
    private TimeSpan _offset;

    public void Advance(TimeSpan by) => _offset += by;

    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + _offset;
}
