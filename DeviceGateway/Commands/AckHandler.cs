using IoTPlatform.Broker;
using IoTPlatform.DeviceGateway.Ingest;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>
/// A device's publish on <c>v1/devices/{id}/acks</c>: decoded, validated and applied to the ledger before the PUBACK.
/// Malformed acks are counted and answered 0x99 (so the device's queue moves on); unknown and duplicate ones are
/// counted and acknowledged normally; when a jam could not be stored now, the PUBACK is withheld and the device
/// sends the ack again.
/// </summary>
public sealed class AckHandler(CommandService commands, DeviceShapes shapes, TimeProvider time) : IDeviceMessageHandler
{
    public TopicKind Kind => TopicKind.Acks;

    public async ValueTask<PublishOutcome> HandleAsync(DeviceMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!PayloadCodec.TryDecodeAck(message.Payload, out var ack, out var decodeError))
        {
            commands.Ignored(CommandStats.AckKinds.Malformed, message.DeviceId, null, decodeError.ToString());
            return PublishOutcome.Rejected;
        }

        var slots = await shapes.GetAsync(message.DeviceId, cancellationToken).ConfigureAwait(false) is { } shape ? shape.Slots : 0;
        if (!PayloadValidator.Validate(ack, time.GetUtcNow().ToUnixTimeMilliseconds(), slots, out var invalid))
        {
            commands.Ignored(CommandStats.AckKinds.Malformed, message.DeviceId, ack, invalid.ToString());
            return PublishOutcome.Rejected;
        }

        return await commands.ApplyAckAsync(message.DeviceId, ack, cancellationToken).ConfigureAwait(false) ? PublishOutcome.Accepted : PublishOutcome.Withheld;
    }
}
