namespace IoTPlatform.DeviceGateway.Ingest;

/// <summary>Body of <c>GET /api/ingest/stats</c>; counts since the backend started.</summary>
/// <param name="Readings">Readings stored.</param>
/// <param name="Events">Events stored.</param>
/// <param name="Commits">Group commits to the history store.</param>
/// <param name="ItemsPerCommit">Readings and events per commit, on average.</param>
/// <param name="LastCommitItems">Items in the last commit.</param>
/// <param name="LastCommitMilliseconds">Time of the last commit (history and latest state).</param>
/// <param name="CommitFailures">Commits neither the history store nor the spool took (their PUBACKs were withheld).</param>
/// <param name="Duplicates">Readings and events received again (same device, seq, ts) and stored once.</param>
/// <param name="Withheld">Publishes whose PUBACK was withheld so that the device retries.</param>
/// <param name="Rejected">Refused payloads and items by reason (decode and validation codes).</param>
/// <param name="RejectedDevices">The devices with the most refusals, most first.</param>
/// <param name="PositionsRejected">Stored readings whose position the GPS check did not trust, by reason.</param>
/// <param name="DedupKeysInMemory">Recent keys held in memory for de-duplication.</param>
/// <param name="SpooledBatches">Batches in the history spool now, waiting for the history store.</param>
/// <param name="SpoolBytes">Bytes of the spool's segment files.</param>
/// <param name="ReplayedBatches">Batches replayed from the spool into the history store since start.</param>
/// <param name="SpoolTornRecords">Torn spool records found and cut off since start (a crash in the middle of an append).</param>
public sealed record IngestStatsResponse(
    long Readings,
    long Events,
    long Commits,
    double ItemsPerCommit,
    long LastCommitItems,
    double LastCommitMilliseconds,
    long CommitFailures,
    long Duplicates,
    long Withheld,
    IReadOnlyDictionary<string, long> Rejected,
    IReadOnlyList<DeviceRejects> RejectedDevices,
    IReadOnlyDictionary<string, long> PositionsRejected,
    long DedupKeysInMemory,
    long SpooledBatches,
    long SpoolBytes,
    long ReplayedBatches,
    long SpoolTornRecords);
