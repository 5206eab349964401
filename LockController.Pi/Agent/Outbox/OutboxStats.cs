namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>A snapshot of the outbox. Counters run from <see cref="Outbox.Open"/>; sizes are now.</summary>
/// <param name="Count">Records waiting to be sent and removed.</param>
/// <param name="Bytes">Bytes of those records (headers included).</param>
/// <param name="FileBytes">Bytes of the segment files, which also hold removed records until their segment is deleted or rewritten; bounded by <see cref="OutboxOptions.MaxBytes"/>.</param>
/// <param name="Segments">Segment files.</param>
/// <param name="Appended">Records appended.</param>
/// <param name="Removed">Records removed after their PUBACK.</param>
/// <param name="DroppedReadings">Readings dropped at the bound.</param>
/// <param name="DroppedEvents">Events dropped at the bound (only when no reading was left to drop).</param>
/// <param name="DroppedAcks">Acks dropped at the bound (only when no reading was left to drop).</param>
/// <param name="TornRecordsRepaired">Torn or corrupt records cut off at open (with whatever followed them in their segment).</param>
/// <param name="TornBytesCut">Bytes cut off with them.</param>
/// <param name="CursorResets">Times the ack cursor was unreadable at open, so every record on disk is sent again.</param>
/// <param name="AppendFailures">Appends that failed on a disk error (the caller got the exception).</param>
/// <param name="SyncFailures">Deferred flushes (grouped readings, the cursor) that failed and were retried.</param>
public sealed record OutboxStats(
    int Count,
    long Bytes,
    long FileBytes,
    int Segments,
    long Appended,
    long Removed,
    long DroppedReadings,
    long DroppedEvents,
    long DroppedAcks,
    long TornRecordsRepaired,
    long TornBytesCut,
    long CursorResets,
    long AppendFailures,
    long SyncFailures)
{
    /// <summary>Everything dropped at the bound.</summary>
    public long Dropped => DroppedReadings + DroppedEvents + DroppedAcks;
}
