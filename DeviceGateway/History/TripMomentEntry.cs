using IoTPlatform.Telemetry.Trips;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>Where and when a trip started or ended: <c>ts</c> in device epoch ms, <c>time</c> the same as ISO 8601; no position when none was trusted.</summary>
public sealed record TripMomentEntry(long Ts, DateTimeOffset Time, double? Lat, double? Lon)
{
    public static TripMomentEntry From(TripMoment moment)
    {
        ArgumentNullException.ThrowIfNull(moment);
        return new(moment.Ts, DateTimeOffset.FromUnixTimeMilliseconds(moment.Ts), moment.Lat, moment.Lon);
    }
}
