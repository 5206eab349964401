using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>A stored event as the HTTP API shows it: its fields as the device sent them (<c>ts</c> in epoch ms), and when it arrived.</summary>
public sealed record EventEntry(
    long Seq,
    long Ts,
    EventType Type,
    LockState? Lock,
    int? Slot,
    SlotState? SlotState,
    string? Item,
    int? Battery,
    double? Lat,
    double? Lon,
    double? Distance,
    string? Fw,
    string? Reason,
    DateTimeOffset ReceivedAt)
{
    public static EventEntry From(StoredEvent stored)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var e = stored.Event;
        return new(
            e.Seq, e.Ts, e.Type, e.Lock, e.Slot, e.SlotState, e.Item, e.Battery, e.Lat, e.Lon, e.Distance, e.Fw, e.Reason,
            DateTimeOffset.FromUnixTimeMilliseconds(stored.ReceivedAtMs));
    }
}
