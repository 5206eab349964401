namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>A command over HTTP: <c>{id, deviceId, action, slot, state, reason?, late?, requestedBy, createdAt, expiresAt, attempts, history}</c>.</summary>
public sealed record CommandResponse(
    string Id,
    string DeviceId,
    string Action,
    int? Slot,
    string State,
    string? Reason,
    bool? Late,
    string RequestedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    int Attempts,
    IReadOnlyList<CommandHistoryEntry> History)
{
    public static CommandResponse From(CommandRecord command)
    {
        ArgumentNullException.ThrowIfNull(command);
        return new CommandResponse(
            command.Id,
            command.DeviceId,
            IoTPlatform.DeviceProtocol.WireNames.ToWireName(command.Action),
            command.Slot,
            command.State.ToWireName(),
            command.Reason,
            command.Late ? true : null,
            command.RequestedBy,
            DateTimeOffset.FromUnixTimeMilliseconds(command.CreatedAt),
            DateTimeOffset.FromUnixTimeMilliseconds(command.ExpiresAt),
            command.Attempts,
            [.. command.History.Select(h => new CommandHistoryEntry(h.State.ToWireName(), DateTimeOffset.FromUnixTimeMilliseconds(h.At), h.Reason))]);
    }
}

public sealed record CommandHistoryEntry(string State, DateTimeOffset At, string? Reason);

/// <summary>A device's commands: <c>{deviceId, commands}</c>, oldest first.</summary>
public sealed record CommandListResponse(string DeviceId, IReadOnlyList<CommandResponse> Commands);

/// <summary>What the command service has done since the start.</summary>
public sealed record CommandStatsResponse(
    long Created,
    long Attempts,
    IReadOnlyDictionary<string, long> StatesEntered,
    IReadOnlyDictionary<string, long> Acks,
    IReadOnlyDictionary<string, long> Refused,
    int Running);
