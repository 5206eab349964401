using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.Telemetry.Latest;

/// <summary>
/// A device's latest state, folded from its readings and events by device time: the newest reading
/// (ts, then seq), and per fact — lock, battery, trusted position, each slot — the newest report of it.
/// A replayed backlog therefore never overrides the present, and the fold gives the same state in any
/// arrival order. Events count: <c>lock_changed</c> and <c>jammed</c> (lock), <c>low_battery</c>
/// (battery), <c>slot_changed</c> and a jammed slot (slot).
/// </summary>
public sealed class DeviceLatest(string deviceId)
{
    private readonly SortedDictionary<int, SlotLatest> _slots = [];

    public string DeviceId { get; } = deviceId;

    /// <summary>The newest reading by device time, as sent.</summary>
    public Reading? Reading { get; private set; }

    /// <summary>The GPS check's verdict on <see cref="Reading"/>'s position; null when trusted or absent.</summary>
    public string? ReadingPositionRejected { get; private set; }

    /// <summary>Receiver time of <see cref="Reading"/>, Unix epoch ms.</summary>
    public long? ReadingReceivedAtMs { get; private set; }

    public LockState? Lock { get; private set; }

    public Stamp? LockStamp { get; private set; }

    public int? Battery { get; private set; }

    public Stamp? BatteryStamp { get; private set; }

    /// <summary>The newest trusted position.</summary>
    public LastFix? Position { get; private set; }

    public Stamp? PositionStamp { get; private set; }

    public IReadOnlyCollection<SlotLatest> Slots => _slots.Values;

    /// <summary>Restores a stored state (from the latest-state table) before folding more into it.</summary>
    public void Restore(
        Reading? reading, string? positionRejected, long? receivedAtMs,
        LockState? lockState, Stamp? lockStamp, int? battery, Stamp? batteryStamp, LastFix? position, Stamp? positionStamp,
        IEnumerable<SlotLatest> slots)
    {
        ArgumentNullException.ThrowIfNull(slots);
        (Reading, ReadingPositionRejected, ReadingReceivedAtMs) = (reading, positionRejected, receivedAtMs);
        (Lock, LockStamp, Battery, BatteryStamp, Position, PositionStamp) = (lockState, lockStamp, battery, batteryStamp, position, positionStamp);
        foreach (var slot in slots)
        {
            _slots[slot.N] = slot;
        }
    }

    /// <summary>Folds one stored item in; true when anything changed.</summary>
    public bool Apply(IngestItem item, long receivedAtMs)
    {
        ArgumentNullException.ThrowIfNull(item);
        var stamp = new Stamp(item.Key.Ts, item.Key.Seq);
        return item.Reading is { } reading ? ApplyReading(reading, item, stamp, receivedAtMs) : ApplyEvent(item.Event!, stamp);
    }

    /// <summary>Folds in a lock state the device reported outside its telemetry (a command's <c>done</c> ack); true when it is the newest.</summary>
    public bool ApplyLock(LockState state, Stamp stamp) => SetLock(state, stamp);

    private bool ApplyReading(Reading reading, IngestItem item, Stamp stamp, long receivedAtMs)
    {
        var changed = false;
        if (Reading is null || stamp > new Stamp(Reading.Ts, Reading.Seq))
        {
            (Reading, ReadingPositionRejected, ReadingReceivedAtMs) = (reading, item.PositionRejected, receivedAtMs);
            changed = true;
        }

        changed |= SetLock(reading.Lock, stamp);
        changed |= SetBattery(reading.Battery, stamp);
        if (item.HasTrustedPosition && Stamp.Newer(stamp, PositionStamp))
        {
            (Position, PositionStamp) = (new LastFix(reading.Ts, reading.Lat!.Value, reading.Lon!.Value), stamp);
            changed = true;
        }

        foreach (var slot in reading.Slots ?? [])
        {
            changed |= SetSlot(new SlotLatest(slot.N, slot.State, slot.Item, slot.Charge, stamp));
        }

        return changed;
    }

    private bool ApplyEvent(DeviceEvent e, Stamp stamp) => e.Type switch
    {
        EventType.LockChanged => SetLock(e.Lock, stamp),
        EventType.LowBattery => SetBattery(e.Battery, stamp),
        EventType.SlotChanged when e is { Slot: int n, SlotState: SlotState state } =>
            SetSlot(new SlotLatest(n, state, e.Item, SameItemCharge(n, e.Item), stamp)),
        EventType.Jammed when e.Slot is int n =>
            SetSlot(new SlotLatest(n, SlotState.Fault, _slots.GetValueOrDefault(n)?.Item, SameItemCharge(n, _slots.GetValueOrDefault(n)?.Item), stamp)),
        EventType.Jammed => SetLock(e.Lock ?? LockState.Jammed, stamp),
        _ => false,
    };

    private int? SameItemCharge(int n, string? item) =>
        _slots.GetValueOrDefault(n) is { } known && item is not null && string.Equals(known.Item, item, StringComparison.Ordinal) ? known.Charge : null;

    private bool SetLock(LockState? value, Stamp stamp)
    {
        if (value is null || !Stamp.Newer(stamp, LockStamp))
        {
            return false;
        }

        (Lock, LockStamp) = (value, stamp);
        return true;
    }

    private bool SetBattery(int? value, Stamp stamp)
    {
        if (value is null || !Stamp.Newer(stamp, BatteryStamp))
        {
            return false;
        }

        (Battery, BatteryStamp) = (value, stamp);
        return true;
    }

    private bool SetSlot(SlotLatest slot)
    {
        if (_slots.TryGetValue(slot.N, out var known) && slot.Stamp <= known.Stamp)
        {
            return false;
        }

        _slots[slot.N] = slot;
        return true;
    }
}
