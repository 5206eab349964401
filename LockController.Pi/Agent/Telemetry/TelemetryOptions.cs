using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.LockController.Pi.Agent.Telemetry;

/// <summary>Configuration section <c>Telemetry</c>: the reading schedule and the thresholds of the events.</summary>
public sealed class TelemetryOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Telemetry";

    /// <summary>Seconds between readings while the lock is not locked (unlocked, jammed, not yet sensed) or the device moves.</summary>
    [Range(1, 86_400)]
    public int MovingIntervalSeconds { get; set; } = 5;

    /// <summary>Seconds between readings while locked and still (parked).</summary>
    [Range(1, 86_400)]
    public int ParkedIntervalSeconds { get; set; } = 300;

    /// <summary>Ground speed from which the device counts as moving, m/s.</summary>
    [Range(0.0, 100.0)]
    public double MovingSpeedMps { get; set; } = 1.0;

    /// <summary>A fix older than this is not used: the reading goes without a position (<c>fix: 0</c>).</summary>
    [Range(1, 3600)]
    public int FixMaxAgeSeconds { get; set; } = 10;

    /// <summary>How far a locked device may drift from where it was locked before <c>motion_while_locked</c>: GNSS noise stays below it.</summary>
    [Range(1.0, 100_000.0)]
    public double MotionThresholdMeters { get; set; } = 50;

    /// <summary><c>low_battery</c> when the level falls below this percentage.</summary>
    [Range(0, 100)]
    public int LowBatteryPercent { get; set; } = 20;

    /// <summary>After a <c>low_battery</c>, the level must climb this far above <see cref="LowBatteryPercent"/> before another one.</summary>
    [Range(0, 100)]
    public int LowBatteryHysteresisPercent { get; set; } = 5;

    /// <summary>Seconds between battery reads between readings (a parked device still reports a falling battery in time).</summary>
    [Range(1, 86_400)]
    public int BatteryCheckSeconds { get; set; } = 60;
}
