using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Gnss;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>
/// The clock commands are checked against, from the best source available at each reading: GNSS time
/// (<see cref="GnssClock.IsTrustworthy"/>), else the system clock when the kernel reports it NTP-synchronised, else
/// the system clock when an RTC is fitted and trusted (<see cref="ClockOptions.TrustRtc"/>: it set the system clock at
/// boot), else nothing: <c>unsynced</c>, and time-bound commands are refused. Thread-safe.
/// </summary>
public sealed class TrustedClock : ITrustedClock
{
    private readonly GnssClock? _gnss;
    private readonly ClockOptions _options;
    private readonly TimeProvider _system;
    private readonly INtpStatus _ntp;
    private readonly ILogger _logger;
    private int _lastState = -1;

    /// <summary>A clock over the GNSS clock (null without a receiver), the kernel's NTP state and the configured RTC.</summary>
    public TrustedClock(GnssClock? gnss, ClockOptions options, TimeProvider system, ILogger<TrustedClock> logger)
        : this(gnss, options, system, new KernelNtpStatus(), logger)
    {
    }

    /// <summary>As above, with the NTP state from <paramref name="ntp"/>.</summary>
    public TrustedClock(GnssClock? gnss, ClockOptions options, TimeProvider system, INtpStatus ntp, ILogger<TrustedClock> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(system);
        ArgumentNullException.ThrowIfNull(ntp);
        ArgumentNullException.ThrowIfNull(logger);
        _gnss = gnss;
        _options = options;
        _system = system;
        _ntp = ntp;
        _logger = logger;
    }

    /// <summary>The source now; logged when it changes.</summary>
    public ClockState State
    {
        get
        {
            ClockState state = _gnss is { IsTrustworthy: true } ? ClockState.Gnss
                : _ntp.IsSynchronised ? ClockState.Ntp
                : RtcTrusted ? ClockState.Rtc
                : ClockState.Unsynced;
            int previous = Interlocked.Exchange(ref _lastState, (int)state);
            if (previous != (int)state)
                Log.ClockSource(_logger, previous < 0 ? null : (ClockState)previous, state);
            return state;
        }
    }

    /// <inheritdoc />
    public bool IsTrustworthy => State != ClockState.Unsynced;

    /// <inheritdoc />
    public string Source => State.ToWireName();

    /// <inheritdoc />
    public DateTimeOffset UtcNow => _gnss is { IsTrustworthy: true } gnss ? gnss.GetUtcNow() : _system.GetUtcNow();

    private bool RtcTrusted => _options.TrustRtc && !string.IsNullOrEmpty(_options.RtcDevice) && File.Exists(_options.RtcDevice);
}
