namespace IoTPlatform.Telemetry.Ingest.Steps;

/// <summary>Marks positions the <see cref="GpsCheck"/> does not trust; the readings are still stored.</summary>
public sealed class GpsCheckStep(GpsCheck check, IngestStats stats, TimeProvider time) : IIngestStep
{
    public ValueTask ProcessAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        foreach (var item in message.Items)
        {
            if (item.Reading is { } reading && item.IsToStore && check.Check(message.DeviceId, reading, now) is { } reason)
            {
                item.PositionRejected = reason;
                stats.PositionRejected(reason);
            }
        }

        return ValueTask.CompletedTask;
    }
}
