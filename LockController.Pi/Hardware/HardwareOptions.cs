using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Hardware.Battery;

namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>
/// Configuration section <c>Hardware</c>: what the controller is mounted on and which pins drive what (BCM numbers).
/// Checked by <see cref="HardwareOptionsValidator"/> before any pin is opened.
/// </summary>
public sealed class HardwareOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Hardware";

    /// <summary><c>gpio</c> on a Pi, <c>simulated</c> anywhere else.</summary>
    public HardwareMode Mode { get; set; } = HardwareMode.Gpio;

    /// <summary>What the controller is mounted on, by its wire name: <c>bike</c>, <c>umbrella-kiosk</c>, <c>charger-kiosk</c>.</summary>
    public string Kind { get; set; } = "bike";

    /// <summary>The bike's lock pins, and the timing and sensor polarity of every lock (a bike's and each kiosk slot's).</summary>
    public LockOptions Lock { get; set; } = new();

    /// <summary>A kiosk's slots, numbered 1..n. Empty on a bike.</summary>
    public IList<SlotOptions> Slots { get; } = [];

    /// <summary>True when an item sensor reads low while an item is in its slot (a switch to ground with the pull-up).</summary>
    public bool ItemSensorActiveLow { get; set; } = true;

    /// <summary>
    /// Keep the pin map off the pins other functions of the board own: the UART of the GNSS receiver (BCM 14, 15)
    /// and the I2C bus of the RTC and the battery ADC (BCM 2, 3).
    /// </summary>
    public bool ReserveUartAndI2cPins { get; set; } = true;

    /// <summary>
    /// More pins the pin map may not use (a HAT's, a second UART's). Empty by default: the configuration binder
    /// appends to a list, so defaults here could not be replaced.
    /// </summary>
    public IList<int> ReservedPins { get; } = [];

    /// <summary>BCM pins of the UART (14, 15) and the I2C bus (2, 3).</summary>
    public static IReadOnlyList<int> UartAndI2cPins { get; } = [2, 3, 14, 15];

    /// <summary>Every reserved pin.</summary>
    public IEnumerable<int> AllReservedPins => ReserveUartAndI2cPins ? UartAndI2cPins.Concat(ReservedPins) : ReservedPins;

    /// <summary>The battery gauge.</summary>
    public BatteryOptions Battery { get; set; } = new();

    /// <summary>How the simulated hardware behaves (<see cref="HardwareMode.Simulated"/> only).</summary>
    public SimulationOptions Simulation { get; set; } = new();

    /// <summary>The kind, parsed; false for a name that is not a kind.</summary>
    public bool TryGetKind(out DeviceKind kind) => DeviceKinds.TryParse(Kind, out kind);
}
