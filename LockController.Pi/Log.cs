using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi;

/// <summary>The controller's log messages.</summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 100, Level = LogLevel.Information, Message = "GNSS receiver {Device} opened")]
    public static partial void GnssOpened(ILogger logger, string device);

    [LoggerMessage(EventId = 101, Level = LogLevel.Warning, Message = "GNSS receiver {Device} cannot be opened; next try in {Delay}")]
    public static partial void GnssOpenFailed(ILogger logger, string device, TimeSpan delay, Exception exception);

    [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "GNSS receiver {Device} went away; reopening in {Delay}")]
    public static partial void GnssLost(ILogger logger, string device, TimeSpan delay, Exception? exception);

    [LoggerMessage(EventId = 103, Level = LogLevel.Information, Message = "GNSS capture {Device} ended")]
    public static partial void GnssEnded(ILogger logger, string device);

    [LoggerMessage(EventId = 110, Level = LogLevel.Information, Message = "Clock disciplined by GNSS: offset {OffsetMs} ms")]
    public static partial void ClockTrusted(ILogger logger, double offsetMs);

    [LoggerMessage(EventId = 111, Level = LogLevel.Warning, Message = "GNSS time disagrees with the disciplined clock by {DeltaMs} ms; clock no longer trusted until it settles")]
    public static partial void ClockJump(ILogger logger, double deltaMs);

    [LoggerMessage(EventId = 112, Level = LogLevel.Warning, Message = "GNSS time {GnssTime} is implausible (before {Minimum}); ignored")]
    public static partial void ClockImplausible(ILogger logger, DateTimeOffset gnssTime, DateTimeOffset minimum);
}
