using System.Globalization;
using System.Net;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.History;

/// <summary><c>GET /api/devices/{id}/telemetry</c> in JSON, GeoJSON and CSV after real publishes.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class TelemetryQueryTests : HistoryFixture
{
    [Test]
    public async Task Readings_come_back_as_sent_ordered_by_ts_each_seq_once_although_resent()
    {
        await using var device = await ConnectAsync("bike-0001");
        var backlog = new object[]
        {
            new { seq = 3, ts = At(30), lat = 39.9002, lon = 116.4, fix = 3, battery = 90, @lock = "unlocked" },
            new { seq = 1, ts = At(10), lat = 39.9000, lon = 116.4, alt = 40.5, speed = 0.0, course = 0.0, hdop = 1.1, sats = 7, fix = 3, battery = 91, @lock = "locked" },
            new { seq = 2, ts = At(20), lat = 39.9001, lon = 116.4, fix = 3, battery = 91, @lock = "unlocked" },
        };
        await TelemetryAsync(device, backlog);
        await TelemetryAsync(device, backlog);
        await TelemetryAsync(device, new { seq = 4, ts = At(40), fix = 0, battery = 90, @lock = "unlocked" });
        await TelemetryAsync(device, new { seq = 2, ts = At(20), lat = 39.9001, lon = 116.4, fix = 3, battery = 91, @lock = "unlocked" });

        var body = await GetAsync($"/api/devices/bike-0001/telemetry?from={At(0)}&to={At(60)}");

        var readings = body.GetProperty("readings").EnumerateArray().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.GetProperty("deviceId").GetString(), Is.EqualTo("bike-0001"));
            Assert.That(body.GetProperty("from").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(At(0))));
            Assert.That(body.GetProperty("to").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(At(60))));
            Assert.That(body.GetProperty("count").GetInt32(), Is.EqualTo(4));
            Assert.That(body.GetProperty("truncated").GetBoolean(), Is.False);
            Assert.That(readings.Select(r => r.GetProperty("seq").GetInt64()), Is.EqualTo(new[] { 1, 2, 3, 4 }));
            Assert.That(readings.Select(r => r.GetProperty("ts").GetInt64()), Is.EqualTo(new[] { At(10), At(20), At(30), At(40) }));
            Assert.That(
                readings[0].EnumerateObject().Select(p => p.Name),
                Is.EqualTo(new[] { "seq", "ts", "lat", "lon", "alt", "speed", "course", "hdop", "sats", "fix", "battery", "lock", "receivedAt" }),
                "every field as sent, nulls left out");
            Assert.That(readings[0].GetProperty("alt").GetDouble(), Is.EqualTo(40.5));
            Assert.That(readings[0].GetProperty("hdop").GetDouble(), Is.EqualTo(1.1));
            Assert.That(readings[0].GetProperty("sats").GetInt32(), Is.EqualTo(7));
            Assert.That(readings[2].GetProperty("lat").GetDouble(), Is.EqualTo(39.9002));
            Assert.That(readings[3].TryGetProperty("lat", out _), Is.False);
            Assert.That(readings[3].GetProperty("positionRejected").GetString(), Is.EqualTo("no-fix"));
        }
    }

    [Test]
    public async Task From_is_inclusive_to_exclusive_and_both_take_ISO_8601_or_epoch_ms()
    {
        await using var device = await ConnectAsync("bike-0001");
        await TelemetryAsync(device, Enumerable.Range(1, 5).Select(i => new { seq = i, ts = At(i * 10), battery = 90 }).ToArray());

        var iso = DateTimeOffset.FromUnixTimeMilliseconds(At(20)).ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
        var body = await GetAsync($"/api/devices/bike-0001/telemetry?from={iso}&to={At(40)}");

        Assert.That(body.GetProperty("readings").EnumerateArray().Select(r => r.GetProperty("seq").GetInt64()), Is.EqualTo(new[] { 2, 3 }));
    }

    [Test]
    public async Task The_default_window_is_the_24_hours_before_now()
    {
        await using var device = await ConnectAsync("bike-0001");
        var dayAgo = DateTimeOffset.UtcNow.AddHours(-25).ToUnixTimeMilliseconds();
        await TelemetryAsync(device, new object[] { new { seq = 1, ts = dayAgo, battery = 99 }, new { seq = 2, ts = At(0), battery = 98 } });

        var body = await GetAsync("/api/devices/bike-0001/telemetry");

        Assert.That(body.GetProperty("readings").EnumerateArray().Select(r => r.GetProperty("seq").GetInt64()), Is.EqualTo(new[] { 2 }));
        Assert.That(body.GetProperty("to").GetDateTimeOffset() - body.GetProperty("from").GetDateTimeOffset(), Is.EqualTo(TimeSpan.FromHours(24)));
    }

    [Test]
    public async Task Past_the_limit_the_answer_is_truncated_and_the_next_page_starts_at_the_last_ts()
    {
        await using var device = await ConnectAsync("bike-0001");
        await TelemetryAsync(device, Enumerable.Range(1, 5).Select(i => new { seq = i, ts = At(i), battery = 90 }).ToArray());

        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        using var response = await client.GetAsync($"/api/devices/bike-0001/telemetry?from={At(0)}&limit=3");
        var first = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var next = await GetAsync($"/api/devices/bike-0001/telemetry?from={At(3)}&limit=3");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.GetProperty("count").GetInt32(), Is.EqualTo(3));
            Assert.That(first.GetProperty("truncated").GetBoolean(), Is.True);
            Assert.That(response.Headers.GetValues("X-Truncated"), Is.EqualTo(new[] { "true" }));
            Assert.That(next.GetProperty("readings").EnumerateArray().Select(r => r.GetProperty("seq").GetInt64()), Is.EqualTo(new[] { 3, 4, 5 }));
            Assert.That(next.GetProperty("truncated").GetBoolean(), Is.False);
        }
    }

    [Test]
    public async Task GeoJSON_is_a_FeatureCollection_of_the_trusted_positions_only()
    {
        await using var device = await ConnectAsync("bike-0001");
        await TelemetryAsync(device, new object[]
        {
            new { seq = 1, ts = At(10), lat = 39.9000, lon = 116.4000, alt = 44.1, speed = 3.5, course = 90.0, fix = 3, battery = 88, @lock = "unlocked" },
            new { seq = 2, ts = At(20), lat = 0.0, lon = 0.0, fix = 3, battery = 88 },
            new { seq = 3, ts = At(30), fix = 0, battery = 87 },
            new { seq = 4, ts = At(40), lat = 39.9001, lon = 116.4001, fix = 2, battery = 87, @lock = "locked" },
        });

        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        using var response = await client.GetAsync($"/api/devices/bike-0001/telemetry?from={At(0)}&format=geojson");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var geo = JsonDocument.Parse(text).RootElement;
        var features = geo.GetProperty("features").EnumerateArray().ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/geo+json"));
            Assert.That(geo.GetProperty("type").GetString(), Is.EqualTo("FeatureCollection"));
            Assert.That(features.Select(f => f.GetProperty("properties").GetProperty("seq").GetInt64()), Is.EqualTo(new[] { 1, 4 }), "no 0/0, no reading without a fix");
            Assert.That(features[0].GetProperty("type").GetString(), Is.EqualTo("Feature"));
            Assert.That(features[0].GetProperty("geometry").GetProperty("type").GetString(), Is.EqualTo("Point"));
            Assert.That(Coordinates(features[0]), Is.EqualTo(new[] { 116.4000, 39.9000, 44.1 }), "longitude first, then altitude");
            Assert.That(Coordinates(features[1]), Is.EqualTo(new[] { 116.4001, 39.9001 }));
            var properties = features[0].GetProperty("properties");
            Assert.That(properties.GetProperty("ts").GetInt64(), Is.EqualTo(At(10)));
            Assert.That(properties.GetProperty("time").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(At(10))));
            Assert.That(properties.GetProperty("battery").GetInt32(), Is.EqualTo(88));
            Assert.That(properties.GetProperty("lock").GetString(), Is.EqualTo("unlocked"));
            Assert.That(properties.GetProperty("speed").GetDouble(), Is.EqualTo(3.5));
            Assert.That(properties.GetProperty("course").GetDouble(), Is.EqualTo(90.0));
        }
    }

    [Test]
    public async Task CSV_parses_back_to_what_was_sent()
    {
        await using var device = await ConnectAsync("bike-0001");
        await TelemetryAsync(device, new object[]
        {
            new { seq = 1, ts = At(10.5), lat = 39.90421, lon = 116.40739, alt = 44.1, speed = 4.2, course = 87.5, hdop = 0.9, sats = 9, fix = 3, battery = 87, @lock = "locked" },
            new { seq = 2, ts = At(20), lat = 0.0, lon = 0.0, fix = 3, battery = 86 },
        });

        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        using var response = await client.GetAsync($"/api/devices/bike-0001/telemetry?from={At(0)}&format=csv");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);

        var lines = text.Split("\r\n");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
            Assert.That(response.Headers.GetValues("X-Truncated"), Is.EqualTo(new[] { "false" }));
            Assert.That(lines, Has.Length.EqualTo(4), "header, two rows, and the CRLF after the last");
            Assert.That(lines[0], Is.EqualTo("seq,ts,time,lat,lon,alt,speed,course,hdop,sats,fix,battery,lock,position_rejected"));
            Assert.That(lines[^1], Is.Empty);
        }

        var first = lines[1].Split(',');
        var second = lines[2].Split(',');
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first, Has.Length.EqualTo(14));
            Assert.That(long.Parse(first[0], CultureInfo.InvariantCulture), Is.EqualTo(1));
            Assert.That(long.Parse(first[1], CultureInfo.InvariantCulture), Is.EqualTo(At(10.5)));
            Assert.That(DateTimeOffset.Parse(first[2], CultureInfo.InvariantCulture), Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(At(10.5))));
            Assert.That(first[3..10].Select(f => double.Parse(f, CultureInfo.InvariantCulture)), Is.EqualTo(new[] { 39.90421, 116.40739, 44.1, 4.2, 87.5, 0.9, 9 }));
            Assert.That(first[10..], Is.EqualTo(new[] { "3", "87", "locked", "" }));
            Assert.That(second, Is.EqualTo(new[] { "2", At(20).ToString(CultureInfo.InvariantCulture), second[2], "0", "0", "", "", "", "", "", "3", "86", "", "null-island" }));
        }
    }

    [Test]
    public async Task An_unknown_format_is_400_naming_format()
    {
        await Gateway.RegisterAsync("bike-0001");
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        using var response = await client.GetAsync("/api/devices/bike-0001/telemetry?format=kml");
        Assert.That(await Problem.FieldsAsync(response), Is.EqualTo(new[] { "format" }));
    }

    private static double[] Coordinates(JsonElement feature) =>
        [.. feature.GetProperty("geometry").GetProperty("coordinates").EnumerateArray().Select(c => c.GetDouble())];
}
