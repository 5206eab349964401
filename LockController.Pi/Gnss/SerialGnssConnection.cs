using System.IO.Ports;

namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>
/// A serial port through System.IO.Ports, 8N1 without handshake, at a configured path and baud rate. The path
/// is taken as given: pty devices (socat) and udev symlinks work although <see cref="SerialPort.GetPortNames"/>
/// does not list them.
/// </summary>
public sealed class SerialGnssConnection : IGnssConnection
{
    private readonly string _path;
    private readonly int _baud;

    /// <summary>A connection to <paramref name="path"/> at <paramref name="baud"/> baud.</summary>
    public SerialGnssConnection(string path, int baud)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfLessThan(baud, 1);
        _path = path;
        _baud = baud;
    }

    /// <inheritdoc />
    public string Description => $"{_path} at {_baud} baud";

    /// <inheritdoc />
    public bool EndsAtEndOfStream => false;

    /// <inheritdoc />
    /// <summary>A USB receiver's device node, or a pty's link, disappears with the device.</summary>
    public bool IsPresent() => File.Exists(_path);

    public Stream Open()
    {
        // SerialPort checks that the path exists only when opening; a missing device throws FileNotFoundException (an IOException).
        var port = new SerialPort(_path, _baud, Parity.None, 8, StopBits.One)
        {
            Handshake = Handshake.None,
            ReadTimeout = SerialPort.InfiniteTimeout,
        };
        try
        {
            port.Open();
            return new OwningStream(port.BaseStream, port);
        }
        catch
        {
            port.Dispose();
            throw;
        }
    }
}
