namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>Configuration section <c>Hardware:Simulation</c>: the mechanics that <see cref="Simulated.SimulatedGpioDriver"/> models.</summary>
public sealed class SimulationOptions
{
    /// <summary>Pins of the simulated controller (a Pi's header exposes BCM 0..27).</summary>
    public int PinCount { get; set; } = 28;

    /// <summary>How long an actuator must stay energised before the latch moves.</summary>
    public int MinimumPulseMilliseconds { get; set; } = 100;

    /// <summary>Delay between the latch moving and its sensor contact changing.</summary>
    public int MechanicalDelayMilliseconds { get; set; } = 80;

    /// <summary>Extra flips of a contact before it settles (each flip goes back to the old level and returns).</summary>
    public int BounceCount { get; set; } = 3;

    /// <summary>Time between two flips of a bouncing contact.</summary>
    public int BounceIntervalMilliseconds { get; set; } = 2;

    /// <summary>Whether the simulated locks start locked.</summary>
    public bool StartLocked { get; set; } = true;

    /// <summary>Whether the simulated kiosk slots start with an item in them.</summary>
    public bool StartWithItems { get; set; } = true;
}
