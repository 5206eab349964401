namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>Configuration section <c>Clock</c>: which clock sources besides GNSS and NTP the controller trusts.</summary>
public sealed class ClockOptions
{
    public const string SectionName = "Clock";

    /// <summary>The RTC's device node; its presence means the RTC module is fitted and its driver loaded.</summary>
    public string RtcDevice { get; set; } = "/dev/rtc0";

    /// <summary>
    /// Whether the time the system got from the RTC at boot is trusted when neither GNSS nor NTP is available.
    /// Only set this on controllers whose RTC module was set from a synchronised clock (see docs/firmware-commands.md):
    /// the kernel cannot tell a set RTC from one that has run since the factory.
    /// </summary>
    public bool TrustRtc { get; set; }
}
