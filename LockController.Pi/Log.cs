using IoTPlatform.DeviceProtocol;
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

    // 200–249: hardware layer.

    [LoggerMessage(EventId = 200, Level = LogLevel.Information, Message = "Hardware started: {Mode} driver, {Kind} with {Locks} lock(s), battery from {Battery}")]
    public static partial void HardwareStarted(ILogger logger, string mode, string kind, int locks, string battery);

    [LoggerMessage(EventId = 201, Level = LogLevel.Critical, Message = "Hardware cannot start: {Reason}")]
    public static partial void HardwareFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 210, Level = LogLevel.Debug, Message = "Actuator on pin {Pin}: pulse {PulseMs} ms")]
    public static partial void ActuatorPulse(ILogger logger, int pin, double pulseMs);

    [LoggerMessage(EventId = 211, Level = LogLevel.Warning, Message = "Actuator on pin {Pin}: pulse cut short (cancelled or failed); pin set low")]
    public static partial void ActuatorInterrupted(ILogger logger, int pin);

    [LoggerMessage(EventId = 215, Level = LogLevel.Debug, Message = "Input on pin {Pin} settled {High}")]
    public static partial void InputSettled(ILogger logger, int pin, bool high);

    [LoggerMessage(EventId = 220, Level = LogLevel.Information, Message = "{Lock}: sensor confirms {State}")]
    public static partial void LockConfirmed(ILogger logger, string @lock, LockState state);

    [LoggerMessage(EventId = 221, Level = LogLevel.Warning, Message = "{Lock}: jammed: commanded {Target}, sensor still {Sensed} {TimeoutMs} ms after the pulse")]
    public static partial void LockJammed(ILogger logger, string @lock, LockState target, LockState sensed, double timeoutMs);

    [LoggerMessage(EventId = 222, Level = LogLevel.Information, Message = "{Lock}: sensor reads {State}")]
    public static partial void LockSensed(ILogger logger, string @lock, LockState state);

    [LoggerMessage(EventId = 223, Level = LogLevel.Information, Message = "{Lock}: already {State}; not actuated")]
    public static partial void LockAlreadyThere(ILogger logger, string @lock, LockState state);

    [LoggerMessage(EventId = 230, Level = LogLevel.Warning, Message = "Battery {Source}: read failed: {Error}; keeping the last good level")]
    public static partial void BatteryReadFailed(ILogger logger, string source, string error);

    [LoggerMessage(EventId = 231, Level = LogLevel.Information, Message = "Battery {Source}: reads good again")]
    public static partial void BatteryReadRecovered(ILogger logger, string source);
}
