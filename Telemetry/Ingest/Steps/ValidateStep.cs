using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.Telemetry.Ingest.Steps;

/// <summary>Checks each item against protocol v1 (ranges, slots of this kiosk, ts not far in the future). A bad item is refused alone.</summary>
public sealed class ValidateStep(IngestStats stats, TimeProvider time, ILogger<ValidateStep> logger) : IIngestStep
{
    public ValueTask ProcessAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var item in message.Items)
        {
            var valid = item.Reading is { } reading
                ? PayloadValidator.Validate(reading, now, message.SlotCount, out var error)
                : PayloadValidator.Validate(item.Event!, now, message.SlotCount, out error);
            if (!valid)
            {
                item.Reject(error!.Reason);
                stats.Rejected(error.Reason, message.DeviceId);
                Log.ItemRejected(logger, message.DeviceId, item.Key.Seq, item.Key.Ts, error.ToString());
            }
        }

        return ValueTask.CompletedTask;
    }
}
