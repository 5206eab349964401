using System.Buffers;
using IoTPlatform.DeviceProtocol;
using MQTTnet;
using MQTTnet.Diagnostics.PacketInspection;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>
/// The firmware's MQTT client with a seam in it (registered as the agent's <see cref="IMqttClient"/>, so
/// <c>MqttLink</c> takes it): records every reading seq published and every one the broker acked, every command
/// received, and injects the ack faults on <c>v1/devices/{id}/acks</c> — <c>drop-ack</c> (the ack is lost after the
/// device let it go: a PUBACK is faked and nothing is sent), <c>duplicate-ack</c> (sent twice), <c>delay-ack</c>
/// (PUBACK faked now, sent for real one second after its command's expiry).
/// </summary>
internal sealed class FaultyMqttClient : IMqttClient
{
    private readonly IMqttClient _inner;
    private readonly DeviceLedger _ledger;
    private readonly FaultPlan _faults;
    private readonly FaultCounters _counters;
    private readonly Random _random;
    private readonly TimeProvider _time;
    private readonly CancellationTokenSource _disposed = new();
    private int _disposeCount;

    public FaultyMqttClient(IMqttClient inner, DeviceLedger ledger, FaultPlan faults, FaultCounters counters, Random random, TimeProvider time)
    {
        _inner = inner;
        _ledger = ledger;
        _faults = faults;
        _counters = counters;
        _random = random;
        _time = time;
        _inner.ApplicationMessageReceivedAsync += OnReceivedAsync;
    }

    public bool IsConnected => _inner.IsConnected;

    public MqttClientOptions Options => _inner.Options;

    public event Func<MqttApplicationMessageReceivedEventArgs, Task> ApplicationMessageReceivedAsync
    {
        add => _inner.ApplicationMessageReceivedAsync += value;
        remove => _inner.ApplicationMessageReceivedAsync -= value;
    }

    public event Func<MqttClientConnectedEventArgs, Task> ConnectedAsync
    {
        add => _inner.ConnectedAsync += value;
        remove => _inner.ConnectedAsync -= value;
    }

    public event Func<MqttClientConnectingEventArgs, Task> ConnectingAsync
    {
        add => _inner.ConnectingAsync += value;
        remove => _inner.ConnectingAsync -= value;
    }

    public event Func<MqttClientDisconnectedEventArgs, Task> DisconnectedAsync
    {
        add => _inner.DisconnectedAsync += value;
        remove => _inner.DisconnectedAsync -= value;
    }

    public event Func<InspectMqttPacketEventArgs, Task> InspectPacketAsync
    {
        add => _inner.InspectPacketAsync += value;
        remove => _inner.InspectPacketAsync -= value;
    }

    public async Task<MqttClientConnectResult> ConnectAsync(MqttClientOptions options, CancellationToken cancellationToken = default)
    {
        MqttClientConnectResult result = await _inner.ConnectAsync(options, cancellationToken).ConfigureAwait(false);
        if (result.ResultCode == MqttClientConnectResultCode.Success)
            _ledger.Connected();
        return result;
    }

    public Task DisconnectAsync(MqttClientDisconnectOptions options, CancellationToken cancellationToken = default) => _inner.DisconnectAsync(options, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken = default) => _inner.PingAsync(cancellationToken);

    public Task SendEnhancedAuthenticationExchangeDataAsync(MqttEnhancedAuthenticationExchangeData data, CancellationToken cancellationToken = default) =>
        _inner.SendEnhancedAuthenticationExchangeDataAsync(data, cancellationToken);

    public Task<MqttClientSubscribeResult> SubscribeAsync(MqttClientSubscribeOptions options, CancellationToken cancellationToken = default) => _inner.SubscribeAsync(options, cancellationToken);

    public Task<MqttClientUnsubscribeResult> UnsubscribeAsync(MqttClientUnsubscribeOptions options, CancellationToken cancellationToken = default) => _inner.UnsubscribeAsync(options, cancellationToken);

    public async Task<MqttClientPublishResult> PublishAsync(MqttApplicationMessage applicationMessage, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(applicationMessage);
        string topic = applicationMessage.Topic;
        if (topic.EndsWith("/acks", StringComparison.Ordinal) && PayloadCodec.TryDecodeAck(applicationMessage.Payload, out CommandAck? ack, out _))
            return await PublishAckAsync(applicationMessage, ack, cancellationToken).ConfigureAwait(false);

        long[] seqs = SeqsOf(topic, applicationMessage.Payload);
        foreach (long seq in seqs)
            _ledger.Sent(seq);
        MqttClientPublishResult result = await _inner.PublishAsync(applicationMessage, cancellationToken).ConfigureAwait(false);
        if (result.IsSuccess)
        {
            foreach (long seq in seqs)
                _ledger.Acked(seq);
        }
        return result;
    }

