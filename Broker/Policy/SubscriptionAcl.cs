using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTPlatform.Broker.Policy;

/// <summary>
/// A device subscribes only to its own <c>v1/devices/{id}/commands</c>. Anything else — another device's
/// topic, <c>+</c>, <c>#</c>, <c>$share/…</c>, <c>$SYS</c> — gets a failure code in the SUBACK, and is counted
/// and logged as <see cref="RefusalReasons.SubscribeNotAllowed"/>.
/// </summary>
public sealed class SubscriptionAcl(BrokerStats stats, ILogger<SubscriptionAcl> logger)
{
    private const string SharedPrefix = "$share/";

    /// <summary>
    /// MQTTnet refuses a <c>$share/…</c> filter itself (SUBACK 0x9E Shared Subscriptions not supported; 3.1.1:
    /// 0x80) and never calls <see cref="InterceptAsync"/> for it. Counts and logs those refusals from the inbound
    /// SUBSCRIBE packet instead, so that they are not invisible in the stats. Changes nothing in the packet.
    /// </summary>
    public Task InspectInboundAsync(InterceptingPacketEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Packet is MqttSubscribePacket subscribe)
        {
            foreach (var topicFilter in subscribe.TopicFilters)
            {
                if (topicFilter.Topic is { } filter && filter.StartsWith(SharedPrefix, StringComparison.Ordinal))
                {
                    Refused(e.ClientId, filter);
                }
            }
        }

        return Task.CompletedTask;
    }

    public Task InterceptAsync(InterceptingSubscriptionEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var filter = e.TopicFilter.Topic;
        if (Topics.IsDeviceTopic(filter, e.ClientId, out var kind) && Topics.DeviceMaySubscribe(kind))
        {
            return Task.CompletedTask;
        }

        e.Response.ReasonCode = MqttSubscribeReasonCode.NotAuthorized;
        e.Response.ReasonString = RefusalReasons.SubscribeNotAllowed;
        e.ProcessSubscription = false;
        Refused(e.ClientId, filter);
        return Task.CompletedTask;
    }

    private void Refused(string deviceId, string filter)
    {
        stats.Refused(RefusalReasons.SubscribeNotAllowed, deviceId);
        Log.SubscribeRefused(logger, deviceId, filter, RefusalReasons.SubscribeNotAllowed);
    }
}
