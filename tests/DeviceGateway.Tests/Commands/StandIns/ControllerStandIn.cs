using System.Text;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using IoTPlatform.DeviceProtocol;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTPlatform.DeviceGateway.Tests.Commands.StandIns;

/// <summary>
/// A lock controller stand-in on an MQTTnet 5 client: it connects with the device's id and secret,
/// subscribes QoS 1 to its own <c>v1/devices/{id}/commands</c>, records every delivery as it comes (no
/// de-duplication: a re-send is a second entry) and answers on <c>v1/devices/{id}/acks</c> as its
/// <see cref="Behaviour"/> says. It can disconnect and connect again (also to a restarted gateway on a
/// new port); its record spans all its connections. Answers run off the client's receive path, so a
/// held-back ack never holds back the next delivery.
/// </summary>
public sealed class ControllerStandIn : IAsyncDisposable
{
    private readonly Lock _gate = new();
    private readonly List<ReceivedCommand> _deliveries = [];
    private readonly List<string> _undecodable = [];
    private readonly List<Exception> _faults = [];
    private readonly List<Task> _answers = [];
    private readonly Dictionary<string, int> _timesSeen = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _doneReleased = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private IMqttClient? _client;
    private int _connections;

    public ControllerStandIn(string deviceId, string secret, StandInBehaviour behaviour = StandInBehaviour.Proper)
    {
        DeviceId = deviceId;
        Secret = secret;
        Behaviour = behaviour;
    }

    public string DeviceId { get; }

    public string Secret { get; }

    /// <summary>How it answers from now on (a test may switch it, e.g. across a restart).</summary>
    public StandInBehaviour Behaviour { get; set; }

    /// <summary>Per command id, how many deliveries it only counts before it answers (0: answers the first); the backend must re-send meanwhile.</summary>
    public int IgnoreFirst { get; set; }

    public bool IsConnected => _client?.IsConnected == true;

    /// <summary>Every delivery so far, in the order received, repeats included.</summary>
    public IReadOnlyList<ReceivedCommand> Deliveries
    {
        get
        {
            lock (_gate)
            {
                return [.. _deliveries];
            }
        }
    }

    /// <summary>Payloads on the commands topic that are not a protocol v1 command.</summary>
    public IReadOnlyList<string> Undecodable
    {
        get
        {
            lock (_gate)
            {
                return [.. _undecodable];
            }
        }
    }

    /// <summary>Exceptions of its answers (a publish that failed); a test that expects none asserts this is empty.</summary>
    public IReadOnlyList<Exception> Faults
    {
        get
        {
            lock (_gate)
            {
                return [.. _faults];
            }
        }
    }

    /// <summary>The deliveries of one command id.</summary>
    public IReadOnlyList<ReceivedCommand> DeliveriesOf(string commandId) =>
        [.. Deliveries.Where(d => d.Command.Id == commandId)];

