namespace IoTPlatform.DeviceGateway;

/// <summary>Every log line of the gateway, source-generated.</summary>
internal static partial class Log
{
    [LoggerMessage(1, LogLevel.Information, "Admin API key from configuration (Api:AdminKey).")]
    public static partial void AdminKeyFromConfiguration(ILogger logger);

    [LoggerMessage(2, LogLevel.Warning, "Admin API key is in {Path} ({How}). Send it as X-Api-Key; keep the file private.")]
    public static partial void AdminKeyFile(ILogger logger, string path, string how);

    [LoggerMessage(3, LogLevel.Information, "State store: {Path}")]
    public static partial void StateStoreOpened(ILogger logger, string path);

    [LoggerMessage(4, LogLevel.Information, "Device {DeviceId} registered as {Kind}.")]
    public static partial void DeviceRegistered(ILogger logger, string deviceId, string kind);

    [LoggerMessage(5, LogLevel.Information, "Device {DeviceId}: secret rotated; the old one is refused from now on.")]
    public static partial void SecretRotated(ILogger logger, string deviceId);

    [LoggerMessage(6, LogLevel.Information, "Device {DeviceId} decommissioned.")]
    public static partial void DeviceDecommissioned(ILogger logger, string deviceId);

    [LoggerMessage(7, LogLevel.Warning, "Refused API key on {Method} {Path} from {Remote}.")]
    public static partial void ApiKeyRejected(ILogger logger, string method, string path, string? remote);

    [LoggerMessage(8, LogLevel.Information, "Bad request on {Method} {Path}: {Reason}")]
    public static partial void BadRequest(ILogger logger, string method, string path, string reason);

    [LoggerMessage(9, LogLevel.Warning, "{Count} device(s) were still marked online from before the restart; recorded them offline.")]
    public static partial void StaleSessionsClosed(ILogger logger, int count);

    [LoggerMessage(10, LogLevel.Error, "Writing presence to state.db failed; retrying with the next batch.")]
    public static partial void PresenceWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(11, LogLevel.Warning, "Status of device {DeviceId} rejected: {Error}")]
    public static partial void StatusRejected(ILogger logger, string deviceId, string error);

    [LoggerMessage(12, LogLevel.Warning, "Latest state: folded in {Count} reading(s)/event(s) the history committed before the last stop.")]
    public static partial void LatestStateRecovered(ILogger logger, int count);

    [LoggerMessage(13, LogLevel.Information, "Ingest ready: {Keys} recent key(s) loaded for de-duplication.")]
    public static partial void IngestReady(ILogger logger, long keys);

    [LoggerMessage(14, LogLevel.Information, "Retention: deleted {Count} reading(s)/event(s) older than {Days} days.")]
    public static partial void RetentionSwept(ILogger logger, long count, int days);

    [LoggerMessage(15, LogLevel.Error, "Retention sweep failed; retrying at the next one.")]
    public static partial void RetentionFailed(ILogger logger, Exception exception);

    [LoggerMessage(16, LogLevel.Warning, "History spool: {Batches} batch(es), {Bytes} bytes wait for the history store; their keys count as stored and the replay resumes.")]
    public static partial void SpoolPending(ILogger logger, long batches, long bytes);

    [LoggerMessage(17, LogLevel.Error, "Latest state: saving to state.db failed; it stays in memory and the next save retries (after a crash the start folds it in from the history).")]
    public static partial void LatestSaveFailed(ILogger logger, Exception exception);
}
