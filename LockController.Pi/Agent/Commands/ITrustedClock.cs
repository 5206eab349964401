namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>
/// The controller's wall clock as far as commands are concerned: whether it can be trusted for expiry checks, where
/// its time comes from, and the time itself.
/// </summary>
public interface ITrustedClock
{
    /// <summary>True when <see cref="UtcNow"/> comes from GNSS, an NTP-synchronised system clock or a trusted RTC.</summary>
    bool IsTrustworthy { get; }

    /// <summary>Where the time comes from, as the status message's <c>clock</c>: <c>gnss</c>, <c>ntp</c>, <c>rtc</c> or <c>unsynced</c>.</summary>
    string Source { get; }

    /// <summary>The time: from the trusted source, or the local clock when there is none.</summary>
    DateTimeOffset UtcNow { get; }
}
