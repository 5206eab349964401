using System.Text.Json;

namespace IoTPlatform.DeviceGateway.Tests.History;

/// <summary><c>GET /api/devices/{id}/latest</c> after real publishes.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class LatestTests : HistoryFixture
{
    [Test]
    public async Task A_device_that_never_sent_anything_has_a_latest_state_of_nulls()
    {
        await Gateway.RegisterAsync("bike-0001");

        var latest = await GetAsync("/api/devices/bike-0001/latest");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(latest.GetProperty("deviceId").GetString(), Is.EqualTo("bike-0001"));
            Assert.That(latest.GetProperty("kind").GetString(), Is.EqualTo("bike"));
            Assert.That(latest.GetProperty("online").GetBoolean(), Is.False);
            foreach (var field in new[] { "lastSeen", "reading", "lock", "battery", "position" })
            {
                Assert.That(latest.GetProperty(field).ValueKind, Is.EqualTo(JsonValueKind.Null), field);
            }

            Assert.That(latest.TryGetProperty("slots", out _), Is.False, "a bike has no slots");
        }
    }

    [Test]
    public async Task Latest_is_the_newest_reading_by_device_time_and_a_replayed_older_backlog_does_not_change_it()
    {
        await using var device = await ConnectAsync("bike-0001");
        await TelemetryAsync(device, new
        {
            seq = 10, ts = At(100), lat = 39.90421, lon = 116.40739, alt = 44.1, speed = 4.2, course = 87.5, hdop = 0.9, sats = 9, fix = 3,
            battery = 80, @lock = "locked",
        });
        await TelemetryAsync(device, new object[]
        {
            new { seq = 1, ts = At(10), lat = 39.90000, lon = 116.40000, fix = 3, battery = 95, @lock = "unlocked" },
            new { seq = 2, ts = At(20), lat = 39.90100, lon = 116.40000, fix = 3, battery = 94, @lock = "unlocked" },
        });

        var latest = await GetAsync("/api/devices/bike-0001/latest");

        var reading = latest.GetProperty("reading");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(latest.GetProperty("online").GetBoolean(), Is.True);
            Assert.That(latest.GetProperty("lastSeen").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(reading.GetProperty("seq").GetInt64(), Is.EqualTo(10));
            Assert.That(reading.GetProperty("ts").GetInt64(), Is.EqualTo(At(100)));
            Assert.That(reading.GetProperty("lat").GetDouble(), Is.EqualTo(39.90421));
            Assert.That(reading.GetProperty("lon").GetDouble(), Is.EqualTo(116.40739));
            Assert.That(reading.GetProperty("alt").GetDouble(), Is.EqualTo(44.1));
            Assert.That(reading.GetProperty("speed").GetDouble(), Is.EqualTo(4.2));
            Assert.That(reading.GetProperty("course").GetDouble(), Is.EqualTo(87.5));
            Assert.That(reading.GetProperty("hdop").GetDouble(), Is.EqualTo(0.9));
            Assert.That(reading.GetProperty("sats").GetInt32(), Is.EqualTo(9));
            Assert.That(reading.GetProperty("fix").GetInt32(), Is.EqualTo(3));
            Assert.That(reading.GetProperty("battery").GetInt32(), Is.EqualTo(80));
            Assert.That(reading.GetProperty("lock").GetString(), Is.EqualTo("locked"));
            Assert.That(reading.TryGetProperty("positionRejected", out _), Is.False);
            Assert.That(reading.GetProperty("receivedAt").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(latest.GetProperty("lock").GetProperty("state").GetString(), Is.EqualTo("locked"));
            Assert.That(latest.GetProperty("lock").GetProperty("ts").GetInt64(), Is.EqualTo(At(100)));
            Assert.That(latest.GetProperty("lock").GetProperty("time").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(At(100))));
            Assert.That(latest.GetProperty("battery").GetProperty("percent").GetInt32(), Is.EqualTo(80));
            Assert.That(latest.GetProperty("position").GetProperty("lat").GetDouble(), Is.EqualTo(39.90421));
            Assert.That(latest.GetProperty("position").GetProperty("lon").GetDouble(), Is.EqualTo(116.40739));
            Assert.That(latest.GetProperty("position").GetProperty("ts").GetInt64(), Is.EqualTo(At(100)));
        }
    }

    [Test]
    public async Task Each_fact_is_its_newest_report_an_event_or_a_reading_with_an_untrusted_position()
    {
        await using var device = await ConnectAsync("bike-0001");
        await TelemetryAsync(device, new { seq = 1, ts = At(0), lat = 39.9, lon = 116.4, fix = 3, battery = 70, @lock = "locked" });
        await EventsAsync(device, new { seq = 2, ts = At(5), type = "lock_changed", @lock = "unlocked" });
        await TelemetryAsync(device, new { seq = 3, ts = At(10), lat = 0.0, lon = 0.0, fix = 3, battery = 69 });

        var latest = await GetAsync("/api/devices/bike-0001/latest");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(latest.GetProperty("reading").GetProperty("seq").GetInt64(), Is.EqualTo(3));
            Assert.That(latest.GetProperty("reading").GetProperty("positionRejected").GetString(), Is.EqualTo("null-island"));
            Assert.That(latest.GetProperty("reading").TryGetProperty("lock", out _), Is.False, "as sent: this reading said nothing of the lock");
            Assert.That(latest.GetProperty("lock").GetProperty("state").GetString(), Is.EqualTo("unlocked"), "from the event");
            Assert.That(latest.GetProperty("lock").GetProperty("ts").GetInt64(), Is.EqualTo(At(5)));
            Assert.That(latest.GetProperty("battery").GetProperty("percent").GetInt32(), Is.EqualTo(69));
            Assert.That(latest.GetProperty("position").GetProperty("lat").GetDouble(), Is.EqualTo(39.9), "the newest trusted position");
            Assert.That(latest.GetProperty("position").GetProperty("ts").GetInt64(), Is.EqualTo(At(0)));
        }
    }

    [Test]
    public async Task A_kiosk_shows_every_slot_unknown_until_reported()
    {
        await using var kiosk = await ConnectAsync("kiosk-0001", "umbrella-kiosk", 3);
        await TelemetryAsync(kiosk, new { seq = 1, ts = At(0), battery = 100, slots = new[] { new { n = 2, state = "occupied", item = "umb-0042" } } });

        var slots = (await GetAsync("/api/devices/kiosk-0001/latest")).GetProperty("slots");

        Assert.That(slots.EnumerateArray().Select(s => s.GetProperty("state").GetString()), Is.EqualTo(new[] { "unknown", "occupied", "unknown" }));
        Assert.That(slots[1].GetProperty("item").GetString(), Is.EqualTo("umb-0042"));
    }
}
