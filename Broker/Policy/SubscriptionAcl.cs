using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTPlatform.Broker.Policy;

/// <summary>
/// A device subscribes only to its own <c>v1/devices/{id}/commands</c>. Anything else — another device's
/// topic, <c>+</c>, <c>#</c>, <c>$share/…</c>, <c>$SYS</c> — gets a failure code in the SUBACK.
/// </summary>
public sealed class SubscriptionAcl(BrokerStats stats, ILogger<SubscriptionAcl> logger)
{
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
        stats.Refused(RefusalReasons.SubscribeNotAllowed, e.ClientId);
        Log.SubscribeRefused(logger, e.ClientId, filter, RefusalReasons.SubscribeNotAllowed);
        return Task.CompletedTask;
    }
}
