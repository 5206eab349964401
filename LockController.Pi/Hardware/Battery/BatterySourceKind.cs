namespace IoTPlatform.LockController.Pi.Hardware.Battery;

/// <summary>Where the battery level comes from. Configuration: <c>Hardware:Battery:Source</c>.</summary>
public enum BatterySourceKind
{
    /// <summary>A file with one number (a sysfs attribute such as <c>/sys/class/power_supply/*/voltage_now</c> or <c>capacity</c>).</summary>
    Sysfs,

    /// <summary>A value held in memory that tests and the simulator set.</summary>
    Simulated,

    /// <summary>An ADS1115 16-bit ADC on I2C reading the pack through a resistor divider.</summary>
    Ads1115,
}
