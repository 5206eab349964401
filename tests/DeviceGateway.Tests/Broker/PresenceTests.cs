using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace IoTPlatform.DeviceGateway.Tests.Broker;

/// <summary>Presence from connection events: connect, clean disconnect, keepalive timeout, takeover, shutdown.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class PresenceTests : BrokerFixture
{
    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public async Task A_clean_disconnect_is_offline_with_its_reason(MqttProtocolVersion version)
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, version);
        Assert.That(await IsOnlineAsync("bike-0001"), Is.True);
        await device.DisposeAsync();

        var reasons = await PresenceEndsWithAsync("bike-0001", "clean-disconnect");
        Assert.That(reasons, Is.EqualTo(new[] { "connect", "clean-disconnect" }));
        Assert.That(await IsOnlineAsync("bike-0001"), Is.False);
    }

    [Test]
    public async Task A_device_that_falls_silent_without_DISCONNECT_is_offline_within_one_and_a_half_keepalives()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await using var raw = await RawMqtt.OpenAsync(Gateway.MqttEndPoint);
        Assert.That(await raw.ConnectAsync("bike-0001", secret, keepAliveSeconds: 2), Is.Zero);
        var silentSince = Stopwatch.StartNew();
        Assert.That(await IsOnlineAsync("bike-0001"), Is.True);

        Assert.That(await raw.WaitClosedAsync(TimeSpan.FromSeconds(10)), Is.True, "the broker must drop a silent client");
        var offlineAfter = silentSince.Elapsed;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await IsOnlineAsync("bike-0001"), Is.False);
            // 1.5 x 2 s, plus the monitor's 0.5 s period.
            Assert.That(offlineAfter, Is.GreaterThan(TimeSpan.FromSeconds(2.5)).And.LessThan(TimeSpan.FromSeconds(3.5 + 1)));
        }

        await PresenceEndsWithAsync("bike-0001", "keepalive-timeout");
    }

    [Test]
    public async Task A_device_that_keeps_pinging_stays_online()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, keepAlive: TimeSpan.FromSeconds(1));
        var firstSeen = (await DeviceAsync("bike-0001")).GetProperty("lastSeen").GetDateTimeOffset();

        // Past 1.5 keepalives the client's PINGREQs are what keep it online, and they move lastSeen.
        var later = await Eventually.ValueAsync(
            () => DeviceAsync("bike-0001"),
            d => d.GetProperty("lastSeen").GetDateTimeOffset() > firstSeen + TimeSpan.FromSeconds(2),
            TimeSpan.FromSeconds(10),
            "lastSeen moves with the keepalive pings");
        Assert.That(later.GetProperty("online").GetBoolean(), Is.True);
        Assert.That(device.Disconnected.IsCompleted, Is.False);
    }

    [Test]
    public async Task A_second_connection_with_the_same_id_takes_over_and_is_recorded()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await using var first = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret);
        await using var second = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, MqttProtocolVersion.V311);
        Assert.That(second.Result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success));

        // The old connection ends (MQTT 5 sends it DISCONNECT 0x8E first, but the socket may close before
        // the client reads it, so its reported reason is not asserted).
        await first.WaitDisconnectedAsync();

        var reasons = await Eventually.ValueAsync(
            () => PresenceReasonsAsync("bike-0001"),
            r => r.Count(x => x == "connect") == 2 && r.Contains("takeover"),
            TimeSpan.FromSeconds(10),
            "two connects and a takeover");
        Assert.That(reasons, Has.Exactly(1).EqualTo("takeover"));
        Assert.That(await IsOnlineAsync("bike-0001"), Is.True, "the new connection keeps the device online");
    }

    [Test]
    public async Task Presence_can_be_asked_for_a_time_window_in_either_time_form()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        var before = DateTimeOffset.UtcNow.AddSeconds(-1);
        await (await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret)).DisposeAsync();
        await PresenceEndsWithAsync("bike-0001", "clean-disconnect");

        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        var iso = await client.GetFromJsonAsync<JsonElement>($"/api/devices/bike-0001/presence?from={Uri.EscapeDataString(before.ToString("O"))}");
        var ms = await client.GetFromJsonAsync<JsonElement>($"/api/devices/bike-0001/presence?from={before.ToUnixTimeMilliseconds()}&limit=1");
        var future = await client.GetFromJsonAsync<JsonElement>($"/api/devices/bike-0001/presence?from={DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds()}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(iso.GetProperty("items").GetArrayLength(), Is.EqualTo(2));
            Assert.That(ms.GetProperty("items").GetArrayLength(), Is.EqualTo(1));
            Assert.That(future.GetProperty("items").GetArrayLength(), Is.Zero);
        }

        using var bad = await client.GetAsync("/api/devices/bike-0001/presence?from=yesterday&limit=0");
        Assert.That(await Problem.FieldsAsync(bad), Is.EquivalentTo(new[] { "from", "limit" }));
        using var unknown = await client.GetAsync("/api/devices/bike-9999/presence");
        await Problem.ReadAsync(unknown, System.Net.HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_gateway_restart_records_its_devices_offline_and_they_reconnect()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret);
        await Gateway.RestartAsync();
        await device.WaitDisconnectedAsync();
        await device.DisposeAsync();

        var reasons = await PresenceReasonsAsync("bike-0001");
        Assert.That(reasons, Is.EqualTo(new[] { "connect", "gateway-stopped" }), string.Join(",", reasons));
        Assert.That(await IsOnlineAsync("bike-0001"), Is.False);
        var lastSeen = (await DeviceAsync("bike-0001")).GetProperty("lastSeen").GetDateTimeOffset();
        Assert.That(lastSeen, Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromSeconds(60)), "lastSeen survives the restart");

        await using var again = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret);
        Assert.That(again.Result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success));
        Assert.That(await IsOnlineAsync("bike-0001"), Is.True);
    }

    [Test]
    public async Task The_stats_endpoint_counts_connected_devices_connects_and_refusals()
    {
        var one = await Gateway.RegisterAsync("bike-0001");
        var two = await Gateway.RegisterAsync("bike-0002");
        await using var a = await DeviceClient.ConnectAsync(Gateway, "bike-0001", one);
        await using var b = await DeviceClient.ConnectAsync(Gateway, "bike-0002", two);
        await using (await DeviceClient.ConnectAsync(Gateway, "bike-0002", one))
        {
        }

        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        var stats = await client.GetFromJsonAsync<JsonElement>("/api/broker/stats");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stats.GetProperty("connectedDevices").GetInt32(), Is.EqualTo(2));
            Assert.That(stats.GetProperty("connectsTotal").GetInt64(), Is.EqualTo(2));
            Assert.That(stats.GetProperty("refusals").GetProperty("bad-secret").GetInt64(), Is.EqualTo(1));
            Assert.That(stats.GetProperty("refusedDevices")[0].GetProperty("deviceId").GetString(), Is.EqualTo("bike-0002"));
        }

        using var anonymous = Gateway.Client(apiKey: null);
        using var refused = await anonymous.GetAsync("/api/broker/stats");
        Assert.That(refused.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task The_will_of_a_device_that_vanishes_is_stored_as_its_own_word()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await Gateway.RegisterAsync("bike-0002");
        await VanishWithWillAsync("bike-0001", secret, "v1/devices/bike-0001/status");

        var status = await Eventually.ValueAsync(
            () => DeviceAsync("bike-0001"),
            d => d.TryGetProperty("deviceStatus", out _),
            TimeSpan.FromSeconds(10),
            "the will is stored");
        Assert.That(status.GetProperty("deviceStatus").GetProperty("online").GetBoolean(), Is.False);
        await PresenceEndsWithAsync("bike-0001", "connection-lost");
    }

    [Test]
    public async Task A_will_aimed_at_another_device_is_refused()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await Gateway.RegisterAsync("bike-0002");
        await VanishWithWillAsync("bike-0001", secret, "v1/devices/bike-0002/status");

        await Eventually.ValueAsync(() => DeviceRefusalsAsync("bike-0001", "publish-not-allowed"), n => n == 1, TimeSpan.FromSeconds(10), "the will is refused");
        Assert.That((await DeviceAsync("bike-0002")).TryGetProperty("deviceStatus", out _), Is.False);
    }

    /// <summary>Connects with a will of <c>{"online":false}</c> on <paramref name="willTopic"/>, then drops the socket.</summary>
    private async Task VanishWithWillAsync(string deviceId, string secret, string willTopic)
    {
        await using var raw = await RawMqtt.OpenAsync(Gateway.MqttEndPoint);
        Assert.That(await raw.ConnectAsync(deviceId, secret, 60, willTopic, """{"online":false}"""), Is.Zero);
        raw.Abort();
    }
}
