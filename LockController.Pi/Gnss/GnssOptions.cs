using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>Configuration section <c>Gnss</c>: where the receiver is and how to read it.</summary>
public sealed class GnssOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Gnss";

    /// <summary>Serial device path (<c>/dev/ttyACM0</c>, <c>/dev/serial0</c>, a udev link, a pty). Takes precedence over <see cref="File"/>.</summary>
    public string? Port { get; set; }

    /// <summary>Serial rate; also the rate a <see cref="File"/> replay imitates.</summary>
    [Range(300, 4_000_000)]
    public int Baud { get; set; } = 9600;

    /// <summary>A capture to replay instead of a device.</summary>
    public string? File { get; set; }

    /// <summary>Replay speed of <see cref="File"/> relative to the serial rate; 0 reads as fast as possible.</summary>
    [Range(0.0, 10_000.0)]
    public double Speed { get; set; } = 1.0;

    /// <summary>Wait before reopening a device that went away; doubled on each failed open up to <see cref="MaxReconnectDelay"/>.</summary>
    public TimeSpan ReconnectDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Longest wait between attempts to open a missing device.</summary>
    public TimeSpan MaxReconnectDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an open device is checked for still being there (see <see cref="IGnssConnection.IsPresent"/>).</summary>
    public TimeSpan PresenceCheckInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The connection these options describe.</summary>
    public IGnssConnection CreateConnection(TimeProvider time) =>
        !string.IsNullOrWhiteSpace(Port) ? new SerialGnssConnection(Port, Baud)
        : !string.IsNullOrWhiteSpace(File) ? new FileGnssConnection(File, Baud, Speed, time)
        : throw new InvalidOperationException($"Set {SectionName}:{nameof(Port)} or {SectionName}:{nameof(File)}.");
}
