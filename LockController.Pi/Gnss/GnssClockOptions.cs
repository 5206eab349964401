namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>How GNSS time disciplines the controller's clock.</summary>
public sealed class GnssClockOptions
{
    /// <summary>Consecutive agreeing samples before the clock is trusted.</summary>
    public int RequiredSamples { get; set; } = 3;

    /// <summary>
    /// How far a sample's offset may stray from the current estimate and still agree with it. Samples are taken
    /// when an epoch completes, which is up to one epoch interval after its time (1 s at 1 Hz) plus serial delay;
    /// a larger difference is a step of the local clock (NTP, RTC) or a receiver glitch.
    /// </summary>
    public TimeSpan Tolerance { get; set; } = TimeSpan.FromSeconds(1.5);

    /// <summary>
    /// How long the clock stays trusted without a new sample (receiver indoors). A Pi's oscillator drifts
    /// under 100 ppm, less than 9 s a day; command expiries are minutes.
    /// </summary>
    public TimeSpan Holdover { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// GNSS times before this are ignored: receivers with the GPS week-rollover bug report dates 1024 weeks
    /// (19.6 years) in the past.
    /// </summary>
    public DateTimeOffset MinimumPlausibleTime { get; set; } = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    /// <summary>Samples kept for the estimate; the one with the least delay (largest offset) is used.</summary>
    public int Window { get; set; } = 8;
}
