using System.Text.Json.Serialization;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>A GeoJSON Point (RFC 7946 §3.1.2): <c>[lon, lat]</c> or <c>[lon, lat, alt]</c>, longitude first.</summary>
public sealed record GeoJsonPoint(IReadOnlyList<double> Coordinates)
{
    [JsonPropertyOrder(-1)]
    public string Type => "Point";
}
