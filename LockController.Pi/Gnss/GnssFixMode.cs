namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>The dimension of a fix, numbered as NMEA's GSA and gpsd's <c>mode</c> do.</summary>
public enum GnssFixMode
{
    /// <summary>Not known.</summary>
    Unknown = 0,

    /// <summary>No fix.</summary>
    NoFix = 1,

    /// <summary>Latitude and longitude only.</summary>
    TwoD = 2,

    /// <summary>Latitude, longitude and altitude.</summary>
    ThreeD = 3,
}
