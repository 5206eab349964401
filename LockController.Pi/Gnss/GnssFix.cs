namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>
/// The position of one receiver epoch, made only where the receiver reported a valid fix.
/// Optional values are null where the receiver did not give them.
/// </summary>
/// <param name="TimeOfDay">UTC time of day of the epoch, as the receiver stamped it.</param>
/// <param name="Time">Full UTC time: null until the receiver has sent a date (RMC or ZDA).</param>
/// <param name="Latitude">Degrees, north positive.</param>
/// <param name="Longitude">Degrees, east positive.</param>
/// <param name="Mode">2D or 3D.</param>
public sealed record GnssFix(TimeSpan TimeOfDay, DateTimeOffset? Time, double Latitude, double Longitude, GnssFixMode Mode)
{
    /// <summary>Altitude above mean sea level in metres; only for 3D fixes.</summary>
    public double? AltitudeMsl { get; init; }

    /// <summary>Speed over ground in metres per second.</summary>
    public double? SpeedMps { get; init; }

    /// <summary>Course over ground, degrees from true north.</summary>
    public double? CourseDeg { get; init; }

    /// <summary>Satellites used in the solution.</summary>
    public int? SatellitesUsed { get; init; }

    /// <summary>Horizontal dilution of precision.</summary>
    public double? Hdop { get; init; }
}
