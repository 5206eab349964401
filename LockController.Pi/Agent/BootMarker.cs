namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>
/// Tells why the controller started, for the <c>boot</c> event, from a marker file in the data directory: written
/// <c>running</c> at start and <c>stopped</c> at a clean stop. At start: no marker → <c>first-start</c>; <c>stopped</c>
/// → <c>restart</c> (a service restart or a clean reboot); <c>running</c> → <c>unclean-shutdown</c> (power cut,
/// crash, kill -9, watchdog).
/// </summary>
public sealed class BootMarker
{
    /// <summary>The marker's file name in the data directory.</summary>
    public const string FileName = "run-state";

    private readonly string _path;

    /// <summary>A marker in <paramref name="dataDir"/>.</summary>
    public BootMarker(string dataDir)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(dataDir);
        _path = Path.Combine(dataDir, FileName);
    }

    /// <summary>Reads the previous run's end, marks this run as running, and returns the boot reason.</summary>
    public string Begin()
    {
        string? previous = File.Exists(_path) ? File.ReadAllText(_path).Trim() : null;
        Write("running");
        return previous switch
        {
            null => "first-start",
            "stopped" => "restart",
            _ => "unclean-shutdown",
        };
    }

    /// <summary>Marks a clean stop.</summary>
    public void End() => Write("stopped");

    private void Write(string state)
    {
        string temp = _path + ".tmp";
        using (var file = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            file.Write(System.Text.Encoding.ASCII.GetBytes(state));
            file.Flush(flushToDisk: true);
        }
        File.Move(temp, _path, overwrite: true);
    }
}
