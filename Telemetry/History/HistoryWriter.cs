using Polly;

namespace IoTPlatform.Telemetry.History;

/// <summary>Writes a batch to the history store through the "history-write" pipeline, never twice.</summary>
public sealed class HistoryWriter(IHistoryStore history, ResiliencePipeline pipeline)
{
    public IHistoryStore Store => history;

    /// <summary>
    /// Writes the batch; false when the store already held it (nothing written). A retry — and any attempt
    /// when <paramref name="checkFirst"/> — first asks the store whether it has the commit, since a failed or
    /// timed-out attempt may have reached it. Throws when the pipeline gives up (or its circuit is open).
    /// </summary>
    public async Task<bool> WriteAsync(CommitBatch batch, bool checkFirst, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var attempt = 0;
        return await pipeline.ExecuteAsync(
            async token =>
            {
                if ((checkFirst || attempt++ > 0) && await history.ContainsCommitAsync(batch.CommitId, token).ConfigureAwait(false))
                {
                    return false;
                }

                await history.WriteAsync(batch, token).ConfigureAwait(false);
                return true;
            },
            cancellationToken).ConfigureAwait(false);
    }
}
