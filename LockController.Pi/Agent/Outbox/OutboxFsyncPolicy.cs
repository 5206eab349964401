namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>When the outbox flushes its files to the disk (fsync); <c>Outbox:FsyncPolicy</c>. See docs/firmware-outbox.md for the loss windows.</summary>
public enum OutboxFsyncPolicy
{
    /// <summary>
    /// Events and acks are flushed before their append returns; readings are flushed together at most
    /// <see cref="OutboxOptions.FsyncIntervalMilliseconds"/> after they were appended, and removals (the ack
    /// cursor) on the same interval. A power cut loses at most that interval's readings, and sends that
    /// interval's removed records once more. The default.
    /// </summary>
    Grouped,

    /// <summary>Every append and every removal is flushed before it returns. Nothing is lost or sent twice; the most writes to the card.</summary>
    Always,

    /// <summary>
    /// Never flushed by the outbox: the kernel writes back when it likes (Linux: within about 30 s). A process crash loses
    /// nothing; a power cut loses up to that much of everything. For development machines and card tests.
    /// </summary>
    None,
}
