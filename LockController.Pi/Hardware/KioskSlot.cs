using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>
/// One kiosk slot: its lock and its item sensor. <see cref="State"/> is the wire's slot state: <c>fault</c> when
/// the lock is jammed or a sensor has not settled, <c>released</c> when the lock is open, otherwise
/// <c>occupied</c> or <c>empty</c> by the item sensor.
/// </summary>
public sealed class KioskSlot : IDisposable
{
    /// <summary>A slot over its lock and item sensor (both owned).</summary>
    public KioskSlot(int number, LockMechanism lockMechanism, ItemSensor item)
    {
        ArgumentNullException.ThrowIfNull(lockMechanism);
        ArgumentNullException.ThrowIfNull(item);
        ArgumentOutOfRangeException.ThrowIfLessThan(number, 1);
        Number = number;
        Lock = lockMechanism;
        Item = item;
        Lock.SensedChanged += (_, _) => StateChanged?.Invoke(this, State);
        Item.PresenceChanged += (_, _) => StateChanged?.Invoke(this, State);
    }

    /// <summary>The slot number (1..n).</summary>
    public int Number { get; }

    /// <summary>The slot's lock.</summary>
    public LockMechanism Lock { get; }

    /// <summary>The slot's item sensor.</summary>
    public ItemSensor Item { get; }

    /// <summary>The slot state as reported on the wire.</summary>
    public SlotState State => (Lock.Sensed, Item.Present) switch
    {
        (LockState.Jammed or LockState.Unknown, _) => SlotState.Fault,
        (_, null) => SlotState.Fault,
        (LockState.Unlocked, _) => SlotState.Released,
        (_, true) => SlotState.Occupied,
        _ => SlotState.Empty,
    };

    /// <summary>Raised when the lock or the item sensor changes, with the new <see cref="State"/>.</summary>
    public event EventHandler<SlotState>? StateChanged;

    /// <summary>Releases the slot: unlocks its lock.</summary>
    public Task<LockState> ReleaseAsync(CancellationToken cancellationToken) => Lock.ActuateAsync(LockAction.Unlock, cancellationToken);

    /// <summary>Secures the slot: locks its lock.</summary>
    public Task<LockState> SecureAsync(CancellationToken cancellationToken) => Lock.ActuateAsync(LockAction.Lock, cancellationToken);

    /// <summary>Releases the pins.</summary>
    public void Dispose()
    {
        Lock.Dispose();
        Item.Dispose();
    }
}
