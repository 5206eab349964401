namespace IoTPlatform.LockController.Pi.Hardware.Battery;

/// <summary>
/// The battery level after one read: the last good level (null before any) and, when this read failed, why.
/// A failed read keeps the last good level so that telemetry still carries one.
/// </summary>
/// <param name="Percent">Charge, 0..100, from the last good read.</param>
/// <param name="Millivolts">Pack voltage from the last good read; null for a source that gives percent only.</param>
/// <param name="Error">Why this read failed; null when it succeeded.</param>
public sealed record BatteryReading(int? Percent, int? Millivolts, string? Error)
{
    /// <summary>True when this read succeeded.</summary>
    public bool IsFresh => Error is null;
}
