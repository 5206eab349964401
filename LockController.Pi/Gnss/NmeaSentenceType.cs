namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>The NMEA 0183 sentence formatters this parser understands.</summary>
public enum NmeaSentenceType
{
    /// <summary>Not a supported sentence.</summary>
    None = 0,

    /// <summary>Global positioning system fix data: time, position, quality, satellites, HDOP, altitude.</summary>
    Gga,

    /// <summary>Recommended minimum data: time, status, position, speed, course, date.</summary>
    Rmc,

    /// <summary>DOP and active satellites: 2D/3D mode, satellites used, PDOP/HDOP/VDOP.</summary>
    Gsa,

    /// <summary>Satellites in view.</summary>
    Gsv,

    /// <summary>Course and speed over ground.</summary>
    Vtg,

    /// <summary>Geographic position, latitude/longitude, with time and status.</summary>
    Gll,

    /// <summary>GNSS fix data (multi-constellation GGA).</summary>
    Gns,

    /// <summary>Time and date.</summary>
    Zda,
}
