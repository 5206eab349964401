using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Ingest;
using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using MQTTnet;

namespace IoTPlatform.DeviceGateway.Tests.Ingest;

/// <summary>Real MQTT clients publish through the embedded broker; the history and the latest state hold exactly what was sent.</summary>
public sealed class IngestTests
{
    private static long Now => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    [Test]
    public async Task An_acked_reading_is_stored_once_although_re_sent_on_a_new_session()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = await gateway.RegisterAsync("bike-0001");
        var ts = Now;

        await using (var first = await DeviceClient.ConnectAsync(gateway, "bike-0001", secret))
        {
            Assert.That((await first.PublishAsync(Topic("bike-0001"), Reading(1, ts))).IsSuccess, Is.True);
        }

        // The device missed the PUBACK, reconnects and replays its queue.
        await using var second = await DeviceClient.ConnectAsync(gateway, "bike-0001", secret);
        var again = await second.PublishAsync(Topic("bike-0001"), Reading(1, ts));
        await second.PublishAsync(Topic("bike-0001"), Reading(2, ts + 1000));

        Assert.That(again.ReasonCode, Is.EqualTo(MqttClientPublishReasonCode.Success));
        Assert.That((await Readings(gateway, "bike-0001")).Select(r => r.Reading.Seq), Is.EqualTo(new[] { 1L, 2L }));
        var stats = await Stats(gateway);
        Assert.That((stats.GetProperty("readings").GetInt64(), stats.GetProperty("duplicates").GetInt64()), Is.EqualTo((2L, 1L)));
    }

    [Test]
    public async Task A_takeover_re_send_while_the_old_session_is_open_is_stored_once()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = await gateway.RegisterAsync("bike-0001");
        var ts = Now;
        await using var old = await DeviceClient.ConnectAsync(gateway, "bike-0001", secret);
        Assert.That((await old.PublishAsync(Topic("bike-0001"), Reading(1, ts))).IsSuccess, Is.True);

        await using var taker = await DeviceClient.ConnectAsync(gateway, "bike-0001", secret);
        await taker.PublishAsync(Topic("bike-0001"), Reading(1, ts));

        Assert.That(await Readings(gateway, "bike-0001"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_backlog_array_from_mosquitto_pub_on_mqtt_3_1_1_keeps_its_timestamps()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = await gateway.RegisterAsync("bike-0001");
        var t0 = Now - 3_600_000;
        var backlog = $"[{Reading(1, t0)},{Reading(2, t0 + 5000)},{Reading(3, t0 + 10_000)}]";

        var result = await MosquittoClient.RunAsync(MosquittoClient.Pub,
            [.. MosquittoClient.Device(gateway.MqttEndPoint, MosquittoClient.V311, "bike-0001", secret), "-q", "1", "-t", Topic("bike-0001"), "-m", backlog]);

        Assert.That(result.ExitCode, Is.Zero, result.ToString());
        Assert.That((await Readings(gateway, "bike-0001")).Select(r => r.Reading.Ts), Is.EqualTo(new[] { t0, t0 + 5000, t0 + 10_000 }));
    }

    [Test]
    public async Task Malformed_payloads_are_acked_with_0x99_counted_and_the_backend_keeps_serving()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = await gateway.RegisterAsync("bike-0001");
        await using var device = await DeviceClient.ConnectAsync(gateway, "bike-0001", secret);

        var garbage = await device.PublishAsync(Topic("bike-0001"), "{\"seq\": 1, \"ts\":");
        var wrongType = await device.PublishAsync(Topic("bike-0001"), "{\"seq\": \"one\", \"ts\": 1}");
        var outOfRange = await device.PublishAsync(Topic("bike-0001"), $"{{\"seq\":1,\"ts\":{Now},\"battery\":250}}");
        var badEvent = await device.PublishAsync($"v1/devices/bike-0001/events", $"{{\"seq\":2,\"ts\":{Now},\"type\":\"lock_changed\"}}");
        var good = await device.PublishAsync(Topic("bike-0001"), Reading(3, Now));

        Assert.That(
            new[] { garbage.ReasonCode, wrongType.ReasonCode, outOfRange.ReasonCode, badEvent.ReasonCode },
            Is.All.EqualTo(MqttClientPublishReasonCode.PayloadFormatInvalid));
        Assert.That(good.ReasonCode, Is.EqualTo(MqttClientPublishReasonCode.Success));
        Assert.That(device.Mqtt.IsConnected, Is.True);
        var rejected = (await Stats(gateway)).GetProperty("rejected");
        Assert.That(rejected.GetProperty("malformed-json").GetInt64(), Is.EqualTo(1));
        Assert.That(rejected.GetProperty("wrong-type").GetInt64(), Is.EqualTo(1));
        Assert.That(rejected.GetProperty(ValidationReasons.BatteryOutOfRange).GetInt64(), Is.EqualTo(1));
        Assert.That(rejected.GetProperty(ValidationReasons.FieldMissing).GetInt64(), Is.EqualTo(1));
        Assert.That((await Readings(gateway, "bike-0001")).Single().Reading.Seq, Is.EqualTo(3));
    }

    [Test]
    public async Task Many_concurrent_publishers_produce_far_fewer_commits_than_readings()
    {
        await using var gateway = await TestGateway.StartAsync();
        const int devices = 40;
        const int perDevice = 25;
        var clients = await Task.WhenAll(Enumerable.Range(1, devices).Select(async i =>
        {
            var id = $"bike-{i:0000}";
            return (Id: id, Client: await DeviceClient.ConnectAsync(gateway, id, await gateway.RegisterAsync(id)));
        }));
        var t0 = Now - 60_000;

        await Task.WhenAll(clients.Select(async c =>
        {
            for (var seq = 1; seq <= perDevice; seq++)
            {
                Assert.That((await c.Client.PublishAsync(Topic(c.Id), Reading(seq, t0 + (seq * 1000)))).IsSuccess, Is.True);
            }
        }));

        var stats = await Stats(gateway);
        var readings = stats.GetProperty("readings").GetInt64();
        var commits = stats.GetProperty("commits").GetInt64();
        TestContext.Out.WriteLine($"{readings} readings in {commits} commits");
        Assert.That(readings, Is.EqualTo(devices * perDevice));
        Assert.That(commits, Is.LessThan(readings / 4));
        foreach (var (_, client) in clients)
        {
            await client.DisposeAsync();
        }
    }

    [Test]
    public async Task Latest_state_is_the_newest_by_device_time_and_survives_a_restart()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = await gateway.RegisterAsync("bike-0001");
        var now = Now;
        await using (var device = await DeviceClient.ConnectAsync(gateway, "bike-0001", secret))
        {
            await device.PublishAsync(Topic("bike-0001"), Reading(10, now, battery: 61, lockState: "locked"));

            // The backlog of an hour ago arrives after the present.
            await device.PublishAsync(Topic("bike-0001"), $"[{Reading(2, now - 3_600_000, battery: 99, lockState: "unlocked")}]");
            await device.PublishAsync("v1/devices/bike-0001/events", $"{{\"seq\":11,\"ts\":{now + 1000},\"type\":\"lock_changed\",\"lock\":\"unlocked\"}}");
        }

        var before = await gateway.Services.GetRequiredService<LatestStateStore>().GetAsync("bike-0001", CancellationToken.None);
        Assert.That((before!.Reading!.Seq, before.Battery, before.Lock), Is.EqualTo((10L, 61, LockState.Unlocked)));
        using (var client = gateway.Client(TestGateway.ReadOnlyKey))
        {
            var device = await client.GetFromJsonAsync<JsonElement>("/api/devices/bike-0001");
            Assert.That((device.GetProperty("lock").GetString(), device.GetProperty("battery").GetInt32()), Is.EqualTo(("unlocked", 61)));
        }

        await gateway.RestartAsync();

        var after = await gateway.Services.GetRequiredService<LatestStateStore>().GetAsync("bike-0001", CancellationToken.None);
        Assert.That((after!.Reading!.Seq, after.Battery, after.Lock, after.Position), Is.EqualTo((10L, 61, LockState.Unlocked, before.Position)));

        // Re-sent after the restart: still a duplicate.
        await using var again = await DeviceClient.ConnectAsync(gateway, "bike-0001", secret);
        await again.PublishAsync(Topic("bike-0001"), Reading(10, now, battery: 61, lockState: "locked"));
        Assert.That(await Readings(gateway, "bike-0001"), Has.Count.EqualTo(2));
        Assert.That((await Stats(gateway)).GetProperty("duplicates").GetInt64(), Is.EqualTo(1));
    }

    [Test]
    public async Task A_latest_state_left_behind_by_a_crash_is_caught_up_from_the_history_at_start()
    {
        await using var gateway = await TestGateway.StartAsync();
        var secret = await gateway.RegisterAsync("bike-0001");
        var now = Now;
        await using (var device = await DeviceClient.ConnectAsync(gateway, "bike-0001", secret))
        {
            await device.PublishAsync(Topic("bike-0001"), Reading(1, now - 2000, battery: 70));
            await device.PublishAsync(Topic("bike-0001"), Reading(2, now - 1000, battery: 69));
        }

        // What a crash between the history commit and the state.db commit leaves: the history has more
        // than the latest state and its watermark say.
        await gateway.RestartAsync();
        using (var connection = gateway.Services.GetRequiredService<StateStore>().Open())
        using (var rewind = connection.CreateCommand())
        {
            rewind.CommandText = "DELETE FROM device_latest; DELETE FROM device_slots; UPDATE ingest_watermark SET commit_id = 0;";
            rewind.ExecuteNonQuery();
        }

        await gateway.RestartAsync();

        var latest = await gateway.Services.GetRequiredService<LatestStateStore>().GetAsync("bike-0001", CancellationToken.None);
        Assert.That((latest!.Reading!.Seq, latest.Battery), Is.EqualTo((2L, 69)));
        Assert.That(gateway.Logs.Entries.Any(e => e.Message.Contains("folded in 2", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public async Task The_latest_state_is_written_to_state_db_before_a_query_not_before_each_puback()
    {
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Ingest:LatestSaveIntervalMilliseconds"] = "600000" });
        var secret = await gateway.RegisterAsync("bike-0001");
        await using (var device = await DeviceClient.ConnectAsync(gateway, "bike-0001", secret))
        {
            await device.PublishAsync(Topic("bike-0001"), Reading(1, Now, battery: 55));
        }

        // Acknowledged and folded in memory, not written yet (the save interval is 10 minutes).
        Assert.That(SavedReadingSeq(gateway, "bike-0001"), Is.Null);

        // A query writes first, so it sees every acknowledged reading.
        using (var client = gateway.Client(TestGateway.ReadOnlyKey))
        {
            var fleet = await client.GetFromJsonAsync<JsonElement>("/api/fleet?batteryBelow=60");
            Assert.That(fleet.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("id").GetString()), Is.EqualTo(new[] { "bike-0001" }));
        }

        Assert.That(SavedReadingSeq(gateway, "bike-0001"), Is.EqualTo(1L));
    }

    [Test]
    public async Task The_latest_state_is_written_to_state_db_every_save_interval_without_a_query()
    {
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Ingest:LatestSaveIntervalMilliseconds"] = "50" });
        var secret = await gateway.RegisterAsync("bike-0001");
        await using (var device = await DeviceClient.ConnectAsync(gateway, "bike-0001", secret))
        {
            await device.PublishAsync(Topic("bike-0001"), Reading(1, Now - 1000));
            await device.PublishAsync(Topic("bike-0001"), Reading(2, Now));
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (SavedReadingSeq(gateway, "bike-0001") != 2)
        {
            await Task.Delay(20, deadline.Token);
        }
    }

    [Test]
    public async Task Retention_deletes_history_older_than_the_configured_days()
    {
        await using var gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Storage:RetentionDays"] = "30" });
        var secret = await gateway.RegisterAsync("bike-0001");
        var now = Now;
        await using (var device = await DeviceClient.ConnectAsync(gateway, "bike-0001", secret))
        {
            await device.PublishAsync(Topic("bike-0001"), $"[{Reading(1, now - (31L * 86_400_000))},{Reading(2, now - (29L * 86_400_000))},{Reading(3, now)}]");
            await device.PublishAsync("v1/devices/bike-0001/events", $"{{\"seq\":4,\"ts\":{now - (40L * 86_400_000)},\"type\":\"boot\",\"fw\":\"1.0.0\"}}");
        }

        var deleted = await gateway.Services.GetServices<IHostedService>().OfType<RetentionService>().Single().SweepAsync(CancellationToken.None);

        Assert.That(deleted, Is.EqualTo(2));
        Assert.That((await Readings(gateway, "bike-0001")).Select(r => r.Reading.Seq), Is.EqualTo(new[] { 2L, 3L }));
    }

    [TestCase("Ingest:Gps:MaxSpeedMetersPerSecond", "-1", "Ingest:Gps")]
    [TestCase("Ingest:LatestSaveIntervalMilliseconds", "0", "LatestSaveIntervalMilliseconds")]
    public async Task A_bad_ingest_setting_stops_the_start_with_a_message_naming_it(string key, string value, string named)
    {
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(async () =>
            await TestGateway.StartAsync(new Dictionary<string, string?> { [key] = value }));
        Assert.That(error!.Message, Does.Contain(named));
    }

    private static string Topic(string deviceId) => $"v1/devices/{deviceId}/telemetry";

    private static string Reading(long seq, long ts, int battery = 80, string lockState = "locked") =>
        string.Create(CultureInfo.InvariantCulture, $$"""{"seq":{{seq}},"ts":{{ts}},"lat":39.9042,"lon":116.4074,"fix":3,"battery":{{battery}},"lock":"{{lockState}}"}""");

    /// <summary>The seq of the latest reading as written in <c>state.db</c> (not through the store, which would save first).</summary>
    private static long? SavedReadingSeq(TestGateway gateway, string deviceId)
    {
        using var connection = gateway.Services.GetRequiredService<StateStore>().Open();
        using var select = connection.CreateCommand();
        select.CommandText = "SELECT reading_seq FROM device_latest WHERE device_id = $id";
        select.Parameters.AddWithValue("$id", deviceId);
        return select.ExecuteScalar() is long seq ? seq : null;
    }

    private static Task<IReadOnlyList<StoredReading>> Readings(TestGateway gateway, string deviceId) =>
        gateway.Services.GetRequiredService<IHistoryQueries>().ReadingsAsync(deviceId, long.MinValue, long.MaxValue, 10_000, CancellationToken.None);

    private static async Task<JsonElement> Stats(TestGateway gateway)
    {
        using var client = gateway.Client(TestGateway.ReadOnlyKey);
        return await client.GetFromJsonAsync<JsonElement>("/api/ingest/stats");
    }
}
