using System.Globalization;
using System.Text.Unicode;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// One bike's readings for the ingest benchmark: a ride in a straight line at a steady speed from a start near
/// central Beijing, so every position is plausible from the one before (the GPS check must trust them all). The
/// position is a function of <c>ts</c> (device time = now), so readings sent out of order stay consistent.
/// A reading is ~155 bytes of JSON: seq, ts, lat, lon, alt, speed, course, hdop, sats, fix 3, battery, lock.
/// </summary>
internal sealed class SimulatedBike
{
    private const double MetresPerDegreeLat = 111_320;
    private readonly double _lat0;
    private readonly double _lon0;
    private readonly double _speed;
    private readonly double _course;
    private readonly double _northPerMs;
    private readonly double _eastPerMs;
    private readonly long _t0;
    private readonly int _battery;

    public SimulatedBike(string id, int index, long startMs)
    {
        Id = id;
        Topic = DeviceProtocol.Topics.Telemetry(id);
        var random = new Random(index);
        _lat0 = 39.85 + (random.NextDouble() * 0.1);
        _lon0 = 116.35 + (random.NextDouble() * 0.1);
        _speed = 2 + (random.NextDouble() * 4);
        _course = random.NextDouble() * 360;
        var radians = _course * Math.PI / 180;
        _northPerMs = _speed * Math.Cos(radians) / 1000 / MetresPerDegreeLat;
        _eastPerMs = _speed * Math.Sin(radians) / 1000 / (MetresPerDegreeLat * Math.Cos(_lat0 * Math.PI / 180));
        _t0 = startMs;
        _battery = 40 + random.Next(60);
    }

    public string Id { get; }

    public string Topic { get; }

    /// <summary>The reading's JSON, formatted straight to UTF-8 (no string in between: this runs for every publish).</summary>
    public byte[] Reading(long seq, long ts)
    {
        var dt = ts - _t0;
        Span<byte> json = stackalloc byte[256];
        if (!Utf8.TryWrite(
            json,
            CultureInfo.InvariantCulture,
            $$"""{"seq":{{seq}},"ts":{{ts}},"lat":{{_lat0 + (_northPerMs * dt):F6}},"lon":{{_lon0 + (_eastPerMs * dt):F6}},"alt":44.1,"speed":{{_speed:F1}},"course":{{_course:F1}},"hdop":0.9,"sats":9,"fix":3,"battery":{{_battery}},"lock":"locked"}""",
            out var written))
        {
            throw new InvalidOperationException("A reading does not fit in 256 bytes.");
        }

        return json[..written].ToArray();
    }
}
