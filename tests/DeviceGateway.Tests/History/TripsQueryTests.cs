using System.Text.Json;

namespace IoTPlatform.DeviceGateway.Tests.History;

/// <summary><c>GET /api/devices/{id}/trips</c> from real lock reports and positions.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class TripsQueryTests : HistoryFixture
{
    /// <summary>One ride: parked at 39.9000 N, unlocked at 10 s, north along the meridian 0.001° (~111.2 m) twice, locked at 80 s.</summary>
    private async Task RideAsync()
    {
        await using var device = await ConnectAsync("bike-0001");
        await TelemetryAsync(device, new { seq = 1, ts = At(0), lat = 39.9000, lon = 116.4, fix = 3, battery = 90, @lock = "locked" });
        await EventsAsync(device, new { seq = 2, ts = At(10), type = "lock_changed", @lock = "unlocked" });
        await TelemetryAsync(device, new object[]
        {
            new { seq = 3, ts = At(40), lat = 39.9010, lon = 116.4, fix = 3, battery = 90, @lock = "unlocked" },
            new { seq = 4, ts = At(55), lat = 0.0, lon = 0.0, fix = 3, battery = 90, @lock = "unlocked" },
            new { seq = 5, ts = At(70), lat = 39.9020, lon = 116.4, fix = 3, battery = 89, @lock = "unlocked" },
        });
        await EventsAsync(device, new { seq = 6, ts = At(80), type = "lock_changed", @lock = "locked" });
        await TelemetryAsync(device, new { seq = 7, ts = At(90), lat = 39.9020, lon = 116.4, fix = 3, battery = 89, @lock = "locked" });
    }

    [Test]
    public async Task Unlock_ride_lock_is_one_trip_with_its_distance_and_path()
    {
        await RideAsync();

        var body = await GetAsync($"/api/devices/bike-0001/trips?from={At(0)}");

        Assert.That(body.GetProperty("count").GetInt32(), Is.EqualTo(1));
        var trip = body.GetProperty("trips")[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.GetProperty("truncated").GetBoolean(), Is.False);
            Assert.That(trip.GetProperty("start").GetProperty("ts").GetInt64(), Is.EqualTo(At(10)));
            Assert.That(trip.GetProperty("start").GetProperty("time").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(At(10))));
            Assert.That(trip.GetProperty("start").GetProperty("lat").GetDouble(), Is.EqualTo(39.9000), "where it was parked");
            Assert.That(trip.GetProperty("end").GetProperty("ts").GetInt64(), Is.EqualTo(At(80)));
            Assert.That(trip.GetProperty("end").GetProperty("lat").GetDouble(), Is.EqualTo(39.9020));
            Assert.That(trip.GetProperty("end").GetProperty("lon").GetDouble(), Is.EqualTo(116.4));
            Assert.That(trip.GetProperty("inProgress").GetBoolean(), Is.False);
            Assert.That(trip.GetProperty("durationSeconds").GetDouble(), Is.EqualTo(70));
            Assert.That(trip.GetProperty("distanceMeters").GetDouble(), Is.EqualTo(222.4).Within(0.5), "two legs of 0.001° latitude; the 0/0 fix is not one");
            Assert.That(trip.GetProperty("path").GetProperty("type").GetString(), Is.EqualTo("LineString"));
            Assert.That(Path(trip), Is.EqualTo(new[] { new[] { 116.4, 39.9000 }, [116.4, 39.9010], [116.4, 39.9020] }), "[lon, lat], trusted fixes only");
        }
    }

    [Test]
    public async Task A_ride_begun_before_from_is_reported_from_where_it_began()
    {
        await RideAsync();

        var trip = (await GetAsync($"/api/devices/bike-0001/trips?from={At(50)}&to={At(60)}")).GetProperty("trips").EnumerateArray().Single();

        Assert.That(trip.GetProperty("start").GetProperty("ts").GetInt64(), Is.EqualTo(At(10)));
        Assert.That(trip.GetProperty("end").GetProperty("ts").GetInt64(), Is.EqualTo(At(80)), "and followed to its lock after 'to'");
        Assert.That(trip.GetProperty("distanceMeters").GetDouble(), Is.EqualTo(222.4).Within(0.5));
    }

    [Test]
    public async Task A_ride_still_under_way_is_in_progress_with_a_null_end()
    {
        await using var device = await ConnectAsync("bike-0001");
        await TelemetryAsync(device, new object[]
        {
            new { seq = 1, ts = At(0), lat = 39.9000, lon = 116.4, fix = 3, @lock = "locked" },
            new { seq = 2, ts = At(10), lat = 39.9000, lon = 116.4, fix = 3, @lock = "unlocked" },
            new { seq = 3, ts = At(40), lat = 39.9010, lon = 116.4, fix = 3, @lock = "unlocked" },
        });

        var trip = (await GetAsync("/api/devices/bike-0001/trips")).GetProperty("trips").EnumerateArray().Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(trip.GetProperty("inProgress").GetBoolean(), Is.True);
            Assert.That(trip.GetProperty("end").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(trip.GetProperty("durationSeconds").GetDouble(), Is.EqualTo(30), "so far: up to the newest report");
            Assert.That(trip.GetProperty("distanceMeters").GetDouble(), Is.EqualTo(111.2).Within(0.5));
        }
    }

    [Test]
    public async Task A_parked_bike_has_no_trips()
    {
        await using var device = await ConnectAsync("bike-0001");
        await TelemetryAsync(device, new { seq = 1, ts = At(0), lat = 39.9, lon = 116.4, fix = 3, @lock = "locked" });

        var body = await GetAsync("/api/devices/bike-0001/trips");

        Assert.That(body.GetProperty("count").GetInt32(), Is.Zero);
        Assert.That(body.GetProperty("trips").GetArrayLength(), Is.Zero);
    }

    private static double[][] Path(JsonElement trip) =>
        [.. trip.GetProperty("path").GetProperty("coordinates").EnumerateArray().Select(p => p.EnumerateArray().Select(c => c.GetDouble()).ToArray())];
}
