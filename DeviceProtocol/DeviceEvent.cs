namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// One event on <c>v1/devices/{id}/events</c>: <c>{seq, ts, type, …}</c>. <c>seq</c> shares the device's
/// counter with its readings. Which optional fields a type needs is checked by
/// <see cref="PayloadValidator"/>:
/// <list type="table">
/// <item><term><c>lock_changed</c></term><description><c>lock</c> required (the new sensed state).</description></item>
/// <item><term><c>motion_while_locked</c></term><description>optional <c>distance</c> (metres moved), <c>lat</c>/<c>lon</c>.</description></item>
/// <item><term><c>tamper</c></term><description>optional <c>reason</c> (what was sensed).</description></item>
/// <item><term><c>low_battery</c></term><description><c>battery</c> required.</description></item>
/// <item><term><c>boot</c></term><description><c>fw</c> required; optional <c>reason</c> (why it booted).</description></item>
/// <item><term><c>slot_changed</c></term><description><c>slot</c> and <c>slotState</c> required; optional <c>item</c>.</description></item>
/// <item><term><c>jammed</c></term><description><c>lock</c> or <c>slot</c> required (what is jammed); optional <c>reason</c>.</description></item>
/// </list>
/// </summary>
public sealed record DeviceEvent
{
    public required long Seq { get; init; }

    /// <summary>Device time, Unix epoch milliseconds.</summary>
    public required long Ts { get; init; }

    public required EventType Type { get; init; }

    /// <summary>Sensed lock state after the event.</summary>
    public LockState? Lock { get; init; }

    /// <summary>Kiosk slot number, from 1.</summary>
    public int? Slot { get; init; }

    /// <summary>The slot's new state (<c>slot_changed</c>).</summary>
    public SlotState? SlotState { get; init; }

    /// <summary>Tag of the item in the slot.</summary>
    public string? Item { get; init; }

    /// <summary>Battery, percent 0–100.</summary>
    public int? Battery { get; init; }

    /// <summary>Latitude, degrees, −90…90.</summary>
    public double? Lat { get; init; }

    /// <summary>Longitude, degrees, −180…180.</summary>
    public double? Lon { get; init; }

    /// <summary>Distance moved, metres, ≥ 0 (<c>motion_while_locked</c>).</summary>
    public double? Distance { get; init; }

    /// <summary>Firmware version (<c>boot</c>).</summary>
    public string? Fw { get; init; }

    /// <summary>Free-form detail in kebab-case, e.g. <c>power-on</c>, <c>watchdog</c>, <c>case-opened</c>.</summary>
    public string? Reason { get; init; }
}
