namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// The retained status on <c>v1/devices/{id}/status</c>: <c>{online, fw, ts, clock}</c>. The device's
/// last will is <see cref="Offline"/>, which encodes as exactly <c>{"online":false}</c>.
/// </summary>
public sealed record DeviceStatus
{
    /// <summary>The last will: <c>{"online":false}</c>.</summary>
    public static DeviceStatus Offline { get; } = new() { Online = false };

    public required bool Online { get; init; }

    /// <summary>Firmware version.</summary>
    public string? Fw { get; init; }

    /// <summary>Device time, Unix epoch milliseconds.</summary>
    public long? Ts { get; init; }

    /// <summary>Where the device's clock comes from.</summary>
    public ClockState? Clock { get; init; }
}
