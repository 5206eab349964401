using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace IoTPlatform.DeviceGateway.Tests.Broker;

/// <summary>Payload size refused at the connection, and the per-device publish rate.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class LimitsTests : BrokerFixture
{
    private const int MaxPayload = 4096;

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Broker:MaxPayloadBytes"] = MaxPayload.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Broker:PublishRatePerSecond"] = "0.5",
        ["Broker:PublishBurst"] = "5",
    };

    [TestCase(MqttProtocolVersion.V311, false)]
    [TestCase(MqttProtocolVersion.V500, false)]
    [TestCase(MqttProtocolVersion.V500, true)]
    public async Task A_payload_at_the_limit_is_accepted_and_one_byte_more_closes_the_connection(MqttProtocolVersion version, bool webSocket)
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, version, webSocket: webSocket);
        var atLimit = await device.PublishAsync("v1/devices/bike-0001/telemetry", PaddedReading(1, MaxPayload));
        Assert.That(atLimit.IsSuccess, Is.True);

        await device.PublishClosingConnectionAsync("v1/devices/bike-0001/telemetry", new byte[MaxPayload + 1]);
        Assert.That(await DeviceRefusalsAsync("bike-0001", "payload-too-large"), Is.EqualTo(1));
        await PresenceEndsWithAsync("bike-0001", "packet-too-large");
    }

    [Test]
    public async Task A_50_MB_announced_packet_is_refused_from_its_header_without_buffering_it()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await using var raw = await RawMqtt.OpenAsync(Gateway.MqttEndPoint);
        Assert.That(await raw.ConnectAsync("bike-0001", secret, keepAliveSeconds: 60), Is.Zero);

        const long announced = 50L * 1024 * 1024;
        byte[] topic = RawMqtt.Utf8String("v1/devices/bike-0001/telemetry");
        GC.Collect();
        var before = GC.GetTotalMemory(forceFullCollection: true);

        long sent = 0;
        var chunk = new byte[64 * 1024];
        try
        {
            await raw.SendAsync([0x32, .. RawMqtt.RemainingLength(announced), .. topic, 0, 1]);
            while (sent < announced)
            {
                await raw.SendAsync(chunk);
                sent += chunk.Length;
            }
        }
        catch (IOException)
        {
            // The broker closed the connection: what we want.
        }

        Assert.That(await raw.WaitClosedAsync(TimeSpan.FromSeconds(10)), Is.True, "the broker must close the connection");
        var grown = GC.GetTotalMemory(forceFullCollection: true) - before;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(sent, Is.LessThan(announced), "the connection must end long before 50 MB went through");
            Assert.That(grown, Is.LessThan(8L * 1024 * 1024), "managed memory must not grow with the announced size");
            Assert.That(await DeviceRefusalsAsync("bike-0001", "packet-too-large"), Is.EqualTo(1));
        }

        await PresenceEndsWithAsync("bike-0001", "packet-too-large");
    }

    [Test]
    public async Task A_packet_far_over_the_limit_is_refused_over_WebSocket_by_the_guard()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, webSocket: true);
        await device.PublishClosingConnectionAsync("v1/devices/bike-0001/telemetry", new byte[MaxPayload * 4]);
        Assert.That(await DeviceRefusalsAsync("bike-0001", "packet-too-large"), Is.EqualTo(1));
        await PresenceEndsWithAsync("bike-0001", "packet-too-large");
    }

    [Test]
    public async Task A_packet_announced_before_CONNECT_is_refused_too()
    {
        await using var raw = await RawMqtt.OpenAsync(Gateway.MqttEndPoint);
        await raw.SendAsync([0x10, .. RawMqtt.RemainingLength(50L * 1024 * 1024)]);
        Assert.That(await raw.WaitClosedAsync(TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(await RefusalsAsync("packet-too-large"), Is.EqualTo(1));
    }

    [Test]
    public async Task A_runaway_device_is_held_to_its_rate_with_0x97_on_MQTT_5()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        var other = await Gateway.RegisterAsync("bike-0002");
        await using var runaway = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret);
        var codes = new List<MqttClientPublishReasonCode>();
        for (var i = 0; i < 8; i++)
        {
            codes.Add((await runaway.PublishAsync("v1/devices/bike-0001/telemetry", PaddedReading(i + 1, 0))).ReasonCode);
        }

        // The burst of 5 goes through (at 0.5/s, no token comes back within the loop); the rest are refused.
        Assert.That(codes.Take(5), Is.All.EqualTo(MqttClientPublishReasonCode.Success));
        Assert.That(codes.Skip(6), Is.All.EqualTo(MqttClientPublishReasonCode.QuotaExceeded));
        Assert.That(await DeviceRefusalsAsync("bike-0001", "rate-limited"), Is.GreaterThanOrEqualTo(2));

        await using var neighbour = await DeviceClient.ConnectAsync(Gateway, "bike-0002", other);
        var result = await neighbour.PublishAsync("v1/devices/bike-0002/telemetry", PaddedReading(1, 0));
        Assert.That(result.ReasonCode, Is.EqualTo(MqttClientPublishReasonCode.Success), "the rest of the fleet is not affected");
    }

    [Test]
    public async Task Over_its_rate_an_MQTT_3_1_1_device_is_disconnected_unacknowledged()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await using var runaway = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, MqttProtocolVersion.V311);
        var acknowledged = 0;
        try
        {
            for (var i = 0; i < 10; i++)
            {
                await runaway.PublishAsync("v1/devices/bike-0001/telemetry", PaddedReading(i + 1, 0)).WaitAsync(TimeSpan.FromSeconds(10));
                acknowledged++;
            }
        }
#pragma warning disable CA1031 // The closed connection surfaces as some client exception.
        catch (Exception e) when (e is not AssertionException)
#pragma warning restore CA1031
        {
        }

        await runaway.WaitDisconnectedAsync();
        Assert.That(acknowledged, Is.InRange(5, 6));
        await PresenceEndsWithAsync("bike-0001", "rate-limited");
    }

    /// <summary>A valid reading, padded with JSON whitespace to exactly <paramref name="size"/> bytes (when larger than the reading).</summary>
    private static byte[] PaddedReading(long seq, int size)
    {
        var json = string.Create(System.Globalization.CultureInfo.InvariantCulture, $$"""{"seq":{{seq}},"ts":{{DateTimeOffset.UtcNow.ToUnixTimeMilliseconds()}},"battery":80}""");
        return System.Text.Encoding.UTF8.GetBytes(json.PadRight(Math.Max(size, json.Length)));
    }
}
