using IoTPlatform.Telemetry.History;

namespace IoTPlatform.Telemetry.Spool;

/// <summary>A sealed spool segment taken for replay: its batches in commit order. Removed once all of them are in the store.</summary>
/// <param name="Number">The segment's number (its file name); pass it to <see cref="HistorySpool.Remove"/>.</param>
/// <param name="Batches">The segment's batches, oldest first.</param>
public sealed record SpooledSegment(long Number, IReadOnlyList<CommitBatch> Batches);
