using System.Text.Json.Serialization;
using IoTPlatform.Telemetry.Trips;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>
/// One ride as the HTTP API shows it. <see cref="End"/> is null while <see cref="InProgress"/>;
/// <see cref="Path"/> is a GeoJSON LineString of the ride's trusted positions, null with fewer than two.
/// </summary>
public sealed record TripEntry(
    TripMomentEntry Start,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] TripMomentEntry? End,
    bool InProgress,
    double DurationSeconds,
    double DistanceMeters,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] GeoJsonLineString? Path)
{
    public static TripEntry From(Trip trip)
    {
        ArgumentNullException.ThrowIfNull(trip);
        return new(
            TripMomentEntry.From(trip.Start),
            trip.End is { } end ? TripMomentEntry.From(end) : null,
            trip.InProgress,
            trip.DurationMs / 1000.0,
            Math.Round(trip.DistanceMeters, 1),
            GeoJsonLineString.Through(trip.Path));
    }
}
