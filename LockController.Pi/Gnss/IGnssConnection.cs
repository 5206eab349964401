namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>Opens the byte stream of a receiver: a serial port, a pty, a capture file.</summary>
public interface IGnssConnection
{
    /// <summary>What is opened, for logs (a device path, a file).</summary>
    string Description { get; }

    /// <summary>True for a file, whose end is the end; false for a device, whose end means it went away.</summary>
    bool EndsAtEndOfStream { get; }

    /// <summary>
    /// Opens the stream. Throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when the
    /// device is not there (unplugged, not yet created); the receiver retries.
    /// </summary>
    Stream Open();

    /// <summary>
    /// Whether the device is still there while its stream is open. A serial driver does not always end a
    /// read when the device goes (a pty whose other end closed, seen here); the receiver asks this every
    /// <see cref="GnssOptions.PresenceCheckInterval"/> and treats "no" as the device going away.
    /// </summary>
    bool IsPresent() => true;
}
