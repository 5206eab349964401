namespace IoTPlatform.DeviceProtocol;

/// <summary>The wire strings of the protocol's enums, without going through JSON (logs, metrics, canonical bytes).</summary>
public static class WireNames
{
    public static string ToWireName(this CommandAction action) => TryGetWireName(action)
        ?? throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown command action.");

    public static string ToWireName(this LockState state) => state switch
    {
        LockState.Locked => "locked",
        LockState.Unlocked => "unlocked",
        LockState.Jammed => "jammed",
        LockState.Unknown => "unknown",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown lock state."),
    };

    public static string ToWireName(this SlotState state) => state switch
    {
        SlotState.Empty => "empty",
        SlotState.Occupied => "occupied",
        SlotState.Released => "released",
        SlotState.Fault => "fault",
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "Unknown slot state."),
    };

    public static string ToWireName(this EventType type) => type switch
    {
        EventType.LockChanged => "lock_changed",
        EventType.MotionWhileLocked => "motion_while_locked",
        EventType.Tamper => "tamper",
        EventType.LowBattery => "low_battery",
        EventType.Boot => "boot",
        EventType.SlotChanged => "slot_changed",
        EventType.Jammed => "jammed",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown event type."),
    };

    public static string ToWireName(this AckStage stage) => stage switch
    {
        AckStage.Received => "received",
        AckStage.Done => "done",
        _ => throw new ArgumentOutOfRangeException(nameof(stage), stage, "Unknown ack stage."),
    };

    public static string ToWireName(this AckResult result) => result switch
    {
        AckResult.Ok => "ok",
        AckResult.Failed => "failed",
        AckResult.Rejected => "rejected",
        _ => throw new ArgumentOutOfRangeException(nameof(result), result, "Unknown ack result."),
    };

    public static string ToWireName(this ClockState clock) => clock switch
    {
        ClockState.Gnss => "gnss",
        ClockState.Ntp => "ntp",
        ClockState.Rtc => "rtc",
        ClockState.Unsynced => "unsynced",
        _ => throw new ArgumentOutOfRangeException(nameof(clock), clock, "Unknown clock state."),
    };

    /// <summary>The wire name of a defined action, or null for an undefined value.</summary>
    public static string? TryGetWireName(CommandAction action) => action switch
    {
        CommandAction.Unlock => "unlock",
        CommandAction.Lock => "lock",
        CommandAction.Release => "release",
        CommandAction.Secure => "secure",
        _ => null,
    };

    /// <summary>The command action with wire name <paramref name="wire"/>, e.g. <c>unlock</c>.</summary>
    public static bool TryParseCommandAction(string? wire, out CommandAction action) => TryParse(wire, Enum.GetValues<CommandAction>(), ToWireName, out action);

    /// <summary>The lock state with wire name <paramref name="wire"/> (exact, lower case).</summary>
    public static bool TryParseLockState(string? wire, out LockState state) => TryParse(wire, Enum.GetValues<LockState>(), ToWireName, out state);

    /// <summary>The slot state with wire name <paramref name="wire"/>.</summary>
    public static bool TryParseSlotState(string? wire, out SlotState state) => TryParse(wire, Enum.GetValues<SlotState>(), ToWireName, out state);

    /// <summary>The event type with wire name <paramref name="wire"/>, e.g. <c>lock_changed</c>.</summary>
    public static bool TryParseEventType(string? wire, out EventType type) => TryParse(wire, Enum.GetValues<EventType>(), ToWireName, out type);

    private static bool TryParse<T>(string? wire, T[] values, Func<T, string> name, out T value)
        where T : struct, Enum
    {
        foreach (var candidate in values)
        {
            if (string.Equals(name(candidate), wire, StringComparison.Ordinal))
            {
                value = candidate;
                return true;
            }
        }

        value = default;
        return false;
    }
}
