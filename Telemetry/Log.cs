using Microsoft.Extensions.Logging;

namespace IoTPlatform.Telemetry;

/// <summary>Every log line of the telemetry ingest, source-generated.</summary>
internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Error, "Group commit of {Messages} message(s), {Items} item(s) failed: neither the history store nor the spool took it; their PUBACKs are withheld so the devices retry.")]
    public static partial void CommitFailed(ILogger logger, int messages, int items);

    [LoggerMessage(301, LogLevel.Error, "{Observer} failed on commit {CommitId}; it catches up from the history store.")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string observer, long commitId);

    [LoggerMessage(302, LogLevel.Warning, "Device {DeviceId}: {Topic} payload rejected: {Error}")]
    public static partial void PayloadRejected(ILogger logger, string deviceId, string topic, string error);

    [LoggerMessage(303, LogLevel.Information, "Device {DeviceId}: item seq {Seq} ts {Ts} rejected: {Error}")]
    public static partial void ItemRejected(ILogger logger, string deviceId, long seq, long ts, string error);

    [LoggerMessage(304, LogLevel.Warning, "History write of commit {CommitId} failed ({Messages} message(s), {Items} item(s)); it goes to the spool.")]
    public static partial void HistoryWriteFailed(ILogger logger, Exception exception, long commitId, int messages, int items);

    [LoggerMessage(305, LogLevel.Error, "The spool is full: commit {CommitId} refused ({Bytes} of {MaxBytes} bytes held); its PUBACKs are withheld.")]
    public static partial void SpoolFull(ILogger logger, long commitId, long bytes, long maxBytes);

    [LoggerMessage(306, LogLevel.Error, "Appending commit {CommitId} to spool segment {Path} failed; its PUBACKs are withheld.")]
    public static partial void SpoolAppendFailed(ILogger logger, Exception exception, long commitId, string path);

    [LoggerMessage(307, LogLevel.Warning, "Spool segment {Path}: torn record at offset {Offset} ({Reason}); cut off, the records before it replay.")]
    public static partial void SpoolTornRecord(ILogger logger, string path, long offset, string reason);

    [LoggerMessage(308, LogLevel.Warning, "Replaying commit {CommitId} from the spool failed; retrying in {DelayMs} ms.")]
    public static partial void ReplayFailed(ILogger logger, Exception exception, long commitId, long delayMs);

    [LoggerMessage(309, LogLevel.Information, "Spool segment {Segment} replayed: {Written} batch(es) written, {Skipped} already in the store.")]
    public static partial void SegmentReplayed(ILogger logger, long segment, int written, int skipped);
}
