using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.Telemetry.History;

/// <summary>
/// The time series of readings and events (DuckDB now; InfluxDB later). The ingest writes through this,
/// the key index looks up old keys through it, and a restart replays what the latest state missed.
/// </summary>
public interface IHistoryStore
{
    /// <summary>Writes the batch's items in one transaction: all of them are durable when this returns, or none.</summary>
    Task WriteAsync(CommitBatch batch, CancellationToken cancellationToken);

    /// <summary>The keys of the device's stored readings and events with <paramref name="fromTs"/> ≤ ts ≤ <paramref name="toTs"/>.</summary>
    Task<IReadOnlySet<ItemKey>> FindKeysAsync(string deviceId, long fromTs, long toTs, CancellationToken cancellationToken);

    /// <summary>Every stored key with ts ≥ <paramref name="sinceTs"/>, oldest first (to warm the key index).</summary>
    IAsyncEnumerable<(string DeviceId, ItemKey Key)> ReadKeysSinceAsync(long sinceTs, CancellationToken cancellationToken);

    /// <summary>Answers when the store is reachable and throws when not: a cheap round trip for the health check (no data is read).</summary>
    Task PingAsync(CancellationToken cancellationToken);

    /// <summary>The highest commit id stored; 0 when empty.</summary>
    Task<long> LastCommitIdAsync(CancellationToken cancellationToken);

    /// <summary>
    /// Whether the store holds any item of the commit: replaying the spool skips such a batch, so that a batch
    /// replayed twice (a crash before its segment was deleted) or written late by a timed-out attempt is not
    /// stored twice. A store whose writes are idempotent (a point with the same series and time overwrites
    /// itself) may always answer false.
    /// </summary>
    Task<bool> ContainsCommitAsync(long commitId, CancellationToken cancellationToken);

    /// <summary>Items of the commits after <paramref name="commitId"/>, in commit order.</summary>
    IAsyncEnumerable<CommittedItem> ReadCommittedAfterAsync(long commitId, CancellationToken cancellationToken);

    /// <summary>Deletes readings and events with ts &lt; <paramref name="beforeTs"/>; returns how many.</summary>
    Task<long> DeleteOlderThanAsync(long beforeTs, CancellationToken cancellationToken);
}
