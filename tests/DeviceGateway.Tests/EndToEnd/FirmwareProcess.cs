using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using IoTPlatform.Tests.Shared;

namespace IoTPlatform.DeviceGateway.Tests.EndToEnd;

/// <summary>
/// The real firmware, <c>dotnet LockController.Pi.dll run …</c>, as a child process (its build output, found through
/// the path the test project's build records). Keeps its console log; lines at Error or Critical and anything on
/// stderr are <see cref="Errors"/>. Every seq it logs as appended (readings at Debug, events at Information) is in
/// <see cref="AppendedSeqs"/>.
/// </summary>
internal sealed partial class FirmwareProcess : IAsyncDisposable
{
    private readonly ConcurrentDictionary<long, string> _appended = new();
    private ChildProcess _child = null!;

    private FirmwareProcess()
    {
    }

    /// <summary>The firmware's dll in its build output.</summary>
    public static string DllPath =>
        typeof(FirmwareProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FirmwareDll").Value!;

    /// <summary>Seqs the firmware appended to its outbox, with what they were (<c>reading</c> or the event type).</summary>
    public IReadOnlyDictionary<long, string> AppendedSeqs => _appended;

    public IEnumerable<string> Lines => _child.Lines;

    public IEnumerable<string> Errors => _child.Errors;

    public string LogTail => _child.LogTail;

    public bool HasExited => _child.HasExited;

    public static FirmwareProcess Start(IEnumerable<string> arguments)
    {
        string dll = DllPath;
        Assert.That(File.Exists(dll), Is.True, $"the firmware is built at {dll}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { WorkingDirectory = Path.GetDirectoryName(dll)! };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("run");
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        // One line per entry: the seq and the message stay on one line.
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        var firmware = new FirmwareProcess();
        firmware._child = ChildProcess.Start(start, "the firmware", tailLines: 60, firmware.NoteAppended);
        return firmware;
    }

    public bool Logged(string text) => _child.Lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>SIGTERM (as systemd stops it), then waits; returns the exit code.</summary>
    public Task<int> StopAsync(TimeSpan timeout) => _child.StopAsync(timeout);

    public ValueTask DisposeAsync() => _child.DisposeAsync();

    private void NoteAppended(string line)
    {
        Match m = AppendedLine().Match(line);
        if (m.Success)
            _appended[long.Parse(m.Groups["seq"].Value, CultureInfo.InvariantCulture)] = m.Groups["what"].Value;
    }

    // "Reading 12 appended (…)" (log 300) and "Event lock_changed appended as seq 13" (log 301).
    [GeneratedRegex(@"(?:(?<what>Reading) (?<seq>\d+) appended|Event (?<what>[a-z_]+) appended as seq (?<seq>\d+))")]
    private static partial Regex AppendedLine();
}
