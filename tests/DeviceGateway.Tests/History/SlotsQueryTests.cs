using System.Net;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.History;

/// <summary><c>GET /api/devices/{id}/slots</c> after a kiosk's readings and slot events.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class SlotsQueryTests : HistoryFixture
{
    [Test]
    public async Task A_kiosk_shows_each_slot_as_last_reported_and_the_others_unknown()
    {
        await using var kiosk = await ConnectAsync("kiosk-0001", "charger-kiosk", 4);
        await TelemetryAsync(kiosk, new
        {
            seq = 1, ts = At(0), battery = 100,
            slots = new object[] { new { n = 1, state = "occupied", item = "chg-0001", charge = 80 }, new { n = 2, state = "occupied", item = "chg-0002", charge = 55 } },
        });
        await EventsAsync(kiosk, new { seq = 2, ts = At(10), type = "slot_changed", slot = 2, slotState = "released", item = "chg-0002" });
        await EventsAsync(kiosk, new { seq = 3, ts = At(20), type = "slot_changed", slot = 1, slotState = "empty" });

        var body = await GetAsync("/api/devices/kiosk-0001/slots");

        var slots = body.GetProperty("slots").EnumerateArray().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(body.GetProperty("kind").GetString(), Is.EqualTo("charger-kiosk"));
            Assert.That(body.GetProperty("slotCount").GetInt32(), Is.EqualTo(4));
            Assert.That(slots.Select(s => s.GetProperty("n").GetInt32()), Is.EqualTo(new[] { 1, 2, 3, 4 }));
            Assert.That(slots.Select(s => s.GetProperty("state").GetString()), Is.EqualTo(new[] { "empty", "released", "unknown", "unknown" }));
            Assert.That(slots[0].TryGetProperty("item", out _), Is.False, "the empty slot holds nothing");
            Assert.That(slots[0].GetProperty("ts").GetInt64(), Is.EqualTo(At(20)));
            Assert.That(slots[1].GetProperty("item").GetString(), Is.EqualTo("chg-0002"));
            Assert.That(slots[1].GetProperty("charge").GetInt32(), Is.EqualTo(55), "the same item keeps its charge");
            Assert.That(slots[1].GetProperty("time").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.FromUnixTimeMilliseconds(At(10))));
            Assert.That(slots[2].EnumerateObject().Select(p => p.Name), Is.EqualTo(new[] { "n", "state" }));
        }
    }

    [Test]
    public async Task A_bike_has_no_slots_404()
    {
        await Gateway.RegisterAsync("bike-0001");
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        using var response = await client.GetAsync("/api/devices/bike-0001/slots");
        var problem = await Problem.ReadAsync(response, HttpStatusCode.NotFound);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("bike"));
    }
}
