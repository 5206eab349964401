using IoTPlatform.Telemetry.History;

namespace IoTPlatform.Telemetry.Ingest;

/// <summary>
/// Told of every group commit after the history store made it durable and before the devices get their
/// PUBACKs (the latest state). A failure here is logged and does not fail the commit: the history is
/// the truth and the observer catches up from it.
/// </summary>
public interface ICommitObserver
{
    ValueTask OnCommittedAsync(CommitBatch batch, CancellationToken cancellationToken);
}
