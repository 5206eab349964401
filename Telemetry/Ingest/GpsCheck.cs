using System.Collections.Concurrent;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Geo;

namespace IoTPlatform.Telemetry.Ingest;

/// <summary>
/// Decides whether a reading's position can be trusted: a fix at all, not 0/0, not from a clock ahead of
/// ours, and reachable from the device's previous trusted fix at a plausible speed. It remembers, per
/// device, the trusted fix with the newest device time; a rejected position never becomes the reference,
/// so one jump does not drag the next fixes with it.
/// </summary>
public sealed class GpsCheck(GpsCheckOptions options, ILastFixSource seed)
{
    private readonly ConcurrentDictionary<string, Reference> _references = new(StringComparer.Ordinal);

    /// <summary>The <see cref="PositionReasons"/> code when the position is not trusted; null when it is.</summary>
    public string? Check(string deviceId, Reading reading, long nowUnixMs)
    {
        ArgumentNullException.ThrowIfNull(reading);
        if (reading.Lat is not double lat || reading.Lon is not double lon || reading.Fix == GnssFix.None)
        {
            return PositionReasons.NoFix;
        }

        if (lat == 0 && lon == 0)
        {
            return PositionReasons.NullIsland;
        }

        if (reading.Ts - nowUnixMs > options.MaxFutureSkewSeconds * 1000L)
        {
            return PositionReasons.TsInFuture;
        }

        var reference = _references.GetOrAdd(deviceId, id => new Reference(seed.GetLastFix(id)));
        lock (reference)
        {
            if (reference.Fix is { } previous && !Plausible(previous, reading.Ts, lat, lon))
            {
                return PositionReasons.ImplausibleSpeed;
            }

            if (reference.Fix is not { } newest || reading.Ts > newest.Ts)
            {
                reference.Fix = new LastFix(reading.Ts, lat, lon);
            }
        }

        return null;
    }

    private bool Plausible(LastFix previous, long ts, double lat, double lon)
    {
        var beyondNoise = GeoMath.DistanceMeters(previous.Lat, previous.Lon, lat, lon) - options.NoiseToleranceMeters;
        if (beyondNoise <= 0)
        {
            return true;
        }

        var seconds = Math.Abs(ts - previous.Ts) / 1000.0;
        return beyondNoise <= options.MaxSpeedMetersPerSecond * seconds;
    }

    private sealed class Reference(LastFix? fix)
    {
        public LastFix? Fix { get; set; } = fix;
    }
}
