namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// One telemetry reading on <c>v1/devices/{id}/telemetry</c>. Units: metres, m/s, degrees, percent;
/// times are Unix epoch milliseconds on the device. Position fields are absent without a fix.
/// </summary>
public sealed record Reading
{
    /// <summary>The device's counter for all its telemetry and events; never repeats.</summary>
    public required long Seq { get; init; }

    /// <summary>Device time, Unix epoch milliseconds.</summary>
    public required long Ts { get; init; }

    /// <summary>Latitude, degrees (WGS 84), −90…90.</summary>
    public double? Lat { get; init; }

    /// <summary>Longitude, degrees (WGS 84), −180…180.</summary>
    public double? Lon { get; init; }

    /// <summary>Altitude above mean sea level, metres.</summary>
    public double? Alt { get; init; }

    /// <summary>Ground speed, m/s, ≥ 0.</summary>
    public double? Speed { get; init; }

    /// <summary>Course over ground, degrees from true north, 0 ≤ course &lt; 360.</summary>
    public double? Course { get; init; }

    /// <summary>Horizontal dilution of precision, ≥ 0.</summary>
    public double? Hdop { get; init; }

    /// <summary>Satellites used in the fix, ≥ 0.</summary>
    public int? Sats { get; init; }

    /// <summary>Fix quality: 0 none, 2 = 2D, 3 = 3D (see <see cref="GnssFix"/>).</summary>
    public int? Fix { get; init; }

    /// <summary>Battery, percent 0–100.</summary>
    public int? Battery { get; init; }

    public LockState? Lock { get; init; }

    /// <summary>Kiosk slots (kiosks only).</summary>
    public IReadOnlyList<SlotReading>? Slots { get; init; }
}
