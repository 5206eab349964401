using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.Telemetry.History;

/// <summary>One group commit: the items to store of every message in it, written in one transaction.</summary>
/// <param name="CommitId">Increases by one with every commit; stored with each row so a restart can tell what the latest state has not seen.</param>
/// <param name="Messages">The messages whose <see cref="IngestMessage.ItemsToStore"/> are written.</param>
public sealed record CommitBatch(long CommitId, IReadOnlyList<IngestMessage> Messages)
{
    public int ItemCount => Messages.Sum(m => m.ItemsToStore.Count());
}
