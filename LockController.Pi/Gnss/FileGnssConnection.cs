namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>
/// A capture file (or any readable path), replayed at the pace of a serial line: <c>baud / 10</c> bytes a
/// second times <paramref name="speed"/>; a speed of 0 reads as fast as the disk allows.
/// </summary>
/// <param name="path">The file.</param>
/// <param name="baud">The serial rate to imitate.</param>
/// <param name="speed">Replay speed factor; 0 for no pacing.</param>
/// <param name="time">The clock the pacing waits on.</param>
public sealed class FileGnssConnection(string path, int baud, double speed, TimeProvider time) : IGnssConnection
{
    /// <inheritdoc />
    public string Description => speed > 0 ? $"{path} at {speed}× {baud} baud" : path;

    /// <inheritdoc />
    public bool EndsAtEndOfStream => true;

    /// <inheritdoc />
    public Stream Open()
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, useAsync: true);
        return speed > 0 ? new PacedStream(file, baud / 10.0 * speed, time) : file;
    }
}
