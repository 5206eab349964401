namespace IoTPlatform.Telemetry.Ingest.Steps;

/// <summary>The last step: hands the items to the <see cref="GroupCommitter"/> and waits until they are durable.</summary>
public sealed class StoreStep(GroupCommitter committer, IngestStats stats) : IIngestStep
{
    public async ValueTask ProcessAsync(IngestMessage message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!message.ItemsToStore.Any())
        {
            return;
        }

        if (await committer.CommitAsync(message).ConfigureAwait(false))
        {
            message.IsDurable = true;
        }
        else
        {
            message.Withhold();
            stats.WithheldOne();
        }
    }
}
