using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>
/// The controller's clock disciplined by GNSS time: a <see cref="TimeProvider"/> whose UTC time is the local
/// clock plus the offset learned from fixes. Trustworthy after <see cref="GnssClockOptions.RequiredSamples"/>
/// agreeing samples, until <see cref="GnssClockOptions.Holdover"/> passes without one or a sample disagrees.
/// Command expiry checks use <see cref="IsTrustworthy"/> to refuse time-bound commands on an unsynced clock.
/// Thread-safe.
/// </summary>
public sealed class GnssClock : TimeProvider
{
    private readonly TimeProvider _local;
    private readonly GnssClockOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Queue<TimeSpan> _window = new();
    private TimeSpan _offset;
    private long _lastSampleTimestamp;
    private bool _trusted;
    private bool _implausibleLogged;

    /// <summary>A clock over <paramref name="local"/> (the system clock in production).</summary>
    public GnssClock(TimeProvider local, GnssClockOptions options, ILogger<GnssClock> logger)
    {
        ArgumentNullException.ThrowIfNull(local);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _local = local;
        _options = options;
        _logger = logger;
    }

    /// <summary>True while the offset comes from enough recent, agreeing GNSS samples.</summary>
    public bool IsTrustworthy => State.IsTrustworthy;

    /// <summary>Offset, trust and sample age.</summary>
    public GnssClockState State
    {
        get
        {
            lock (_gate)
            {
                TimeSpan? age = _window.Count == 0 ? null : _local.GetElapsedTime(_lastSampleTimestamp);
                bool trusted = _window.Count >= _options.RequiredSamples && age <= _options.Holdover;
                return new GnssClockState(_offset, trusted, _window.Count, age);
            }
        }
    }

    /// <summary>Takes the time of a fix, received now. Fixes without a date or with an implausible one are ignored.</summary>
    public void OnFix(GnssFix fix)
    {
        ArgumentNullException.ThrowIfNull(fix);
        if (fix.Time is not { } gnss)
            return;
        if (gnss < _options.MinimumPlausibleTime)
        {
            // Logged once per run of implausible times, not at the receiver's rate.
            if (!Interlocked.Exchange(ref _implausibleLogged, true))
                Log.ClockImplausible(_logger, gnss, _options.MinimumPlausibleTime);
            return;
        }
        Volatile.Write(ref _implausibleLogged, false);
        TimeSpan sample = gnss - _local.GetUtcNow();
        lock (_gate)
        {
            if (_window.Count > 0 && (sample - _offset).Duration() > _options.Tolerance)
            {
                Log.ClockJump(_logger, (sample - _offset).TotalMilliseconds);
                _window.Clear();
                _trusted = false;
            }
            _window.Enqueue(sample);
            while (_window.Count > Math.Max(1, _options.Window))
                _window.Dequeue();
            // A fix reaches us late, never early: the sample with the least delay has the largest offset.
            _offset = _window.Max();
            _lastSampleTimestamp = _local.GetTimestamp();
            if (!_trusted && _window.Count >= _options.RequiredSamples)
            {
                _trusted = true;
                Log.ClockTrusted(_logger, _offset.TotalMilliseconds);
            }
        }
    }

    /// <inheritdoc />
    public override DateTimeOffset GetUtcNow()
    {
        TimeSpan offset;
        lock (_gate)
            offset = _offset;
        return _local.GetUtcNow() + offset;
    }

    /// <inheritdoc />
    public override long GetTimestamp() => _local.GetTimestamp();

    /// <inheritdoc />
    public override long TimestampFrequency => _local.TimestampFrequency;

    /// <inheritdoc />
    public override TimeZoneInfo LocalTimeZone => _local.LocalTimeZone;

    /// <inheritdoc />
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        _local.CreateTimer(callback, state, dueTime, period);
}
