using System.Text;
using IoTPlatform.Broker;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Presence;

/// <summary>
/// The device's retained status message and its will (<c>{"online":false}</c>) are its own word: validated
/// and stored as sent, before the PUBACK. Presence itself comes from the broker's connection events.
/// </summary>
internal sealed class StatusHandler(PresenceStore store, BrokerStats stats, TimeProvider time, ILogger<StatusHandler> logger) : IDeviceMessageHandler
{
    public TopicKind Kind => TopicKind.Status;

    public async ValueTask<PublishOutcome> HandleAsync(DeviceMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var payload = message.Payload;
        if (!PayloadCodec.TryDecodeStatus(payload, out _, out var error))
        {
            stats.Refused("status-" + error.Reason, message.DeviceId);
            Log.StatusRejected(logger, message.DeviceId, error.ToString());
            return PublishOutcome.Rejected;
        }

        var json = Encoding.UTF8.GetString(payload);
        await store.SaveStatusAsync(message.DeviceId, json, time.GetUtcNow(), cancellationToken).ConfigureAwait(false);
        return PublishOutcome.Accepted;
    }
}
