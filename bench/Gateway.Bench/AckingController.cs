using System.Net;
using IoTPlatform.DeviceProtocol;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// A lock controller for the command bench on an MQTTnet 5 client: subscribed QoS 1 to its own
/// <c>v1/devices/{id}/commands</c>, it answers every command at once with <c>received</c> and then <c>done</c>
/// (<c>ok</c>, the lock as commanded) on <c>v1/devices/{id}/acks</c>. It does not check signatures, clocks or
/// repeats and moves nothing: what is measured is the backend's side. Answers run off the client's receive path
/// (a QoS 1 publish awaited inside the receive handler would wait for its own PUBACK behind itself).
/// </summary>
internal sealed class AckingController : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly string _acks;
    private long _answered;
    private long _failures;
    private long _answering;

    private AckingController(IMqttClient client, string deviceId)
    {
        _client = client;
        _acks = Topics.Acks(deviceId);
        client.ApplicationMessageReceivedAsync += e =>
        {
            if (PayloadCodec.TryDecodeCommand(e.ApplicationMessage.Payload, out var command, out _))
            {
                Interlocked.Increment(ref _answering);
                _ = Task.Run(() => AnswerAsync(command));
            }
            else
            {
                Interlocked.Increment(ref _failures);
            }

            return Task.CompletedTask;
        };
    }

    /// <summary>Commands answered with both acks.</summary>
    public long Answered => Interlocked.Read(ref _answered);

    /// <summary>Undecodable commands and acks the broker did not take.</summary>
    public long Failures => Interlocked.Read(ref _failures);

    public static async Task<AckingController> ConnectAsync(MqttClientFactory factory, IPEndPoint broker, string id, string secret, CancellationToken cancellationToken)
    {
        var (client, _) = await MqttNetPublisher.ConnectClientAsync(factory, broker, id, secret, cancellationToken);

        // Listening before subscribing: no command can arrive unheard.
        var controller = new AckingController(client, id);
        var subscribed = await client.SubscribeAsync(
            new MqttClientSubscribeOptionsBuilder().WithTopicFilter(Topics.Commands(id), MqttQualityOfServiceLevel.AtLeastOnce).Build(), cancellationToken);
        if (subscribed.Items.Single().ResultCode != MqttClientSubscribeResultCode.GrantedQoS1)
        {
            client.Dispose();
            throw new InvalidOperationException($"{id}: SUBSCRIBE to its commands refused with {subscribed.Items.Single().ResultCode}.");
        }

        return controller;
    }

    /// <summary>Waits until no answer is on its way (the last commands' acks still wait for their PUBACKs when the riders stop).</summary>
    public async Task SettleAsync(CancellationToken cancellationToken)
    {
        while (Interlocked.Read(ref _answering) > 0)
        {
            await Task.Delay(10, cancellationToken);
        }
    }

    public Task DisconnectAsync(CancellationToken cancellationToken) =>
        _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken);

    public ValueTask DisposeAsync()
    {
        _client.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task AnswerAsync(DeviceCommand command)
    {
        var commanded = command.Action is CommandAction.Unlock or CommandAction.Release ? LockState.Unlocked : LockState.Locked;
        var before = commanded == LockState.Unlocked ? LockState.Locked : LockState.Unlocked;
        var answered = false;
        try
        {
            answered = await PublishAsync(new CommandAck { Id = command.Id, Stage = AckStage.Received, Lock = before, Slot = command.Slot, Ts = NowMs() })
                && await PublishAsync(new CommandAck { Id = command.Id, Stage = AckStage.Done, Result = AckResult.Ok, Lock = commanded, Slot = command.Slot, Ts = NowMs() });
        }
#pragma warning disable CA1031 // Counted: the run fails on any.
        catch (Exception)
#pragma warning restore CA1031
        {
            answered = false;
        }
        finally
        {
            Interlocked.Increment(ref answered ? ref _answered : ref _failures);
            Interlocked.Decrement(ref _answering);
        }
    }

    private async Task<bool> PublishAsync(CommandAck ack)
    {
        var result = await _client.PublishAsync(new MqttApplicationMessageBuilder()
            .WithTopic(_acks)
            .WithPayload(PayloadCodec.Encode(ack))
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .Build());
        return result.IsSuccess;
    }

    private static long NowMs() => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
}
