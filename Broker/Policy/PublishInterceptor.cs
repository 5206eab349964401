using IoTPlatform.Broker.Presence;
using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTPlatform.Broker.Policy;

/// <summary>
/// Every device publish, in order: topic ACL (own telemetry, events, status, acks only), exact payload
/// size, per-device rate, then the in-process handler of the topic kind, awaited before the PUBACK.
/// Nothing is routed (<c>ProcessPublish = false</c>): routing checks every subscriber session, O(devices)
/// per message. MQTT 5 refusals carry a PUBACK reason code; MQTT 3.1.1 has none, so where a plain PUBACK
/// would lie (not allowed, not taken) the connection is closed instead and the device keeps its message.
/// </summary>
public sealed class PublishInterceptor
{
    private readonly Dictionary<TopicKind, IDeviceMessageHandler> _handlers;
    private readonly PublishRateLimiter _rateLimiter;
    private readonly PresenceTracker _presence;
    private readonly BrokerStats _stats;
    private readonly ILogger<PublishInterceptor> _logger;
    private readonly int _maxPayloadBytes;

    public PublishInterceptor(
        IEnumerable<IDeviceMessageHandler> handlers,
        PublishRateLimiter rateLimiter,
        PresenceTracker presence,
        BrokerStats stats,
        IOptions<BrokerOptions> options,
        ILogger<PublishInterceptor> logger)
    {
        ArgumentNullException.ThrowIfNull(handlers);
        ArgumentNullException.ThrowIfNull(options);
        _handlers = handlers.ToDictionary(h => h.Kind);
        _rateLimiter = rateLimiter;
        _presence = presence;
        _stats = stats;
        _logger = logger;
        _maxPayloadBytes = options.Value.MaxPayloadBytes;
    }

    public async Task InterceptAsync(InterceptingPublishEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        e.ProcessPublish = false;
        var message = e.ApplicationMessage;
        var v5 = _presence.ProtocolOf(e.ClientId) == MqttProtocolVersion.V500;

        if (!Topics.IsDeviceTopic(message.Topic, e.ClientId, out var kind) || !Topics.DeviceMayPublish(kind))
        {
            Refuse(e, RefusalReasons.PublishNotAllowed, message.Topic, v5 ? MqttPubAckReasonCode.NotAuthorized : null, PresenceReasons.AclViolation);
            return;
        }

        if (message.Payload.Length > _maxPayloadBytes)
        {
            // Within the header allowance the packet got past the connection guard; the payload itself is too large.
            Refuse(e, RefusalReasons.PayloadTooLarge, message.Topic, null, PresenceReasons.PacketTooLarge);
            return;
        }

        if (!_rateLimiter.TryTake(e.ClientId))
        {
            Refuse(e, RefusalReasons.RateLimited, message.Topic, v5 ? MqttPubAckReasonCode.QuotaExceeded : null, PresenceReasons.RateLimited);
            return;
        }

        if (!_handlers.TryGetValue(kind, out var handler))
        {
            // Accepted by the broker, but nothing in this backend consumes the kind yet.
            e.Response.ReasonCode = MqttPubAckReasonCode.NoMatchingSubscribers;
            return;
        }

        PublishOutcome outcome;
        try
        {
            outcome = await handler.HandleAsync(new DeviceMessage(e.ClientId, kind, message.Payload, message.Retain), e.CancellationToken)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (e.CancellationToken.IsCancellationRequested)
        {
            outcome = PublishOutcome.Withheld;
        }
#pragma warning disable CA1031 // A failing handler must not crash the connection loop; the device retries.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.HandlerFailed(_logger, ex, e.ClientId, message.Topic);
            outcome = PublishOutcome.Withheld;
        }

        switch (outcome)
        {
            case PublishOutcome.Accepted:
                e.Response.ReasonCode = MqttPubAckReasonCode.Success;
                break;
            case PublishOutcome.Rejected:
                // Acknowledged either way so a poison message never jams the device's queue.
                e.Response.ReasonCode = MqttPubAckReasonCode.PayloadFormatInvalid;
                break;
            default:
                if (v5)
                {
                    e.Response.ReasonCode = MqttPubAckReasonCode.QuotaExceeded;
                }
                else
                {
                    _presence.ExpectClose(e.ClientId, PresenceReasons.ConnectionLost);
                    e.CloseConnection = true;
                }

                break;
        }
    }

    private void Refuse(InterceptingPublishEventArgs e, string reason, string topic, MqttPubAckReasonCode? v5Code, string presenceReason)
    {
        _stats.Refused(reason, e.ClientId);
        Log.PublishRefused(_logger, e.ClientId, topic, reason);
        if (v5Code is { } code)
        {
            e.Response.ReasonCode = code;
            e.Response.ReasonString = reason;
            return;
        }

        _presence.ExpectClose(e.ClientId, presenceReason);
        e.CloseConnection = true;
    }
}
