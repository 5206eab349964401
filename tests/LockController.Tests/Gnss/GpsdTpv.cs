using System.Globalization;
using System.Text.Json;

namespace IoTPlatform.LockController.Tests.Gnss;

/// <summary>The parts of a gpsd TPV record the comparison needs.</summary>
internal sealed record GpsdTpv(int Mode, DateTimeOffset? Time, double? Lat, double? Lon)
{
    public bool IsFix => Mode >= 2;

    public static GpsdTpv Parse(string json)
    {
        using var doc = JsonDocument.Parse(json);
        JsonElement r = doc.RootElement;
        return new GpsdTpv(
            r.GetProperty("mode").GetInt32(),
            r.TryGetProperty("time", out JsonElement t) ? DateTimeOffset.Parse(t.GetString()!, CultureInfo.InvariantCulture) : null,
            r.TryGetProperty("lat", out JsonElement lat) ? lat.GetDouble() : null,
            r.TryGetProperty("lon", out JsonElement lon) ? lon.GetDouble() : null);
    }
}
