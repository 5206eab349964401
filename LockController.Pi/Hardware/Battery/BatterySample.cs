namespace IoTPlatform.LockController.Pi.Hardware.Battery;

/// <summary>What one source read gave: a voltage, a percent, or an error (never an exception).</summary>
public readonly record struct BatterySample(int? Millivolts, int? Percent, string? Error)
{
    public static BatterySample FromMillivolts(int millivolts) => new(millivolts, null, null);

    public static BatterySample FromPercent(int percent) => new(null, percent, null);

    public static BatterySample Failed(string error) => new(null, null, error);
}
