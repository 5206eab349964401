using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Telemetry.History;

/// <summary>Enum columns read back from their wire names; a name the store never writes reads as null.</summary>
internal static class StoredWire
{
    public static LockState? Lock(string? wire) => WireNames.TryParseLockState(wire, out var state) ? state : null;

    public static SlotState? Slot(string? wire) => WireNames.TryParseSlotState(wire, out var state) ? state : null;

    public static EventType? Event(string? wire) => WireNames.TryParseEventType(wire, out var type) ? type : null;
}
