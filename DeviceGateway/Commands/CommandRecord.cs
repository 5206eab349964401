using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>One command as the ledger holds it. Times are Unix epoch milliseconds (backend clock).</summary>
public sealed record CommandRecord
{
    public required string Id { get; init; }

    public required string DeviceId { get; init; }

    public required string IdempotencyKey { get; init; }

    /// <summary>What was asked, in a canonical form (<see cref="CommandRequest.Fingerprint"/>): a reused key must ask the same.</summary>
    public required string Request { get; init; }

    public required CommandAction Action { get; init; }

    public int? Slot { get; init; }

    public required CommandState State { get; init; }

    public string? Reason { get; init; }

    /// <summary>A <c>done</c> ack came after the service had given up on the command (TIMED_OUT, EXPIRED, CANCELLED).</summary>
    public bool Late { get; init; }

    /// <summary>The name of the API key that asked.</summary>
    public required string RequestedBy { get; init; }

    public required bool QueueIfOffline { get; init; }

    public required long CreatedAt { get; init; }

    /// <summary>Also the signed command's <c>issuedAt</c>.</summary>
    public long IssuedAt => CreatedAt;

    public required long ExpiresAt { get; init; }

    /// <summary>When the device acked <c>received</c>; the <c>done</c> deadline runs from here.</summary>
    public long? DeliveredAt { get; init; }

    /// <summary>How many times it was published to the device.</summary>
    public int Attempts { get; init; }

    public required string Kid { get; init; }

    public required string Sig { get; init; }

    public IReadOnlyList<CommandTransition> History { get; init; } = [];

    /// <summary>The signed command as the device gets it; the same bytes on every attempt.</summary>
    public DeviceCommand ToDeviceCommand() => new()
    {
        Id = Id,
        Action = Action,
        Slot = Slot,
        IssuedAt = IssuedAt,
        ExpiresAt = ExpiresAt,
        Kid = Kid,
        Sig = Sig,
    };
}

/// <summary>One entry of a command's history: the state it entered, when, and why.</summary>
public sealed record CommandTransition(CommandState State, long At, string? Reason);
