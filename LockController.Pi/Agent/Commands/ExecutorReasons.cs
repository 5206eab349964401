using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>The ack reasons the controller sends beyond <see cref="RejectReasons"/> (the backend keeps any kebab-case reason as sent).</summary>
public static class ExecutorReasons
{
    /// <summary>Rejected: a field the protocol does not allow (bad times, empty kid or sig).</summary>
    public const string Invalid = "invalid";

    /// <summary>
    /// Failed: the command was accepted and recorded but the power went before its outcome was; the motor may or may
    /// not have run, and the sensor now disagrees with the command. Never actuated again.
    /// </summary>
    public const string Interrupted = "interrupted";

    /// <summary>Failed: the GPIO layer threw while actuating.</summary>
    public const string ActuatorError = "actuator-error";
}
