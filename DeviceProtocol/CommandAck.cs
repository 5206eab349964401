namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// A controller's answer to a command on <c>v1/devices/{id}/acks</c>: <c>{id, stage, result?, lock, slot?, reason?, ts}</c>.
/// </summary>
public sealed record CommandAck
{
    /// <summary>The command's id.</summary>
    public required string Id { get; init; }

    public required AckStage Stage { get; init; }

    /// <summary>Present on <c>done</c> only.</summary>
    public AckResult? Result { get; init; }

    /// <summary>The sensed lock state when the ack was sent.</summary>
    public required LockState Lock { get; init; }

    /// <summary>The kiosk slot the command was for.</summary>
    public int? Slot { get; init; }

    /// <summary>Why it failed or was rejected: one of <see cref="RejectReasons"/>, <c>jammed</c>, or another kebab-case string.</summary>
    public string? Reason { get; init; }

    /// <summary>Device time, Unix epoch milliseconds.</summary>
    public required long Ts { get; init; }
}
