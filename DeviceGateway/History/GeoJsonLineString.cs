using System.Text.Json.Serialization;
using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>A GeoJSON LineString (RFC 7946 §3.1.4): two or more <c>[lon, lat]</c> positions.</summary>
public sealed record GeoJsonLineString(IReadOnlyList<IReadOnlyList<double>> Coordinates)
{
    [JsonPropertyOrder(-1)]
    public string Type => "LineString";

    /// <summary>The line through <paramref name="fixes"/>; null for fewer than two (no line).</summary>
    public static GeoJsonLineString? Through(IReadOnlyList<LastFix> fixes)
    {
        ArgumentNullException.ThrowIfNull(fixes);
        return fixes.Count < 2 ? null : new([.. fixes.Select(f => (IReadOnlyList<double>)[f.Lon, f.Lat])]);
    }
}
