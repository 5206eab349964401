namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>Configuration section <c>Hardware:Lock</c>.</summary>
public sealed class LockOptions
{
    /// <summary>Bike only: the pin that drives the actuator (through a MOSFET or relay; high = energised).</summary>
    public int? ActuatorPin { get; set; }

    /// <summary>Bike only: the lock sensor's pin (a reed or limit switch to ground, read with the pull-up).</summary>
    public int? SensorPin { get; set; }

    /// <summary>How long the actuator is energised per actuation.</summary>
    public int PulseMilliseconds { get; set; } = 300;

    /// <summary>True when a lock sensor reads low while the lock is locked (switch closed to ground when the shackle is home).</summary>
    public bool SensorActiveLow { get; set; } = true;

    /// <summary>How long a sensor must hold a level before it counts (contact bounce of reed and limit switches is 1–10 ms).</summary>
    public int DebounceMilliseconds { get; set; } = 30;

    /// <summary>How long after the pulse ends the sensor has to report the commanded state before the lock counts as jammed.</summary>
    public int ConfirmTimeoutMilliseconds { get; set; } = 2000;

    /// <summary>The pulse length.</summary>
    public TimeSpan Pulse => TimeSpan.FromMilliseconds(PulseMilliseconds);

    /// <summary>The debounce time.</summary>
    public TimeSpan Debounce => TimeSpan.FromMilliseconds(DebounceMilliseconds);

    /// <summary>The confirm timeout.</summary>
    public TimeSpan ConfirmTimeout => TimeSpan.FromMilliseconds(ConfirmTimeoutMilliseconds);
}
