using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Latest;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>
/// One kiosk slot as last reported: <c>state</c> is <c>empty</c>, <c>occupied</c>, <c>released</c>,
/// <c>fault</c>, or <c>unknown</c> when the kiosk never reported the slot (then nothing else is given).
/// </summary>
public sealed record SlotEntry(int N, string State, string? Item, int? Charge, long? Ts, DateTimeOffset? Time)
{
    public const string Unknown = "unknown";

    /// <summary>Slots 1 to <paramref name="slotCount"/>, each with what is known of it.</summary>
    public static IReadOnlyList<SlotEntry> For(int slotCount, IEnumerable<SlotLatest> known)
    {
        var byNumber = known.ToDictionary(s => s.N);
        return [.. Enumerable.Range(1, slotCount).Select(n => byNumber.TryGetValue(n, out var s)
            ? new SlotEntry(n, s.State.ToWireName(), s.Item, s.Charge, s.Stamp.Ts, DateTimeOffset.FromUnixTimeMilliseconds(s.Stamp.Ts))
            : new SlotEntry(n, Unknown, null, null, null, null))];
    }
}
