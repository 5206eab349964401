using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Pi.Agent.Telemetry;

/// <summary>The latest GNSS fix and when it arrived (monotonic), shared by the GNSS reader and the telemetry loop. Thread-safe.</summary>
public sealed class PositionFeed
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private GnssFix? _fix;
    private long _at;
    private long _fixes;

    /// <summary>A feed timed on <paramref name="time"/>.</summary>
    public PositionFeed(TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
    }

    /// <summary>Fixes published so far.</summary>
    public long Fixes => Interlocked.Read(ref _fixes);

    /// <summary>Raised after each new fix, on the reader's thread.</summary>
    public event EventHandler<GnssFix>? FixArrived;

    /// <summary>A new fix, received now.</summary>
    public void Publish(GnssFix fix)
    {
        ArgumentNullException.ThrowIfNull(fix);
        lock (_gate)
        {
            _fix = fix;
            _at = _time.GetTimestamp();
        }
        Interlocked.Increment(ref _fixes);
        FixArrived?.Invoke(this, fix);
    }

    /// <summary>The latest fix if it arrived within <paramref name="maxAge"/>; else null.</summary>
    public GnssFix? Fresh(TimeSpan maxAge)
    {
        lock (_gate)
            return _fix is not null && _time.GetElapsedTime(_at) <= maxAge ? _fix : null;
    }
}
