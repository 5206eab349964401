namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>Which GPIO driver the controller runs on. Configuration: <c>Hardware:Mode</c> = <c>gpio</c> | <c>simulated</c>.</summary>
public enum HardwareMode
{
    /// <summary>The board's own driver (<c>new GpioController()</c>): a Raspberry Pi.</summary>
    Gpio,

    /// <summary><see cref="Simulated.SimulatedGpioDriver"/>: locks, sensors and a battery modelled in memory.</summary>
    Simulated,
}
