namespace IoTPlatform.DeviceGateway;

/// <summary>Log lines of the command-signing keys (event ids 460–479).</summary>
internal static partial class Log
{
    [LoggerMessage(460, LogLevel.Warning, "Command signing: created key {Kid} in {Path}. Back it up with the data dir: devices reject commands signed by any other key.")]
    public static partial void CommandKeyCreated(ILogger logger, string kid, string path);

    [LoggerMessage(461, LogLevel.Information, "Command signing: current key {Kid} from {Path}.")]
    public static partial void CommandKeyLoaded(ILogger logger, string kid, string path);

    [LoggerMessage(462, LogLevel.Information, "Command signing: rotated-out key {Kid} stays in the key set until {RetireAt:O}.")]
    public static partial void CommandKeyInOverlap(ILogger logger, string kid, DateTimeOffset retireAt);

    [LoggerMessage(463, LogLevel.Information, "Command signing: previous key {Kid} from {Path} is served for verification only.")]
    public static partial void CommandKeyPrevious(ILogger logger, string kid, string path);

    [LoggerMessage(464, LogLevel.Warning, "Command signing: rotated from {OldKid} to {NewKid}; {OldKid} stays in the key set until {OverlapUntil:O}.")]
    public static partial void CommandKeyRotated(ILogger logger, string oldKid, string newKid, DateTimeOffset overlapUntil);

    [LoggerMessage(465, LogLevel.Information, "Command signing: key {Kid} retired (overlap ended {RetireAt:O}); dropped from the key set, {Path} deleted.")]
    public static partial void CommandKeyRetired(ILogger logger, string kid, DateTimeOffset retireAt, string path);

    [LoggerMessage(466, LogLevel.Warning, "Command signing: key {Kid} is no longer served but {Path} could not be deleted; delete it by hand.")]
    public static partial void CommandKeyDeleteFailed(ILogger logger, string kid, string path, Exception exception);

    [LoggerMessage(467, LogLevel.Warning, "Command signing: could not rewrite {Path} after dropping retired keys; the next start drops them again.")]
    public static partial void CommandKeyIndexWriteFailed(ILogger logger, string path, Exception exception);
}