    private async Task<MqttClientPublishResult> PublishAckAsync(MqttApplicationMessage message, CommandAck ack, CancellationToken cancellationToken)
    {
        double draw;
        lock (_random)
            draw = _random.NextDouble();
        double drop = _faults.Rate(FaultPlan.DropAck), duplicate = drop + _faults.Rate(FaultPlan.DuplicateAck), delay = duplicate + _faults.Rate(FaultPlan.DelayAck);
        if (draw < drop)
        {
            _counters.Count(FaultPlan.DropAck);
            _ledger.AckDropped(ack.Id, ack.Stage);
            return Faked();
        }
        if (draw < duplicate)
        {
            MqttClientPublishResult first = await _inner.PublishAsync(message, cancellationToken).ConfigureAwait(false);
            if (!first.IsSuccess)
                return first;
            _counters.Count(FaultPlan.DuplicateAck);
            return await _inner.PublishAsync(message, cancellationToken).ConfigureAwait(false);
        }
        if (draw < delay && _ledger.ExpiryOf(ack.Id) is { } expiresAt)
        {
            _counters.Count(FaultPlan.DelayAck);
            _ = SendLateAsync(message, ack, expiresAt.AddSeconds(1));
            return Faked();
        }
        return await _inner.PublishAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Sends a held ack once <paramref name="at"/> has passed and the link is up; if it never can, it was lost.</summary>
    private async Task SendLateAsync(MqttApplicationMessage message, CommandAck ack, DateTimeOffset at)
    {
        CancellationToken stop;
        try
        {
            stop = _disposed.Token;
        }
        catch (ObjectDisposedException)
        {
            _ledger.AckDropped(ack.Id, ack.Stage);
            return;
        }
        try
        {
            TimeSpan wait = at - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, _time, stop).ConfigureAwait(false);
            for (int attempt = 0; attempt < 60; attempt++)
            {
                if (_inner.IsConnected)
                {
                    try
                    {
                        if ((await _inner.PublishAsync(message, stop).ConfigureAwait(false)).IsSuccess)
                            return;
                    }
                    catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or IOException or TimeoutException)
                    {
                        // Try again while the link comes back.
                    }
                }
                await Task.Delay(TimeSpan.FromMilliseconds(500), _time, stop).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (ObjectDisposedException)
        {
        }
        _ledger.AckDropped(ack.Id, ack.Stage);
    }

    private static MqttClientPublishResult Faked() => new(null, MqttClientPublishReasonCode.Success, null, []);

    private Task OnReceivedAsync(MqttApplicationMessageReceivedEventArgs e)
    {
        if (e.ApplicationMessage.Topic.EndsWith("/commands", StringComparison.Ordinal)
            && PayloadCodec.TryDecodeCommand(e.ApplicationMessage.Payload, out DeviceCommand? command, out _))
            _ledger.CommandSeen(command.Id, DateTimeOffset.FromUnixTimeMilliseconds(command.ExpiresAt));
        return Task.CompletedTask;
    }

    /// <summary>The seqs of the readings or events in a payload; none for any other topic.</summary>
    internal static long[] SeqsOf(string topic, in ReadOnlySequence<byte> payload)
    {
        if (topic.EndsWith("/telemetry", StringComparison.Ordinal) && PayloadCodec.TryDecodeReadings(payload, out IReadOnlyList<Reading>? readings, out _))
            return [.. readings.Select(r => r.Seq)];
        if (topic.EndsWith("/events", StringComparison.Ordinal) && PayloadCodec.TryDecodeEvents(payload, out IReadOnlyList<DeviceEvent>? events, out _))
            return [.. events.Select(e => e.Seq)];
        return [];
    }

    public void Dispose()
    {
        // Disposed twice: by the agent's MqttLink and by its container.
        if (Interlocked.Exchange(ref _disposeCount, 1) != 0)
            return;
        _disposed.Cancel();
        _inner.ApplicationMessageReceivedAsync -= OnReceivedAsync;
        _inner.Dispose();
        _disposed.Dispose();
    }
}
