using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Telemetry.Latest;

/// <summary>What is known of one kiosk slot: its state, the item in it and that item's charge, as of <paramref name="Stamp"/>.</summary>
public sealed record SlotLatest(int N, SlotState State, string? Item, int? Charge, Stamp Stamp);
