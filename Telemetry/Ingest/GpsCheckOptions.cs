using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.Telemetry.Ingest;

/// <summary>Thresholds of the GPS check. Section <c>Ingest:Gps</c>.</summary>
public sealed class GpsCheckOptions
{
    /// <summary>
    /// Fastest plausible ground speed between two fixes of one device, m/s (default 40 m/s = 144 km/h: a
    /// bike on a truck, not a receiver's jump).
    /// </summary>
    [Range(1, 1000)]
    public double MaxSpeedMetersPerSecond { get; set; } = 40;

    /// <summary>
    /// GNSS noise (metres): a move up to this far is never a jump; beyond it, the distance past this allowance is what must be reachable at <see cref="MaxSpeedMetersPerSecond"/>.
    /// </summary>
    [Range(0, 100_000)]
    public double NoiseToleranceMeters { get; set; } = 50;

    /// <summary>
    /// A reading whose <c>ts</c> is more than this ahead of the receiver's clock keeps its battery and lock
    /// but not its position (seconds). Readings more than 5 minutes ahead are refused by validation.
    /// </summary>
    [Range(0, 300)]
    public int MaxFutureSkewSeconds { get; set; } = 30;
}
