using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet;
using MQTTnet.Protocol;

namespace IoTPlatform.LockController.Pi.Agent.Mqtt;

/// <summary>
/// Drains the outbox in order while connected: each record is published QoS 1 on its topic and removed on its PUBACK
/// whatever the reason code — success, or a refusal (0x99 malformed, 0x87 not authorised, …), which is logged with its
/// reason and counted and never retried, so one poison record cannot jam the queue — except 0x97 (quota exceeded: the
/// backend could not make it durable), which is sent again after a jittered, doubling pause. A publish that fails
/// because the connection dropped leaves the record at the head for the next connection. Sends one at a time:
/// order is kept across reconnects.
/// </summary>
public sealed class OutboxSender : BackgroundService
{
    private const int BatchSize = 32;
    private readonly Outbox.Outbox _outbox;
    private readonly MqttLink _link;
    private readonly MqttOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _deviceId;
    private readonly WakeSignal _appended = new();
    private long _sent;
    private long _rejected;
    private long _withheld;

    /// <summary>A sender of <paramref name="outbox"/> over <paramref name="link"/>.</summary>
    public OutboxSender(Outbox.Outbox outbox, MqttLink link, IOptions<DeviceOptions> device, IOptions<MqttOptions> options, TimeProvider time, ILogger<OutboxSender> logger)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(link);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _outbox = outbox;
        _link = link;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _deviceId = device.Value.Id;
    }

    /// <summary>Records acknowledged with success and removed.</summary>
    public long Sent => Interlocked.Read(ref _sent);

    /// <summary>Records the broker refused (removed, not retried).</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>PUBACKs with 0x97 (the record was kept and sent again).</summary>
    public long Withheld => Interlocked.Read(ref _withheld);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        _outbox.Appended += _appended.Set;
        try
        {
            int quotaStreak = 0;
            while (!stoppingToken.IsCancellationRequested)
            {
                await _link.WaitConnectedAsync(stoppingToken).ConfigureAwait(false);
                IReadOnlyList<Outbox.OutboxRecord> batch = _outbox.Peek(BatchSize);
                if (batch.Count == 0)
                {
                    await _appended.WaitAsync(stoppingToken).ConfigureAwait(false);
                    continue;
                }
                foreach (Outbox.OutboxRecord record in batch)
                {
                    Outcome outcome = await SendAsync(record, stoppingToken).ConfigureAwait(false);
                    if (outcome == Outcome.Withheld)
                    {
                        TimeSpan delay = QuotaDelay(quotaStreak++);
                        Log.RecordWithheld(_logger, Topics.LevelName(record.Kind), record.Id, delay);
                        await Task.Delay(delay, _time, stoppingToken).ConfigureAwait(false);
                        break;
                    }
                    quotaStreak = 0;
                    if (outcome == Outcome.Failed)
                    {
                        // The connection dropped (or the publish timed out): wait for the next one; a short pause
                        // keeps a half-open connection from spinning.
                        await Task.Delay(TimeSpan.FromMilliseconds(200), _time, stoppingToken).ConfigureAwait(false);
                        break;
                    }
                    await _outbox.RemoveAsync(record.Id, stoppingToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            _outbox.Appended -= _appended.Set;
        }
    }

    private async Task<Outcome> SendAsync(Outbox.OutboxRecord record, CancellationToken cancellationToken)
    {
        string kind = Topics.LevelName(record.Kind);
        MqttClientPublishResult result;
        try
        {
            result = await _link.Client.PublishAsync(new MqttApplicationMessageBuilder()
                .WithTopic(Topics.For(_deviceId, record.Kind))
                .WithPayload(record.Payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is MQTTnet.Exceptions.MqttCommunicationException or IOException or TimeoutException
            || e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            Log.PublishFailed(_logger, kind, record.Id, e.Message);
            return Outcome.Failed;
        }
        switch (result.ReasonCode)
        {
            case MqttClientPublishReasonCode.Success or MqttClientPublishReasonCode.NoMatchingSubscribers:
                Interlocked.Increment(ref _sent);
                Log.RecordSent(_logger, kind, record.Id, (int)result.ReasonCode);
                return Outcome.Acknowledged;
            case MqttClientPublishReasonCode.QuotaExceeded:
                Interlocked.Increment(ref _withheld);
                return Outcome.Withheld;
            default:
                Interlocked.Increment(ref _rejected);
                Log.RecordRejected(_logger, kind, record.Id, $"{result.ReasonCode} (0x{(int)result.ReasonCode:X2})", result.ReasonString ?? "");
                return Outcome.Acknowledged;
        }
    }

    private TimeSpan QuotaDelay(int streak)
    {
        double baseMs = _options.QuotaRetryDelayMilliseconds, maxMs = Math.Max(baseMs, _options.QuotaRetryMaxDelayMilliseconds);
        double ms = Math.Min(maxMs, baseMs * Math.Pow(2, Math.Min(streak, 30)));
        // Jitter: 50–100 % of the step, so a fleet held back together does not come back together.
#pragma warning disable CA5394 // Jitter, not security.
        return TimeSpan.FromMilliseconds(ms * (0.5 + Random.Shared.NextDouble() / 2));
#pragma warning restore CA5394
    }

    private enum Outcome
    {
        Acknowledged,
        Withheld,
        Failed,
    }
}
