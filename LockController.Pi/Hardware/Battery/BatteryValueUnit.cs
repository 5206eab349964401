namespace IoTPlatform.LockController.Pi.Hardware.Battery;

/// <summary>What the number in a sysfs battery file means.</summary>
public enum BatteryValueUnit
{
    /// <summary>Pack voltage in millivolts.</summary>
    Millivolts,

    /// <summary>Pack voltage in microvolts (the kernel's <c>power_supply</c> class: <c>voltage_now</c>).</summary>
    Microvolts,

    /// <summary>Charge in percent, 0..100 (the kernel's <c>capacity</c>).</summary>
    Percent,
}
