using IoTPlatform.Broker;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.DeviceGateway.Ingest;

/// <summary>
/// Where the broker hands a device's <c>telemetry</c> or <c>events</c> publish to the ingest pipeline. It
/// is awaited before the PUBACK: accepted means durable.
/// </summary>
public sealed class IngestHandler(TopicKind kind, IngestPipeline pipeline, DeviceShapes shapes, TimeProvider time) : IDeviceMessageHandler
{
    public TopicKind Kind { get; } = kind;

    public async ValueTask<PublishOutcome> HandleAsync(DeviceMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (await shapes.GetAsync(message.DeviceId, cancellationToken).ConfigureAwait(false) is not { } shape)
        {
            return PublishOutcome.Rejected;
        }

        var ingest = new IngestMessage(message.DeviceId, shape.Kind, shape.Slots, Kind, message.Payload, time.GetUtcNow().ToUnixTimeMilliseconds());
        return await pipeline.RunAsync(ingest, cancellationToken).ConfigureAwait(false) switch
        {
            IngestOutcome.Accepted => PublishOutcome.Accepted,
            IngestOutcome.Rejected => PublishOutcome.Rejected,
            _ => PublishOutcome.Withheld,
        };
    }
}
