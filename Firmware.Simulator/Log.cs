using Microsoft.Extensions.Logging;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>The simulator's log messages (event ids 900–949).</summary>
internal static partial class Log
{
    [LoggerMessage(900, LogLevel.Warning, "Device {Device}: reboot failed")]
    public static partial void RebootFailed(ILogger logger, string device, Exception exception);

    [LoggerMessage(901, LogLevel.Warning, "Device {Device}: request {Action} failed: {Reason}")]
    public static partial void RequestFailed(ILogger logger, string device, string action, string reason);

    [LoggerMessage(902, LogLevel.Warning, "Command {Command} did not end within the wait; last state {State}")]
    public static partial void CommandNotTerminal(ILogger logger, string command, string state);
}
