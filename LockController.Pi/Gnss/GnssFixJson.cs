using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>
/// A fix as one line of JSON: <c>{"time","lat","lon","alt","speed","course","mode","sats","hdop"}</c>, with the
/// fields the receiver did not give left out. <c>time</c> is ISO 8601 UTC with milliseconds; it is left out
/// while the receiver has not sent a date.
/// </summary>
public static class GnssFixJson
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes <paramref name="fix"/> as a JSON object.</summary>
    public static void Write(Utf8JsonWriter writer, GnssFix fix)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(fix);
        writer.WriteStartObject();
        if (fix.Time is { } time)
            writer.WriteString("time", time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture));
        writer.WriteNumber("lat", fix.Latitude);
        writer.WriteNumber("lon", fix.Longitude);
        if (fix.AltitudeMsl is { } alt)
            writer.WriteNumber("alt", alt);
        if (fix.SpeedMps is { } speed)
            writer.WriteNumber("speed", Math.Round(speed, 3));
        if (fix.CourseDeg is { } course)
            writer.WriteNumber("course", course);
        writer.WriteNumber("mode", (int)fix.Mode);
        if (fix.SatellitesUsed is { } sats)
            writer.WriteNumber("sats", sats);
        if (fix.Hdop is { } hdop)
            writer.WriteNumber("hdop", hdop);
        writer.WriteEndObject();
    }

    /// <summary><paramref name="fix"/> as a one-line JSON string.</summary>
    public static string Format(GnssFix fix)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, Options))
            Write(writer, fix);
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
