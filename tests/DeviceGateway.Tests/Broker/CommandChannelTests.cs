using System.Buffers;
using System.Collections.Concurrent;
using System.Threading.Channels;
using IoTPlatform.Broker;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;
using static IoTPlatform.DeviceGateway.Tests.Infrastructure.MosquittoClient;

namespace IoTPlatform.DeviceGateway.Tests.Broker;

/// <summary>
/// <see cref="CommandChannel"/> against the real backend: a command reaches only its device's own session,
/// at QoS 1, not retained, with its exact bytes; offline and unsubscribed devices get nothing, not even later;
/// the subscription is followed across unsubscribe, disconnect and takeover.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class CommandChannelTests : BrokerFixture
{
    private const string Bike1 = "bike-0001";
    private const string Bike2 = "bike-0002";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(10);

    // Not UTF-8, with a NUL: the bytes must arrive exactly as given.
    private static readonly byte[] Payload = [0x7B, 0x00, 0xFF, 0x80, 0x22, 0x69, 0x64, 0x22, 0x0A, 0x7D];

    private CommandChannel _channel = null!;
    private OutboundPublishes _outbound = null!;

    [SetUp]
    public void FindChannel()
    {
        _channel = Gateway.Services.GetRequiredService<CommandChannel>();
        _outbound = new OutboundPublishes(Gateway.Services.GetRequiredService<MqttServer>());
    }

    [TestCase(MqttProtocolVersion.V500)]
    [TestCase(MqttProtocolVersion.V311)]
    public async Task An_MQTTnet_client_subscribed_at_QoS_1_receives_exactly_the_bytes_at_QoS_1_not_retained(MqttProtocolVersion version)
    {
        var secret = await Gateway.RegisterAsync(Bike1);
        await using var device = await DeviceClient.ConnectAsync(Gateway, Bike1, secret, version);
        var inbox = new Inbox(device.Mqtt);
        var subscribed = SubscribedSignal(Bike1);

        Assert.That(await device.SubscribeAsync(Topic(Bike1)), Is.EqualTo(MqttClientSubscribeResultCode.GrantedQoS1));
        await subscribed.WaitAsync(Deadline);
        Assert.That(_channel.IsSubscribed(Bike1), Is.True);

        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.Sent));
        var received = await inbox.NextAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(received.Topic, Is.EqualTo("v1/devices/bike-0001/commands"));
            Assert.That(received.Payload, Is.EqualTo(Payload));
            Assert.That(received.Qos, Is.EqualTo(MqttQualityOfServiceLevel.AtLeastOnce));
            Assert.That(received.Retain, Is.False);
            Assert.That(Stats.CommandsSent, Is.EqualTo(1));
        }
    }

    [TestCase(V311)]
    [TestCase(V5)]
    public async Task Mosquitto_sub_receives_exactly_the_bytes_at_QoS_1_not_retained(string version)
    {
        var secret = await Gateway.RegisterAsync(Bike1);
        var subscribed = SubscribedSignal(Bike1);
        // -C 1: ends after one message; -F: topic, QoS, retain flag and the payload in hex.
        using var sub = Start(Sub, [.. Device(Gateway.MqttEndPoint, version, Bike1, secret), "-q", "1", "-t", Topic(Bike1), "-C", "1", "-F", "%t %q %r %x"]);
        try
        {
            await subscribed.WaitAsync(Deadline);
        }
        catch (TimeoutException)
        {
            Assert.Fail($"mosquitto_sub did not subscribe: {await sub.KillAsync()}");
        }

        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.Sent));
        var run = await sub.WaitAsync(TimeSpan.FromSeconds(20));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.ExitCode, Is.Zero, run.ToString());
            Assert.That(run.StandardOutput.Trim(), Is.EqualTo($"v1/devices/bike-0001/commands 1 0 {Convert.ToHexStringLower(Payload)}"), run.ToString());
        }
    }

    [Test]
    public async Task Another_device_subscribed_to_its_own_commands_receives_nothing_of_it()
    {
        var secret1 = await Gateway.RegisterAsync(Bike1);
        var secret2 = await Gateway.RegisterAsync(Bike2);
        await using var device1 = await DeviceClient.ConnectAsync(Gateway, Bike1, secret1);
        await using var device2 = await DeviceClient.ConnectAsync(Gateway, Bike2, secret2);
        var inbox1 = new Inbox(device1.Mqtt);
        var inbox2 = new Inbox(device2.Mqtt);
        await device1.SubscribeAsync(Topic(Bike1));
        await device2.SubscribeAsync(Topic(Bike2));

        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.Sent));
        Assert.That((await inbox1.NextAsync()).Payload, Is.EqualTo(Payload));

        await AssertNothingSentToAsync([Bike2]);
        Assert.That(inbox2.Count, Is.Zero);
    }

    [Test]
    public async Task An_offline_device_is_Offline_and_nothing_is_queued_for_it()
    {
        var secret = await Gateway.RegisterAsync(Bike1);
        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.Offline), "never connected");
        Assert.That(await _channel.SendAsync("bike-9999", Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.Offline), "not even registered");

        var device = await DeviceClient.ConnectAsync(Gateway, Bike1, secret);
        await device.SubscribeAsync(Topic(Bike1));
        Assert.That(_channel.IsSubscribed(Bike1), Is.True);
        await device.DisposeAsync();
        await Eventually.ValueAsync(() => Task.FromResult(_channel.IsSubscribed(Bike1)), s => !s, Deadline, "not subscribed after the disconnect");

        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.Offline), "disconnected");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Stats.CommandsOffline, Is.EqualTo(3));
            Assert.That(Stats.CommandsSent, Is.Zero);
            Assert.That(await Server.GetSessionsAsync(), Is.Empty, "no session is kept for a disconnected device");
        }
    }

    [TestCase(MqttProtocolVersion.V500)]
    [TestCase(MqttProtocolVersion.V311)]
    public async Task A_connected_device_without_the_subscription_is_NotSubscribed_and_gets_nothing_when_it_subscribes_later(MqttProtocolVersion version)
    {
        var secret = await Gateway.RegisterAsync(Bike1);
        await using var device = await DeviceClient.ConnectAsync(Gateway, Bike1, secret, version);
        var inbox = new Inbox(device.Mqtt);

        Assert.That(_channel.IsSubscribed(Bike1), Is.False);
        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.NotSubscribed));
        Assert.That((await Server.GetSessionAsync(Bike1)).PendingApplicationMessagesCount, Is.Zero, "nothing queued");

        await device.SubscribeAsync(Topic(Bike1));
        byte[] second = [0x32];
        Assert.That(await _channel.SendAsync(Bike1, second, CancellationToken.None), Is.EqualTo(DeliveryResult.Sent));

        // A session's PUBLISHes leave in order: had the first been queued, it would arrive first.
        Assert.That((await inbox.NextAsync()).Payload, Is.EqualTo(second));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(inbox.Count, Is.Zero);
            Assert.That(_outbound.To(Bike1), Is.EqualTo(1));
            Assert.That(Stats.CommandsNotSubscribed, Is.EqualTo(1));
            Assert.That(Stats.CommandsSent, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task After_an_unsubscribe_it_is_NotSubscribed()
    {
        var secret = await Gateway.RegisterAsync(Bike1);
        await using var device = await DeviceClient.ConnectAsync(Gateway, Bike1, secret);
        await device.SubscribeAsync(Topic(Bike1));
        Assert.That(_channel.IsSubscribed(Bike1), Is.True, "set before the SUBACK is queued");

        await device.Mqtt.UnsubscribeAsync(Topic(Bike1));

        Assert.That(_channel.IsSubscribed(Bike1), Is.False, "cleared before the UNSUBACK is queued");
        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.NotSubscribed));
        Assert.That(_outbound.To(Bike1), Is.Zero);
    }

    [Test]
    public async Task Another_devices_commands_topic_or_other_subscriptions_do_not_count()
    {
        var secret = await Gateway.RegisterAsync(Bike1);
        await Gateway.RegisterAsync(Bike2);
        await using var device = await DeviceClient.ConnectAsync(Gateway, Bike1, secret);

        await device.SubscribeAsync(Topic(Bike2)); // refused by the ACL
        await device.SubscribeAsync("v1/devices/bike-0001/telemetry"); // refused by the ACL

        Assert.That(_channel.IsSubscribed(Bike1), Is.False);
        Assert.That(_channel.IsSubscribed(Bike2), Is.False);
        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.NotSubscribed));
    }

    [Test]
    public async Task A_QoS_0_subscription_gets_the_command_at_QoS_0()
    {
        var secret = await Gateway.RegisterAsync(Bike1);
        await using var device = await DeviceClient.ConnectAsync(Gateway, Bike1, secret);
        var inbox = new Inbox(device.Mqtt);
        await device.Mqtt.SubscribeAsync(Topic(Bike1), MqttQualityOfServiceLevel.AtMostOnce);

        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.Sent));
        var received = await inbox.NextAsync();
        Assert.That(received.Qos, Is.EqualTo(MqttQualityOfServiceLevel.AtMostOnce), "never above the granted QoS, as a routed publish");
        Assert.That(received.Payload, Is.EqualTo(Payload));
    }

    [Test]
    public async Task A_takeover_with_a_clean_session_must_subscribe_again()
    {
        var secret = await Gateway.RegisterAsync(Bike1);
        var signals = CountSubscribed(Bike1);
        await using var first = await DeviceClient.ConnectAsync(Gateway, Bike1, secret);
        var firstInbox = new Inbox(first.Mqtt);
        await first.SubscribeAsync(Topic(Bike1));

        await using var second = await DeviceClient.ConnectAsync(Gateway, Bike1, secret, MqttProtocolVersion.V311);
        var secondInbox = new Inbox(second.Mqtt);
        await first.WaitDisconnectedAsync();

        Assert.That(_channel.IsSubscribed(Bike1), Is.False, "the new session has no subscription");
        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.NotSubscribed));

        await second.SubscribeAsync(Topic(Bike1));
        await Eventually.ValueAsync(() => Task.FromResult(signals.Count), n => n == 2, Deadline, "CommandsSubscribed for each SUBSCRIBE");
        Assert.That(_channel.IsSubscribed(Bike1), Is.True);
        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.Sent));
        Assert.That((await secondInbox.NextAsync()).Payload, Is.EqualTo(Payload));
        Assert.That(firstInbox.Count, Is.Zero);
        Assert.That(_outbound.To(Bike1), Is.EqualTo(1));
    }

    [Test]
    public async Task A_takeover_that_resumes_the_session_keeps_the_subscription_and_says_so()
    {
        var secret = await Gateway.RegisterAsync(Bike1);
        var signals = CountSubscribed(Bike1);
        using var first = await ConnectKeepingSessionAsync(secret);
        await first.SubscribeAsync(Topic(Bike1), MqttQualityOfServiceLevel.AtLeastOnce);
        await Eventually.ValueAsync(() => Task.FromResult(signals.Count), n => n == 1, Deadline, "CommandsSubscribed for the SUBSCRIBE");

        using var second = await ConnectKeepingSessionAsync(secret);
        Assert.That(second.IsConnected, Is.True);
        var secondInbox = new Inbox(second);

        // No SUBSCRIBE on the new connection: the resumed session still has it.
        await Eventually.ValueAsync(() => Task.FromResult(signals.Count), n => n == 2, Deadline, "CommandsSubscribed for the resumed session");
        Assert.That(_channel.IsSubscribed(Bike1), Is.True);
        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.Sent));
        Assert.That((await secondInbox.NextAsync()).Payload, Is.EqualTo(Payload));

        await second.DisconnectAsync();
        await Eventually.ValueAsync(() => Task.FromResult(_channel.IsSubscribed(Bike1)), s => !s, Deadline, "not subscribed after the disconnect");
        Assert.That(await _channel.SendAsync(Bike1, Payload, CancellationToken.None), Is.EqualTo(DeliveryResult.Offline));
    }

    [Test]
    public async Task With_300_other_devices_subscribed_a_command_reaches_only_its_device()
    {
        const int Others = 300;
        var ids = Enumerable.Range(1, Others).Select(i => $"bike-{i + 1000:D4}").ToArray();
        var secrets = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var id in ids.Append(Bike1))
        {
            secrets[id] = await Gateway.RegisterAsync(id);
        }

        var others = new List<(DeviceClient Client, Inbox Inbox)>();
        try
        {
            foreach (var batch in ids.Chunk(25))
            {
                others.AddRange(await Task.WhenAll(batch.Select(async id =>
                {
                    var client = await DeviceClient.ConnectAsync(Gateway, id, secrets[id]);
                    var inbox = new Inbox(client.Mqtt);
                    Assert.That(await client.SubscribeAsync(Topic(id)), Is.EqualTo(MqttClientSubscribeResultCode.GrantedQoS1));
                    return (client, inbox);
                })));
            }

            Assert.That(ids.All(_channel.IsSubscribed), Is.True);
            await using var target = await DeviceClient.ConnectAsync(Gateway, Bike1, secrets[Bike1]);
            var targetInbox = new Inbox(target.Mqtt);
            await target.SubscribeAsync(Topic(Bike1));

            for (var i = 0; i < 10; i++)
            {
                Assert.That(await _channel.SendAsync(Bike1, new[] { (byte)i }, CancellationToken.None), Is.EqualTo(DeliveryResult.Sent));
            }

            for (var i = 0; i < 10; i++)
            {
                Assert.That((await targetInbox.NextAsync()).Payload, Is.EqualTo(new[] { (byte)i }));
            }

            await AssertNothingSentToAsync(ids);
            Assert.That(others.Sum(o => o.Inbox.Count), Is.Zero);
            Assert.That(_outbound.To(Bike1), Is.EqualTo(10));
        }
        finally
        {
            await Task.WhenAll(others.Select(o => o.Client.DisposeAsync().AsTask()));
        }
    }

    [Test]
    public void A_device_id_that_is_not_one_is_an_argument_error()
    {
        Assert.That(async () => await _channel.SendAsync("v1/#", Payload, CancellationToken.None), Throws.ArgumentException);
        Assert.That(Stats.CommandsOffline + Stats.CommandsSent + Stats.CommandsNotSubscribed, Is.Zero);
    }

    private static string Topic(string deviceId) => $"v1/devices/{deviceId}/commands";

    private BrokerStats Stats => Gateway.Services.GetRequiredService<BrokerStats>();

    private MqttServer Server => Gateway.Services.GetRequiredService<MqttServer>();

    /// <summary>Nothing was written to, or is queued for, any of <paramref name="deviceIds"/>.</summary>
    private async Task AssertNothingSentToAsync(IEnumerable<string> deviceIds)
    {
        var sessions = (await Server.GetSessionsAsync()).ToDictionary(s => s.Id, StringComparer.Ordinal);
        using (Assert.EnterMultipleScope())
        {
            foreach (var id in deviceIds)
            {
                Assert.That(_outbound.To(id), Is.Zero, $"PUBLISHes written to {id}");
                Assert.That(sessions[id].PendingApplicationMessagesCount, Is.Zero, $"PUBLISHes queued for {id}");
            }
        }
    }

    /// <summary>Completes on the channel's first <see cref="CommandChannel.CommandsSubscribed"/> for <paramref name="deviceId"/>.</summary>
    private Task SubscribedSignal(string deviceId)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _channel.CommandsSubscribed += id =>
        {
            if (id == deviceId)
            {
                signal.TrySetResult();
            }
        };
        return signal.Task;
    }

    private ConcurrentQueue<string> CountSubscribed(string deviceId)
    {
        var seen = new ConcurrentQueue<string>();
        _channel.CommandsSubscribed += id =>
        {
            if (id == deviceId)
            {
                seen.Enqueue(id);
            }
        };
        return seen;
    }

    /// <summary>An MQTT 3.1.1 connection of <see cref="Bike1"/> with clean session false (a takeover then resumes the session).</summary>
    private async Task<IMqttClient> ConnectKeepingSessionAsync(string secret)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(new MqttClientOptionsBuilder()
            .WithClientId(Bike1)
            .WithCredentials(Bike1, secret)
            .WithProtocolVersion(MqttProtocolVersion.V311)
            .WithCleanSession(false)
            .WithTcpServer(Gateway.MqttEndPoint.Address.ToString(), Gateway.MqttEndPoint.Port)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .Build());
        Assert.That(result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success));
        return client;
    }

    /// <summary>The application messages one client received, in order.</summary>
    private sealed class Inbox
    {
        private readonly Channel<Received> _messages = Channel.CreateUnbounded<Received>();

        public Inbox(IMqttClient client) =>
            client.ApplicationMessageReceivedAsync += e =>
            {
                var m = e.ApplicationMessage;
                _messages.Writer.TryWrite(new Received(m.Topic, m.Payload.ToArray(), m.QualityOfServiceLevel, m.Retain));
                return Task.CompletedTask;
            };

        public int Count => _messages.Reader.Count;

        public async Task<Received> NextAsync()
        {
            using var timeout = new CancellationTokenSource(Deadline);
            return await _messages.Reader.ReadAsync(timeout.Token);
        }
    }

    private sealed record Received(string Topic, byte[] Payload, MqttQualityOfServiceLevel Qos, bool Retain);

    /// <summary>Every PUBLISH the broker writes to a connection, by client id (seen just before it is written).</summary>
    private sealed class OutboundPublishes
    {
        private readonly ConcurrentDictionary<string, int> _byClient = new(StringComparer.Ordinal);

        public OutboundPublishes(MqttServer server) =>
            server.InterceptingOutboundPacketAsync += e =>
            {
                if (e.Packet is MqttPublishPacket)
                {
                    _byClient.AddOrUpdate(e.ClientId, 1, (_, n) => n + 1);
                }

                return Task.CompletedTask;
            };

        public int To(string clientId) => _byClient.TryGetValue(clientId, out var n) ? n : 0;
    }
}
