using System.Text.Json.Serialization;
using IoTPlatform.Telemetry.History;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>A device's track as a GeoJSON FeatureCollection (RFC 7946 §3.3): one Point feature per reading with a trusted position.</summary>
public sealed record GeoJsonTrack(IReadOnlyList<GeoJsonFeature> Features)
{
    [JsonPropertyOrder(-1)]
    public string Type => "FeatureCollection";

    public static GeoJsonTrack Of(IEnumerable<StoredReading> readings) =>
        new([.. readings.Select(GeoJsonFeature.From).OfType<GeoJsonFeature>()]);
}
