namespace IoTPlatform.Telemetry.Ingest.Steps;

/// <summary>Drops what was stored before (same device, seq and ts) and reserves the rest in the <see cref="KeyIndex"/>.</summary>
public sealed class DeduplicateStep(KeyIndex keys, IngestStats stats) : IIngestStep
{
    public async ValueTask ProcessAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        await keys.ReserveAsync(message, cancellationToken).ConfigureAwait(false);
        var duplicates = message.Items.Count(i => i.IsDuplicate);
        if (duplicates > 0)
        {
            stats.Duplicate(duplicates);
        }
    }
}
