namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>One kiosk slot in <c>Hardware:Slots</c>: its lock (actuator and sensor) and its item-present sensor.</summary>
public sealed class SlotOptions
{
    /// <summary>The slot number, 1..n, as on the wire.</summary>
    public int N { get; set; }

    /// <summary>The pin that drives the slot's lock actuator.</summary>
    public int? ActuatorPin { get; set; }

    /// <summary>The slot lock's sensor pin.</summary>
    public int? LockSensorPin { get; set; }

    /// <summary>The pin of the sensor that sees an item (umbrella, charger) in the slot.</summary>
    public int? ItemSensorPin { get; set; }
}
