namespace IoTPlatform.LockController.Pi.Agent.Telemetry;

/// <summary>
/// When the next reading is due: <see cref="TelemetryOptions.MovingIntervalSeconds"/> after the last one while the
/// device is active (not locked, or moving), <see cref="TelemetryOptions.ParkedIntervalSeconds"/> while parked. The
/// interval follows the state at once: a parked device that is unlocked 4 minutes after its last reading is due
/// immediately. Times are the monotonic clock of the <see cref="TimeProvider"/>. Not thread-safe.
/// </summary>
public sealed class TelemetrySchedule
{
    private readonly TimeProvider _time;
    private long? _last;

    /// <summary>A schedule on <paramref name="time"/>; the first reading is due at once.</summary>
    public TelemetrySchedule(TelemetryOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _time = time;
        Moving = TimeSpan.FromSeconds(options.MovingIntervalSeconds);
        Parked = TimeSpan.FromSeconds(options.ParkedIntervalSeconds);
    }

    /// <summary>The interval while active.</summary>
    public TimeSpan Moving { get; }

    /// <summary>The interval while parked.</summary>
    public TimeSpan Parked { get; }

    /// <summary>The interval for a state.</summary>
    public TimeSpan Interval(bool active) => active ? Moving : Parked;

    /// <summary>Time until the next reading is due in this state; zero when it is due now.</summary>
    public TimeSpan DueIn(bool active)
    {
        if (_last is not { } last)
            return TimeSpan.Zero;
        TimeSpan left = Interval(active) - _time.GetElapsedTime(last);
        return left > TimeSpan.Zero ? left : TimeSpan.Zero;
    }

    /// <summary>A reading was taken now.</summary>
    public void Taken() => _last = _time.GetTimestamp();
}
