using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;

namespace IoTPlatform.DeviceGateway.Tests.History;

/// <summary>The gateway with <c>Storage:History=influxdb</c> on the run's real influxd: publish over MQTT, read over HTTP.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class InfluxDbHistoryTests : HistoryFixture
{
    protected override async Task<IDictionary<string, string?>?> GatewaySettingsAsync() => new Dictionary<string, string?>
    {
        ["Storage:History"] = "influxdb",
        ["Storage:InfluxDb:Url"] = (await InfluxDbServer.SharedAsync()).Url.ToString(),
        ["Storage:InfluxDb:Database"] = InfluxDbServer.NewDatabaseName("gateway"),
        ["Storage:InfluxDb:RetentionDays"] = "30",
    };

    [Test]
    public async Task Published_readings_come_back_from_InfluxDB_ordered_each_seq_once_although_resent()
    {
        await using var device = await ConnectAsync("bike-0001");
        var backlog = new object[]
        {
            new { seq = 3, ts = At(30), lat = 39.9002, lon = 116.4, fix = 3, battery = 90, @lock = "unlocked" },
            new { seq = 1, ts = At(10), lat = 39.9000, lon = 116.4, alt = 40.5, hdop = 1.1, sats = 7, fix = 3, battery = 91, @lock = "locked" },
            new { seq = 2, ts = At(20), lat = 39.9001, lon = 116.4, fix = 3, battery = 91, @lock = "unlocked" },
        };
        await TelemetryAsync(device, backlog);
        await TelemetryAsync(device, backlog);
        await TelemetryAsync(device, new { seq = 4, ts = At(40), fix = 0, battery = 90, @lock = "unlocked" });

        var body = await GetAsync($"/api/devices/bike-0001/telemetry?from={At(0)}&to={At(60)}");

        var readings = body.GetProperty("readings").EnumerateArray().ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Gateway.Services.GetRequiredService<IHistoryStore>(), Is.TypeOf<Telemetry.History.InfluxDb.InfluxDbHistoryStore>());
            Assert.That(File.Exists(Path.Combine(Gateway.DataDir, DuckDbHistoryStore.FileName)), Is.False, "no DuckDB file beside InfluxDB");
            Assert.That(readings.Select(r => r.GetProperty("seq").GetInt64()), Is.EqualTo(new[] { 1, 2, 3, 4 }));
            Assert.That(readings.Select(r => r.GetProperty("ts").GetInt64()), Is.EqualTo(new[] { At(10), At(20), At(30), At(40) }));
            Assert.That(readings[0].GetProperty("alt").GetDouble(), Is.EqualTo(40.5));
            Assert.That(readings[0].GetProperty("lock").GetString(), Is.EqualTo("locked"));
            Assert.That(readings[3].GetProperty("positionRejected").GetString(), Is.EqualTo("no-fix"));
        }
    }

    [Test]
    public async Task After_a_restart_the_history_is_still_there_and_a_resend_is_not_stored_again()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        var backlog = new object[] { new { seq = 1, ts = At(1), battery = 80 }, new { seq = 2, ts = At(2), battery = 79 } };
        await using (var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret))
        {
            await TelemetryAsync(device, backlog);
        }

        await Gateway.RestartAsync();
        await using (var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret))
        {
            await TelemetryAsync(device, backlog);
            await TelemetryAsync(device, new { seq = 3, ts = At(3), battery = 78 });
        }

        var body = await GetAsync($"/api/devices/bike-0001/telemetry?from={At(0)}&to={At(60)}");

        Assert.That(body.GetProperty("readings").EnumerateArray().Select(r => (r.GetProperty("seq").GetInt64(), r.GetProperty("battery").GetInt32())), Is.EqualTo(new[] { (1L, 80), (2L, 79), (3L, 78) }));
    }
}