    /// <summary>Connects to <paramref name="gateway"/>'s broker (its current port) and subscribes to the commands topic; the previous connection, if any, is dropped first.</summary>
    public async Task ConnectAsync(TestGateway gateway)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        await DropClientAsync();
        var connection = Interlocked.Increment(ref _connections);
        var client = new MqttClientFactory().CreateMqttClient();
        client.ApplicationMessageReceivedAsync += e => OnDeliveryAsync(e, connection);
        var options = new MqttClientOptionsBuilder()
            .WithClientId(DeviceId)
            .WithCredentials(DeviceId, Secret)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
            .WithCleanSession()
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithTcpServer(gateway.MqttEndPoint.Address.ToString(), gateway.MqttEndPoint.Port)
            .Build();
        _client = client;
        var connected = await client.ConnectAsync(options);
        Assert.That(connected.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success), $"{DeviceId} connects: {connected.ReasonString}");
        var subscribed = await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
            .WithTopicFilter(Topics.Commands(DeviceId), MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        Assert.That(subscribed.Items.Single().ResultCode, Is.EqualTo(MqttClientSubscribeResultCode.GrantedQoS1), $"{DeviceId} subscribes to its commands");
    }

    /// <summary>A clean DISCONNECT: the device goes offline.</summary>
    public Task DisconnectAsync() => DropClientAsync();

    /// <summary>Lets every <see cref="StandInBehaviour.DoneWhenReleased"/> answer send its <c>done</c> (now and from now on).</summary>
    public void ReleaseDone() => _doneReleased.TrySetResult();

    public Task<MqttClientPublishResult> AckReceivedAsync(DeviceCommand command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return PublishAckAsync(new CommandAck { Id = command.Id, Stage = AckStage.Received, Lock = SensedBefore(command), Slot = command.Slot, Ts = NowMs() });
    }

    public Task<MqttClientPublishResult> AckDoneAsync(DeviceCommand command, AckResult result, LockState sensed, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(command);
        return PublishAckAsync(new CommandAck { Id = command.Id, Stage = AckStage.Done, Result = result, Lock = sensed, Slot = command.Slot, Reason = reason, Ts = NowMs() });
    }

    public Task<MqttClientPublishResult> PublishAckAsync(CommandAck ack) => PublishAckAsync(PayloadCodec.Encode(ack));

    /// <summary>Publishes any bytes on its acks topic (QoS 1).</summary>
    public Task<MqttClientPublishResult> PublishAckAsync(byte[] payload)
    {
        var client = _client ?? throw new InvalidOperationException($"{DeviceId} is not connected.");
        return client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(Topics.Acks(DeviceId))
            .WithPayload(payload)
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
    }

    /// <summary>The lock state a command leaves behind when it works: unlock/release open, lock/secure close.</summary>
    public static LockState Commanded(CommandAction action) =>
        action is CommandAction.Unlock or CommandAction.Release ? LockState.Unlocked : LockState.Locked;

    /// <summary>Waits for the answers started so far (after a test released or switched something).</summary>
    public async Task SettleAsync()
    {
        Task[] answers;
        lock (_gate)
        {
            answers = [.. _answers];
        }

        await Task.WhenAll(answers).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        ReleaseDone();
        await DropClientAsync();
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    private static LockState SensedBefore(DeviceCommand command) =>
        Commanded(command.Action) == LockState.Unlocked ? LockState.Locked : LockState.Unlocked;

    private async Task DropClientAsync()
    {
        var client = _client;
        _client = null;
        if (client is null)
        {
            return;
        }

        if (client.IsConnected)
        {
            try
            {
                await client.DisconnectAsync();
            }
#pragma warning disable CA1031 // The gateway may have gone away under it (a restart); the connection is being dropped anyway.
            catch (Exception e)
#pragma warning restore CA1031
            {
                TestContext.Out.WriteLine($"{DeviceId}: disconnect: {e.Message}");
            }
        }

        client.Dispose();
    }

    private Task OnDeliveryAsync(MqttApplicationMessageReceivedEventArgs e, int connection)
    {
        var receivedAt = DateTimeOffset.UtcNow;
        var payload = e.ApplicationMessage.Payload;
        var text = Encoding.UTF8.GetString(payload);
        if (!PayloadCodec.TryDecodeCommand(payload, out var command, out var error))
        {
            lock (_gate)
            {
                _undecodable.Add($"{e.ApplicationMessage.Topic}: {text} ({error.Reason})");
            }

            return Task.CompletedTask;
        }

        int seen;
        lock (_gate)
        {
            _deliveries.Add(new ReceivedCommand(command, text, receivedAt, connection));
            seen = _timesSeen[command.Id] = _timesSeen.GetValueOrDefault(command.Id) + 1;
            if (seen > IgnoreFirst)
            {
                var behaviour = Behaviour;
                var first = seen == IgnoreFirst + 1;
                _answers.Add(Task.Run(() => AnswerAsync(command, behaviour, first)));
            }
        }

        return Task.CompletedTask;
    }

    /// <summary>
    /// Proper and received-only answer every delivery they act on (the firmware answers a repeated id with
    /// its recorded ack); the other behaviours act on the first only, so that their ack pattern is exactly theirs.
    /// </summary>
    private async Task AnswerAsync(DeviceCommand command, StandInBehaviour behaviour, bool first)
    {
        try
        {
            switch (behaviour)
            {
                case StandInBehaviour.Proper:
                    await AckReceivedAsync(command);
                    await AckDoneAsync(command, AckResult.Ok, Commanded(command.Action));
                    break;
                case StandInBehaviour.ReceivedOnly:
                    await AckReceivedAsync(command);
                    break;
                case StandInBehaviour.AckTwice when first:
                    await AckReceivedAsync(command);
                    await AckReceivedAsync(command);
                    await AckDoneAsync(command, AckResult.Ok, Commanded(command.Action));
                    await AckDoneAsync(command, AckResult.Ok, Commanded(command.Action));
                    break;
                case StandInBehaviour.DoneWhenReleased when first:
                    await AckReceivedAsync(command);
                    await _doneReleased.Task;
                    await AckDoneAsync(command, AckResult.Ok, Commanded(command.Action));
                    break;
                case StandInBehaviour.Jam when first:
                    await AckReceivedAsync(command);
                    await AckDoneAsync(command, AckResult.Failed, LockState.Jammed, RejectReasons.Jammed);
                    break;
                case StandInBehaviour.RejectClockUnsynced when first:
                    await AckDoneAsync(command, AckResult.Rejected, SensedBefore(command), RejectReasons.ClockUnsynced);
                    break;
                default:
                    break;
            }
        }
#pragma warning disable CA1031 // Kept for the test to assert on: an answer must not vanish silently.
        catch (Exception e)
#pragma warning restore CA1031
        {
            lock (_gate)
            {
                _faults.Add(e);
            }
        }
    }
}
