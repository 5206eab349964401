using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;
using MQTTnet.Packets;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTPlatform.Broker.Policy;

/// <summary>
/// A device subscribes only to its own <c>v1/devices/{id}/commands</c>. Anything else — another device's
/// topic, <c>+</c>, <c>#</c>, <c>$share/…</c>, <c>$SYS</c> — gets a failure code in the SUBACK.
/// MQTTnet answers <c>$share/…</c> itself (0x9E, shared subscriptions not supported) without asking the
/// interceptor, so those are counted from the inbound SUBSCRIBE packet.
/// </summary>
public sealed class SubscriptionAcl(BrokerStats stats, ILogger<SubscriptionAcl> logger)
{
    private const string SharedPrefix = "$share/";

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

    /// <summary>Counts the shared-subscription filters of a SUBSCRIBE, which never reach <see cref="InterceptAsync"/>.</summary>
    public Task InspectInboundAsync(InterceptingPacketEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        if (e.Packet is MqttSubscribePacket subscribe)
        {
            foreach (var filter in subscribe.TopicFilters)
            {
                if (filter.Topic.StartsWith(SharedPrefix, StringComparison.Ordinal))
                {
                    Refused(e.ClientId, filter.Topic);
                }
            }
        }

        return Task.CompletedTask;
    }

    private void Refused(string clientId, string filter)
    {
        stats.Refused(RefusalReasons.SubscribeNotAllowed, clientId);
        Log.SubscribeRefused(logger, clientId, filter, RefusalReasons.SubscribeNotAllowed);
    }
}
