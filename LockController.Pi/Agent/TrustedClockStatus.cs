using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent.Commands;
using IoTPlatform.LockController.Pi.Agent.Mqtt;

namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>The online status from the firmware version and the <see cref="ITrustedClock"/>: its time as <c>ts</c>, its source as <c>clock</c>.</summary>
public sealed class TrustedClockStatus : IDeviceStatusSource
{
    private readonly ITrustedClock _clock;
    private readonly FirmwareInfo _firmware;

    /// <summary>The status of this firmware on <paramref name="clock"/>.</summary>
    public TrustedClockStatus(ITrustedClock clock, FirmwareInfo firmware)
    {
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(firmware);
        _clock = clock;
        _firmware = firmware;
    }

    /// <inheritdoc />
    public DeviceStatus Online() => new()
    {
        Online = true,
        Fw = _firmware.Version,
        Ts = _clock.UtcNow.ToUnixTimeMilliseconds(),
        Clock = ParseClock(_clock.Source),
    };

    /// <summary>The clock state for a wire name (<c>gnss</c>, <c>ntp</c>, <c>rtc</c>, <c>unsynced</c>); anything else is <c>unsynced</c>.</summary>
    public static ClockState ParseClock(string source) =>
        Enum.GetValues<ClockState>().Where(c => string.Equals(c.ToWireName(), source, StringComparison.Ordinal)).DefaultIfEmpty(ClockState.Unsynced).First();
}
