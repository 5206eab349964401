namespace IoTPlatform.LockController.Pi.Hardware.Battery;

/// <summary>The battery gauge: a sysfs value, an ADC, or a simulated value.</summary>
public interface IBatterySource
{
    /// <summary>Reads the level now. Never throws for a bad value or a missing device: the reading carries the error and the last good level.</summary>
    ValueTask<BatteryReading> ReadAsync(CancellationToken cancellationToken);

    /// <summary>Reads attempted.</summary>
    long Reads { get; }

    /// <summary>Reads that failed (missing file, garbage, bus error), each logged.</summary>
    long Errors { get; }
}
