using System.Text.Json.Serialization;
using IoTPlatform.Telemetry.History;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>A GeoJSON Feature (RFC 7946 §3.2): one reading's trusted position with its properties.</summary>
public sealed record GeoJsonFeature(GeoJsonPoint Geometry, TrackPointProperties Properties)
{
    [JsonPropertyOrder(-1)]
    public string Type => "Feature";

    /// <summary>The reading as a track point; null when its position is absent or not trusted.</summary>
    public static GeoJsonFeature? From(StoredReading stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        if (!stored.HasTrustedPosition)
        {
            return null;
        }

        var r = stored.Reading;
        IReadOnlyList<double> coordinates = r.Alt is { } alt ? [r.Lon!.Value, r.Lat!.Value, alt] : [r.Lon!.Value, r.Lat!.Value];
        return new(
            new GeoJsonPoint(coordinates),
            new TrackPointProperties(r.Seq, r.Ts, DateTimeOffset.FromUnixTimeMilliseconds(r.Ts), r.Battery, r.Lock, r.Speed, r.Course));
    }
}
