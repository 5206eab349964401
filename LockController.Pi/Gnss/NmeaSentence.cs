namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>
/// One parsed sentence, flattened: each formatter fills the fields it carries and leaves the rest null.
/// A value type so that parsing does not allocate.
/// </summary>
public readonly record struct NmeaSentence
{
    /// <summary>The formatter (GGA, RMC…).</summary>
    public NmeaSentenceType Type { get; init; }

    /// <summary>The talker (GP, GN…).</summary>
    public NmeaTalker Talker { get; init; }

    /// <summary>UTC time of day of the epoch the sentence belongs to.</summary>
    public TimeSpan? TimeOfDay { get; init; }

    /// <summary>UTC date (RMC, ZDA).</summary>
    public DateOnly? Date { get; init; }

    /// <summary>Latitude in degrees, north positive.</summary>
    public double? Latitude { get; init; }

    /// <summary>Longitude in degrees, east positive.</summary>
    public double? Longitude { get; init; }

    /// <summary>Altitude above mean sea level in metres (GGA, GNS).</summary>
    public double? AltitudeMsl { get; init; }

    /// <summary>Speed over ground in metres per second (RMC, VTG).</summary>
    public double? SpeedMps { get; init; }

    /// <summary>Course over ground in degrees from true north (RMC, VTG).</summary>
    public double? CourseDeg { get; init; }

    /// <summary>Whether the sentence reports a valid fix.</summary>
    public NmeaValidity Validity { get; init; }

    /// <summary>GSA navigation mode: 1 no fix, 2 = 2D, 3 = 3D.</summary>
    public int? GsaMode { get; init; }

    /// <summary>Satellites used in the solution (GGA, GNS count; GSA: PRNs listed).</summary>
    public int? SatellitesUsed { get; init; }

    /// <summary>Satellites in view (GSV).</summary>
    public int? SatellitesInView { get; init; }

    /// <summary>Horizontal dilution of precision.</summary>
    public double? Hdop { get; init; }
}
