namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>Where a command is in its life. Wire names are upper case (<c>QUEUED</c> …).</summary>
public enum CommandState
{
    /// <summary>In the ledger, not published yet (device offline with <c>queueIfOffline</c>, or about to be sent).</summary>
    Queued,

    /// <summary>Published to the device's session at least once; no ack yet.</summary>
    Sent,

    /// <summary>The device acked <c>received</c>: it will execute (or has).</summary>
    Delivered,

    /// <summary>The device acted and its sensor agrees.</summary>
    Succeeded,

    /// <summary>The device acted and its sensor disagrees (reason <c>jammed</c>).</summary>
    Failed,

    /// <summary>The device refused it, with its reason (bad-signature, expired, clock-unsynced, …).</summary>
    Rejected,

    /// <summary>Delivered, but no <c>done</c> came within <see cref="CommandOptions.DoneTimeoutSeconds"/>.</summary>
    TimedOut,

    /// <summary>Never delivered before <c>expiresAt</c>; no longer sent.</summary>
    Expired,

    /// <summary>Cancelled by a caller before the device acked <c>received</c>.</summary>
    Cancelled,
}

public static class CommandStates
{
    public static IReadOnlyList<string> Names { get; } = Enum.GetValues<CommandState>().Select(s => s.ToWireName()).ToArray();

    public static string ToWireName(this CommandState state) => state switch
    {
        CommandState.Queued => "QUEUED",
        CommandState.Sent => "SENT",
        CommandState.Delivered => "DELIVERED",
        CommandState.Succeeded => "SUCCEEDED",
        CommandState.Failed => "FAILED",
        CommandState.Rejected => "REJECTED",
        CommandState.TimedOut => "TIMED_OUT",
        CommandState.Expired => "EXPIRED",
        CommandState.Cancelled => "CANCELLED",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, null),
    };

    public static bool TryParse(string? name, out CommandState state)
    {
        foreach (var candidate in Enum.GetValues<CommandState>())
        {
            if (string.Equals(candidate.ToWireName(), name, StringComparison.OrdinalIgnoreCase))
            {
                state = candidate;
                return true;
            }
        }

        state = default;
        return false;
    }

    /// <summary>Not QUEUED, SENT or DELIVERED: the service no longer sends it or waits for it.</summary>
    public static bool IsEnded(this CommandState state) => state is not (CommandState.Queued or CommandState.Sent or CommandState.Delivered);

    /// <summary>The device said what physically happened (SUCCEEDED, FAILED, REJECTED): nothing can change it any more.</summary>
    public static bool IsPhysicalOutcome(this CommandState state) => state is CommandState.Succeeded or CommandState.Failed or CommandState.Rejected;
}
