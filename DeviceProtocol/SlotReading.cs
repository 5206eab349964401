namespace IoTPlatform.DeviceProtocol;

/// <summary>One kiosk slot in a <see cref="Reading"/>: <c>{"n": 1, "state": "occupied", "item": "umb-0042", "charge": 80}</c>.</summary>
public sealed record SlotReading
{
    /// <summary>Slot number, from 1 (at most <see cref="DeviceKinds.MaxSlots"/>, and at most the kiosk's slot count).</summary>
    public required int N { get; init; }

    public required SlotState State { get; init; }

    /// <summary>Tag of the item in the slot (umbrella, charger), when the slot reads one.</summary>
    public string? Item { get; init; }

    /// <summary>Charge of the item in the slot, percent 0–100 (charger kiosks).</summary>
    public int? Charge { get; init; }
}
