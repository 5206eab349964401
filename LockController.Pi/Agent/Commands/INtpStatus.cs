namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>Whether the operating system's clock is synchronised by NTP (chrony, systemd-timesyncd, ntpd).</summary>
public interface INtpStatus
{
    /// <summary>True when the kernel reports the system clock synchronised; false when not, or when it cannot tell.</summary>
    bool IsSynchronised { get; }
}
