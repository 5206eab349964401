using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using static IoTPlatform.DeviceGateway.Tests.Fleet.FleetDevices;

namespace IoTPlatform.DeviceGateway.Tests.Fleet;

/// <summary>The fleet query follows devices going offline, and counts offline time from their last packet.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class FleetPresenceTests
{
    private TestGateway _gateway = null!;

    [SetUp]
    public async Task StartAsync() => _gateway = await TestGateway.StartAsync();

    [TearDown]
    public async Task StopAsync()
    {
        var errors = _gateway.Logs.Errors.ToList();
        await _gateway.DisposeAsync();
        Assert.That(errors, Is.Empty, "the gateway logged errors");
    }

    [Test]
    public async Task A_device_that_disconnects_moves_from_online_to_offline_and_then_past_offlineForSeconds()
    {
        await using var stays = await ReportAsync(_gateway, "bike-0001", 52.52, 13.405, 40, "locked");
        var leaves = await ReportAsync(_gateway, "bike-0002", 52.53, 13.41, 12, "locked");
        using var client = _gateway.Client(TestGateway.MaintenanceKey);
        await Eventually.ValueAsync(
            () => IdsAsync(client, "?online=true"), ids => ids.SequenceEqual(["bike-0001", "bike-0002"]), TimeSpan.FromSeconds(10), "both online");
        Assert.That(await IdsAsync(client, "?offlineForSeconds=0"), Is.Empty, "an online device is never offline for any time");

        await leaves.DisposeAsync();
        var disconnectedAt = DateTimeOffset.UtcNow;
        await Eventually.ValueAsync(
            () => IdsAsync(client, "?online=false"), ids => ids.SequenceEqual(["bike-0002"]), TimeSpan.FromSeconds(10), "bike-0002 offline");
        Assert.That(await IdsAsync(client, "?online=true"), Is.EqualTo(new[] { "bike-0001" }));
        Assert.That(await IdsAsync(client, "?offlineForSeconds=3600"), Is.Empty, "seen moments ago");
        Assert.That(await IdsAsync(client, "?online=false&batteryBelow=20&near=52.52,13.405,5000"), Is.EqualTo(new[] { "bike-0002" }));

        // Offline for at least 2 s: not before 2 s after its last packet, and soon after.
        var answer = await Eventually.ValueAsync(
            () => QueryAsync(client, "?offlineForSeconds=2"), a => Ids(a).SequenceEqual(["bike-0002"]), TimeSpan.FromSeconds(10), "bike-0002 offline for 2 s");
        Assert.That(DateTimeOffset.UtcNow - disconnectedAt, Is.GreaterThan(TimeSpan.FromSeconds(1.9)));
        var lastSeen = answer.GetProperty("devices")[0].GetProperty("lastSeen").GetDateTimeOffset();
        Assert.That(DateTimeOffset.UtcNow - lastSeen, Is.GreaterThanOrEqualTo(TimeSpan.FromSeconds(2)));
    }

    [Test]
    public async Task A_decommissioned_device_is_left_out_even_while_its_reading_matches()
    {
        await using var kept = await ReportAsync(_gateway, "bike-0001", 52.52, 13.405, 10, "jammed");
        await using var dropped = await ReportAsync(_gateway, "bike-0002", 52.52, 13.405, 10, "jammed");
        using var client = _gateway.Client();
        Assert.That(await IdsAsync(client, "?lock=jammed&batteryBelow=11&near=52.52,13.405,10"), Is.EqualTo(new[] { "bike-0001", "bike-0002" }));

        using (var delete = await client.DeleteAsync("/api/devices/bike-0002"))
        {
            Assert.That(delete.IsSuccessStatusCode, Is.True);
        }

        Assert.That(await IdsAsync(client, "?lock=jammed&batteryBelow=11&near=52.52,13.405,10"), Is.EqualTo(new[] { "bike-0001" }));
        Assert.That(await IdsAsync(client, ""), Is.EqualTo(new[] { "bike-0001" }));
    }
}
