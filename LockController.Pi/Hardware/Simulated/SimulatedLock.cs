namespace IoTPlatform.LockController.Pi.Hardware.Simulated;

/// <summary>
/// A lock modelled by <see cref="SimulatedGpioDriver"/>: a latch that toggles when its actuator pin has been high
/// for the minimum pulse, and a sensor contact that follows the latch after the mechanical delay, bouncing.
/// Tests and the simulator jam it, free it, or move it by hand.
/// </summary>
public sealed class SimulatedLock
{
    private readonly SimulatedGpioDriver _driver;

    internal SimulatedLock(SimulatedGpioDriver driver, int actuatorPin, int sensorPin, bool sensorActiveLow, bool locked)
    {
        _driver = driver;
        ActuatorPin = actuatorPin;
        SensorPin = sensorPin;
        SensorActiveLow = sensorActiveLow;
        IsLocked = locked;
    }

    /// <summary>The pin that energises the actuator.</summary>
    public int ActuatorPin { get; }

    /// <summary>The sensor contact's pin.</summary>
    public int SensorPin { get; }

    /// <summary>True when the contact pulls the pin low while locked.</summary>
    public bool SensorActiveLow { get; }

    /// <summary>Where the latch is (the sensor follows after the mechanical delay).</summary>
    public bool IsLocked { get; internal set; }

    /// <summary>While true the actuator runs but the latch does not move.</summary>
    public bool IsJammed { get; internal set; }

    /// <summary>Times the actuator was energised.</summary>
    public int Energised { get; internal set; }

    /// <summary>Times the latch moved (by the actuator or by hand).</summary>
    public int Moves { get; internal set; }

    /// <summary>The sensor level for a latch position.</summary>
    internal bool SensorLevelFor(bool locked) => locked != SensorActiveLow;

    /// <summary>Jams the latch: pulses still energise the actuator, nothing moves.</summary>
    public void Jam() => _driver.SetJammed(this, true);

    /// <summary>Frees a jammed latch (where it is; the next pulse moves it again).</summary>
    public void Free() => _driver.SetJammed(this, false);

    /// <summary>Moves the latch by hand (a rider pushing the shackle shut, a mechanic), with contact bounce.</summary>
    public void MoveByHand(bool locked) => _driver.MoveLatch(this, locked);
}
