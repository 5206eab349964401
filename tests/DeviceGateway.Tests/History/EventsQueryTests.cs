using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.History;

/// <summary><c>GET /api/devices/{id}/events</c> after real publishes.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class EventsQueryTests : HistoryFixture
{
    [Test]
    public async Task Events_come_back_as_sent_in_ts_order_each_seq_once_and_filter_by_type()
    {
        await using var device = await ConnectAsync("bike-0001");
        await EventsAsync(device, new { seq = 1, ts = At(1), type = "boot", fw = "1.4.2", reason = "power-on" });
        var backlog = new object[]
        {
            new { seq = 5, ts = At(50), type = "lock_changed", @lock = "locked" },
            new { seq = 2, ts = At(20), type = "lock_changed", @lock = "unlocked" },
            new { seq = 3, ts = At(30), type = "motion_while_locked", distance = 12.5, lat = 39.9, lon = 116.4 },
            new { seq = 4, ts = At(40), type = "low_battery", battery = 14 },
        };
        await EventsAsync(device, backlog);
        await EventsAsync(device, backlog);
        await EventsAsync(device, new { seq = 6, ts = At(60), type = "jammed", @lock = "jammed", reason = "jammed" });

        var all = await GetAsync($"/api/devices/bike-0001/events?from={At(0)}");
        var locks = await GetAsync($"/api/devices/bike-0001/events?from={At(0)}&type=lock_changed");

        var events = all.GetProperty("events").EnumerateArray().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(all.GetProperty("deviceId").GetString(), Is.EqualTo("bike-0001"));
            Assert.That(all.GetProperty("count").GetInt32(), Is.EqualTo(6));
            Assert.That(all.GetProperty("truncated").GetBoolean(), Is.False);
            Assert.That(events.Select(e => e.GetProperty("seq").GetInt64()), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6 }));
            Assert.That(events.Select(e => e.GetProperty("type").GetString()),
                Is.EqualTo(new[] { "boot", "lock_changed", "motion_while_locked", "low_battery", "lock_changed", "jammed" }));
            Assert.That(events[0].EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "seq", "ts", "type", "fw", "reason", "receivedAt" }));
            Assert.That(events[0].GetProperty("fw").GetString(), Is.EqualTo("1.4.2"));
            Assert.That(events[0].GetProperty("ts").GetInt64(), Is.EqualTo(At(1)));
            Assert.That(events[2].GetProperty("distance").GetDouble(), Is.EqualTo(12.5));
            Assert.That(events[2].GetProperty("lat").GetDouble(), Is.EqualTo(39.9));
            Assert.That(events[3].GetProperty("battery").GetInt32(), Is.EqualTo(14));
            Assert.That(events[5].GetProperty("lock").GetString(), Is.EqualTo("jammed"));
            Assert.That(locks.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("lock").GetString()), Is.EqualTo(new[] { "unlocked", "locked" }));
        }
    }

    [Test]
    public async Task A_kiosk_slot_event_shows_slot_state_and_item()
    {
        await using var kiosk = await ConnectAsync("kiosk-0001", "charger-kiosk", 4);
        await EventsAsync(kiosk, new { seq = 1, ts = At(1), type = "slot_changed", slot = 3, slotState = "released", item = "chg-0007" });

        var slotEvent = (await GetAsync($"/api/devices/kiosk-0001/events?from={At(0)}&type=slot_changed")).GetProperty("events")[0];

        Assert.That(slotEvent.GetProperty("slot").GetInt32(), Is.EqualTo(3));
        Assert.That(slotEvent.GetProperty("slotState").GetString(), Is.EqualTo("released"));
        Assert.That(slotEvent.GetProperty("item").GetString(), Is.EqualTo("chg-0007"));
    }

    [Test]
    public async Task The_limit_truncates()
    {
        await using var device = await ConnectAsync("bike-0001");
        await EventsAsync(device, Enumerable.Range(1, 4).Select(i => new { seq = i, ts = At(i), type = "tamper" }).ToArray());

        var body = await GetAsync($"/api/devices/bike-0001/events?from={At(0)}&limit=2");

        Assert.That(body.GetProperty("count").GetInt32(), Is.EqualTo(2));
        Assert.That(body.GetProperty("truncated").GetBoolean(), Is.True);
    }

    [TestCase("unlock")]
    [TestCase("LOCK_CHANGED")]
    [TestCase("lock-changed")]
    public async Task A_type_that_is_not_a_protocol_event_type_is_400_naming_type(string type)
    {
        await Gateway.RegisterAsync("bike-0001");
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        using var response = await client.GetAsync($"/api/devices/bike-0001/events?type={type}");
        Assert.That(await Problem.FieldsAsync(response), Is.EqualTo(new[] { "type" }));
    }
}
