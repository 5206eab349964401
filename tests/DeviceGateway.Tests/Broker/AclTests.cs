using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace IoTPlatform.DeviceGateway.Tests.Broker;

/// <summary>A device publishes only to its own up topics and subscribes only to its own commands.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class AclTests : BrokerFixture
{
    private string _secret = null!;

    [SetUp]
    public async Task RegisterAsync()
    {
        _secret = await Gateway.RegisterAsync("bike-0001");
        await Gateway.RegisterAsync("bike-0002");
    }

    // Every up topic has a consumer that answers before the PUBACK; an ack for a command nobody sent is counted and acknowledged.
    [TestCase("v1/devices/bike-0001/telemetry", """{"seq":1,"ts":NOW,"battery":80}""", MqttClientPublishReasonCode.Success)]
    [TestCase("v1/devices/bike-0001/events", """{"seq":2,"ts":NOW,"type":"boot","fw":"1.0.0"}""", MqttClientPublishReasonCode.Success)]
    [TestCase("v1/devices/bike-0001/acks", """{"id":"01NOSUCHCOMMAND0000000000","stage":"received","lock":"locked","ts":NOW}""", MqttClientPublishReasonCode.Success)]
    [TestCase("v1/devices/bike-0001/status", """{"online":true}""", MqttClientPublishReasonCode.Success)]
    public async Task Own_up_topics_are_accepted(string topic, string payload, MqttClientPublishReasonCode expected)
    {
        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", _secret);
        var now = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var result = await device.PublishAsync(topic, payload.Replace("NOW", now, StringComparison.Ordinal));
        Assert.That(result.ReasonCode, Is.EqualTo(expected));
    }

    [TestCase("v1/devices/bike-0002/telemetry")]
    [TestCase("v1/devices/bike-0002/status")]
    [TestCase("v1/devices/bike-0001/commands")]
    [TestCase("v1/devices/bike-0001/telemetry/extra")]
    [TestCase("v1/devices/bike-0001/secrets")]
    [TestCase("v2/devices/bike-0001/telemetry")]
    [TestCase("$SYS/broker/clients")]
    [TestCase("anything")]
    public async Task Other_publishes_get_PUBACK_0x87_on_MQTT_5_and_are_counted(string topic)
    {
        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", _secret);
        var result = await device.PublishAsync(topic, """{"seq":1,"ts":1763805600000}""");
        Assert.That(result.ReasonCode, Is.EqualTo(MqttClientPublishReasonCode.NotAuthorized));
        Assert.That(device.Mqtt.IsConnected, Is.True, "MQTT 5 refuses the message, not the connection");
        Assert.That(await DeviceRefusalsAsync("bike-0001", "publish-not-allowed"), Is.EqualTo(1));
        Assert.That(Gateway.Logs.Entries.Select(e => e.Message), Has.Some.Contains("PUBLISH refused: device bike-0001"));
    }

    [Test]
    public async Task A_cross_device_publish_closes_an_MQTT_3_1_1_connection()
    {
        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", _secret, MqttProtocolVersion.V311);
        // 3.1.1 has no refusal code: the broker closes the connection instead of acknowledging.
        await device.PublishClosingConnectionAsync("v1/devices/bike-0002/telemetry", """{"seq":1,"ts":1763805600000}"""u8.ToArray());
        await PresenceEndsWithAsync("bike-0001", "acl-violation");
        Assert.That(await DeviceRefusalsAsync("bike-0001", "publish-not-allowed"), Is.EqualTo(1));
    }

    [TestCase("#")]
    [TestCase("+/#")]
    [TestCase("v1/devices/+/commands")]
    [TestCase("v1/devices/bike-0001/+")]
    [TestCase("v1/devices/bike-0001/#")]
    [TestCase("v1/devices/bike-0002/commands")]
    [TestCase("v1/devices/bike-0001/telemetry")]
    [TestCase("$share/gateway/v1/devices/bike-0001/commands")]
    [TestCase("$SYS/#")]
    public async Task Other_subscriptions_get_a_failure_code(string filter)
    {
        foreach (var version in new[] { MqttProtocolVersion.V500, MqttProtocolVersion.V311 })
        {
            await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", _secret, version);
            var code = await device.SubscribeAsync(filter);
            Assert.That((int)code, Is.GreaterThanOrEqualTo(0x80), $"{version}: {code}");
        }

        Assert.That(await DeviceRefusalsAsync("bike-0001", "subscribe-not-allowed"), Is.EqualTo(2));
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public async Task Its_own_commands_topic_is_granted(MqttProtocolVersion version)
    {
        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", _secret, version);
        var code = await device.SubscribeAsync("v1/devices/bike-0001/commands");
        Assert.That(code, Is.EqualTo(MqttClientSubscribeResultCode.GrantedQoS1));
    }

    [Test]
    public async Task An_invalid_status_is_acknowledged_with_0x99_so_the_queue_never_jams()
    {
        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", _secret);
        var result = await device.PublishAsync("v1/devices/bike-0001/status", """{"online":"maybe"}""");
        Assert.That(result.ReasonCode, Is.EqualTo(MqttClientPublishReasonCode.PayloadFormatInvalid));
        Assert.That((await DeviceAsync("bike-0001")).TryGetProperty("deviceStatus", out _), Is.False);
        Assert.That(device.Mqtt.IsConnected, Is.True);
    }
}
