using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.Telemetry.Ingest.Steps;

/// <summary>Decodes the payload: one reading (event) or an array of them. A payload that does not decode is refused whole.</summary>
public sealed class DecodeStep(IngestStats stats, ILogger<DecodeStep> logger) : IIngestStep
{
    public ValueTask ProcessAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        DecodeError? error;
        if (message.Topic == TopicKind.Telemetry)
        {
            if (PayloadCodec.TryDecodeReadings(message.Payload, out var readings, out error))
            {
                message.Items.AddRange(readings.Select(r => new IngestItem(r)));
                return ValueTask.CompletedTask;
            }
        }
        else if (PayloadCodec.TryDecodeEvents(message.Payload, out var events, out error))
        {
            message.Items.AddRange(events.Select(e => new IngestItem(e)));
            return ValueTask.CompletedTask;
        }

        message.RejectPayload(error.Reason);
        stats.Rejected(error.Reason, message.DeviceId);
        Log.PayloadRejected(logger, message.DeviceId, message.Topic.ToString(), error.ToString());
        return ValueTask.CompletedTask;
    }
}
