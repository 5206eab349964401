using System.Net;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using MQTTnet;
using MQTTnet.Formatter;

namespace IoTPlatform.DeviceGateway.Tests.Broker;

/// <summary>CONNECT policy over real loopback sockets, MQTT 3.1.1 and 5, TCP and WebSocket.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class ConnectTests : BrokerFixture
{
    [TestCase(MqttProtocolVersion.V311, false)]
    [TestCase(MqttProtocolVersion.V500, false)]
    [TestCase(MqttProtocolVersion.V311, true)]
    [TestCase(MqttProtocolVersion.V500, true)]
    public async Task A_registered_device_with_its_secret_is_accepted_and_shown_online(MqttProtocolVersion version, bool webSocket)
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        Assert.That(await IsOnlineAsync("bike-0001"), Is.False);

        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, version, webSocket: webSocket);
        Assert.That(device.Result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success));

        var shown = await DeviceAsync("bike-0001");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(shown.GetProperty("online").GetBoolean(), Is.True);
            Assert.That(shown.GetProperty("lastSeen").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromSeconds(30)));
        }

        await PresenceEndsWithAsync("bike-0001", "connect");
    }

    [TestCase(MqttProtocolVersion.V311)]
    [TestCase(MqttProtocolVersion.V500)]
    public async Task A_device_publishes_its_status_over_websocket_and_it_is_stored(MqttProtocolVersion version)
    {
        var secret = await Gateway.RegisterAsync("kiosk-0001", "umbrella-kiosk", 8);
        await using var device = await DeviceClient.ConnectAsync(Gateway, "kiosk-0001", secret, version, webSocket: true);
        Assert.That(device.Result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success));

        var result = await device.PublishAsync("v1/devices/kiosk-0001/status", """{"online":true,"fw":"2.4.1","clock":"gnss"}""", retain: true);
        Assert.That(result.IsSuccess, Is.True, result.ReasonCode.ToString());

        var status = (await DeviceAsync("kiosk-0001")).GetProperty("deviceStatus");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(status.GetProperty("fw").GetString(), Is.EqualTo("2.4.1"));
            Assert.That(status.GetProperty("clock").GetString(), Is.EqualTo("gnss"));
        }
    }

    // (client id, user name, secret kind, expected MQTT 5 result, expected 3.1.1 result, counted reason)
    private static readonly object[] Refusals =
    [
        new object[] { "bike-0001", "bike-0001", "wrong", MqttClientConnectResultCode.BadUserNameOrPassword, MqttClientConnectResultCode.BadUserNameOrPassword, "bad-secret" },
        new object[] { "bike-0404", "bike-0404", "right", MqttClientConnectResultCode.BadUserNameOrPassword, MqttClientConnectResultCode.BadUserNameOrPassword, "unknown-device" },
        new object[] { "bike-0001", "bike-0002", "right", MqttClientConnectResultCode.ClientIdentifierNotValid, MqttClientConnectResultCode.ClientIdentifierNotValid, "client-id-mismatch" },
        new object[] { "Bike_0001", "Bike_0001", "right", MqttClientConnectResultCode.ClientIdentifierNotValid, MqttClientConnectResultCode.ClientIdentifierNotValid, "invalid-client-id" },
        new object[] { "bike-0001", "bike-0001", "none", MqttClientConnectResultCode.BadUserNameOrPassword, MqttClientConnectResultCode.BadUserNameOrPassword, "missing-credentials" },
    ];

    [TestCaseSource(nameof(Refusals))]
    public async Task Bad_credentials_are_refused_with_the_proper_reason_code_and_counted(
        string clientId, string userName, string secretKind, MqttClientConnectResultCode v5, MqttClientConnectResultCode v311, string reason)
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await Gateway.RegisterAsync("bike-0002");
        var presented = secretKind switch { "right" => secret, "wrong" => secret[..^2] + "AA", _ => null };

        await using (var five = await DeviceClient.ConnectAsync(Gateway, clientId, presented, MqttProtocolVersion.V500, userName))
        {
            Assert.That(five.Result.ResultCode, Is.EqualTo(v5));
        }

        await using (var three = await DeviceClient.ConnectAsync(Gateway, clientId, presented, MqttProtocolVersion.V311, userName))
        {
            Assert.That(three.Result.ResultCode, Is.EqualTo(v311));
        }

        Assert.That(await RefusalsAsync(reason), Is.EqualTo(2));
        Assert.That(await IsOnlineAsync("bike-0001"), Is.False);
    }

    [TestCase(0)]
    [TestCase(301)]
    [TestCase(65535)]
    public async Task A_keepalive_of_zero_or_above_300_seconds_is_refused(int seconds)
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await using (var five = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, MqttProtocolVersion.V500, keepAlive: TimeSpan.FromSeconds(seconds)))
        {
            Assert.That(five.Result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.ImplementationSpecificError));
            Assert.That(five.Result.ReasonString, Is.EqualTo("keepalive-out-of-range"));
        }

        await using (var three = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, MqttProtocolVersion.V311, keepAlive: TimeSpan.FromSeconds(seconds)))
        {
            Assert.That(three.Result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.NotAuthorized));
        }

        Assert.That(await DeviceRefusalsAsync("bike-0001", "keepalive-out-of-range"), Is.EqualTo(2));
    }

    [Test]
    public async Task The_longest_allowed_keepalive_is_accepted()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, keepAlive: TimeSpan.FromSeconds(300));
        Assert.That(device.Result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success));
    }

    [Test]
    public async Task A_decommissioned_device_is_banned()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        using (var admin = Gateway.Client())
        using (var delete = await admin.DeleteAsync("/api/devices/bike-0001"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        await using (var five = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, MqttProtocolVersion.V500))
        {
            Assert.That(five.Result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Banned));
        }

        await using (var three = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, MqttProtocolVersion.V311))
        {
            Assert.That(three.Result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.NotAuthorized));
        }

        Assert.That(await DeviceRefusalsAsync("bike-0001", "decommissioned"), Is.EqualTo(2));
    }

    [Test]
    public async Task Rotating_the_secret_closes_the_live_session_and_the_old_secret_is_refused()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret);
        Assert.That(device.Result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success));

        using (var admin = Gateway.Client())
        using (var rotate = await admin.PostAsync("/api/devices/bike-0001/secret", null))
        {
            Assert.That(rotate.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        // MQTT 5 sends DISCONNECT 0x98 with the reason first, but the socket may close before the client
        // reads it: the presence record below is the guarantee.
        var closed = await device.WaitDisconnectedAsync();
        Assert.That(closed.ReasonString, Is.Null.Or.EqualTo("secret-rotated"));
        Assert.That(await IsOnlineAsync("bike-0001"), Is.False);
        await PresenceEndsWithAsync("bike-0001", "secret-rotated");

        await using var again = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret);
        Assert.That(again.Result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.BadUserNameOrPassword));
    }

    [Test]
    public async Task Decommissioning_closes_the_live_session()
    {
        var secret = await Gateway.RegisterAsync("bike-0001");
        await using var device = await DeviceClient.ConnectAsync(Gateway, "bike-0001", secret, MqttProtocolVersion.V311);
        using (var admin = Gateway.Client())
        using (await admin.DeleteAsync("/api/devices/bike-0001"))
        {
        }

        await device.WaitDisconnectedAsync();
        await PresenceEndsWithAsync("bike-0001", "decommissioned");
        Assert.That(await IsOnlineAsync("bike-0001"), Is.False);
    }
}
