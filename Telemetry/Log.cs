using Microsoft.Extensions.Logging;

namespace IoTPlatform.Telemetry;

/// <summary>Every log line of the telemetry ingest, source-generated.</summary>
internal static partial class Log
{
    [LoggerMessage(300, LogLevel.Error, "Group commit of {Messages} message(s), {Items} item(s) failed; their PUBACKs are withheld so the devices retry.")]
    public static partial void CommitFailed(ILogger logger, Exception exception, int messages, int items);

    [LoggerMessage(301, LogLevel.Error, "{Observer} failed on commit {CommitId}; it catches up from the history store.")]
    public static partial void ObserverFailed(ILogger logger, Exception exception, string observer, long commitId);

    [LoggerMessage(302, LogLevel.Warning, "Device {DeviceId}: {Topic} payload rejected: {Error}")]
    public static partial void PayloadRejected(ILogger logger, string deviceId, string topic, string error);

    [LoggerMessage(303, LogLevel.Information, "Device {DeviceId}: item seq {Seq} ts {Ts} rejected: {Error}")]
    public static partial void ItemRejected(ILogger logger, string deviceId, long seq, long ts, string error);
}
