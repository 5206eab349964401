using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.Telemetry.Tests.Infrastructure;

/// <summary>
/// The real history store with a hand on its writes: a write can be held at a gate (a commit caught in
/// the middle) and made to fail (a full disk). Everything else goes straight through.
/// </summary>
public sealed class ControlledHistory(IHistoryStore inner) : IHistoryStore
{
    /// <summary>Completes when a write has started.</summary>
    public TaskCompletionSource WriteStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Writes wait for this task, when set.</summary>
    public Task? Gate { get; set; }

    /// <summary>Writes throw while this is true.</summary>
    public bool Failing { get; set; }

    public async Task WriteAsync(CommitBatch batch, CancellationToken cancellationToken)
    {
        WriteStarted.TrySetResult();
        if (Gate is { } gate)
        {
            await gate;
        }

        if (Failing)
        {
            throw new IOException("No space left on device (simulated).");
        }

        await inner.WriteAsync(batch, cancellationToken);
    }

    public Task<IReadOnlySet<ItemKey>> FindKeysAsync(string deviceId, long fromTs, long toTs, CancellationToken cancellationToken) =>
        inner.FindKeysAsync(deviceId, fromTs, toTs, cancellationToken);

    public IAsyncEnumerable<(string DeviceId, ItemKey Key)> ReadKeysSinceAsync(long sinceTs, CancellationToken cancellationToken) =>
        inner.ReadKeysSinceAsync(sinceTs, cancellationToken);

    public Task PingAsync(CancellationToken cancellationToken) => inner.PingAsync(cancellationToken);

    public Task<long> LastCommitIdAsync(CancellationToken cancellationToken) => inner.LastCommitIdAsync(cancellationToken);

    public Task<bool> ContainsCommitAsync(long commitId, CancellationToken cancellationToken) =>
        Failing ? throw new IOException("No space left on device (simulated).") : inner.ContainsCommitAsync(commitId, cancellationToken);

    public IAsyncEnumerable<CommittedItem> ReadCommittedAfterAsync(long commitId, CancellationToken cancellationToken) =>
        inner.ReadCommittedAfterAsync(commitId, cancellationToken);

    public Task<long> DeleteOlderThanAsync(long beforeTs, CancellationToken cancellationToken) => inner.DeleteOlderThanAsync(beforeTs, cancellationToken);
}
