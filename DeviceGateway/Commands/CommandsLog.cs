namespace IoTPlatform.DeviceGateway;

/// <summary>The command service's log lines (ids 400–449).</summary>
internal static partial class Log
{
    [LoggerMessage(400, LogLevel.Information, "Command {CommandId} for {DeviceId}: {Action} slot {Slot} by {RequestedBy}, ttl {TtlSeconds} s.")]
    public static partial void CommandCreated(ILogger logger, string commandId, string deviceId, string action, int? slot, string requestedBy, int ttlSeconds);

    [LoggerMessage(401, LogLevel.Information, "Command {CommandId} for {DeviceId}: {From} -> {To} ({Reason}, late {Late}).")]
    public static partial void CommandMoved(ILogger logger, string commandId, string deviceId, string from, string to, string? reason, bool late);

    [LoggerMessage(402, LogLevel.Debug, "Command {CommandId} published to {DeviceId} (attempt {Attempt}).")]
    public static partial void CommandSent(ILogger logger, string commandId, string deviceId, int attempt);

    [LoggerMessage(403, LogLevel.Information, "Ack from {DeviceId} for command {CommandId} (stage {Stage}) ignored: {Kind}.")]
    public static partial void AckIgnored(ILogger logger, string deviceId, string? commandId, string? stage, string kind);

    [LoggerMessage(406, LogLevel.Warning, "Malformed ack from {DeviceId} (command {CommandId}) refused: {Detail}.")]
    public static partial void AckMalformed(ILogger logger, string deviceId, string? commandId, string? detail);

    [LoggerMessage(404, LogLevel.Information, "Resumed {Count} open command(s) from the ledger.")]
    public static partial void CommandsResumed(ILogger logger, int count);

    [LoggerMessage(405, LogLevel.Error, "The delivery loop of command {CommandId} failed; it resumes at the next start.")]
    public static partial void CommandLoopFailed(ILogger logger, Exception exception, string commandId);
}
