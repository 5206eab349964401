using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace IoTPlatform.DeviceGateway.Tests.EndToEnd;

/// <summary>
/// The real firmware, <c>dotnet LockController.Pi.dll run …</c>, as a child process (its build output, found through
/// the path the test project's build records). Keeps its console log; lines at Error or Critical and anything on
/// stderr are <see cref="Errors"/>. Every seq it logs as appended (readings at Debug, events at Information) is in
/// <see cref="AppendedSeqs"/>.
/// </summary>
internal sealed partial class FirmwareProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ConcurrentDictionary<long, string> _appended = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    private FirmwareProcess(Process process)
    {
        _process = process;
        _stdout = PumpAsync(process.StandardOutput, "");
        _stderr = PumpAsync(process.StandardError, "stderr: ");
    }

    /// <summary>The firmware's dll in its build output.</summary>
    public static string DllPath =>
        typeof(FirmwareProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "FirmwareDll").Value!;

    /// <summary>Seqs the firmware appended to its outbox, with what they were (<c>reading</c> or the event type).</summary>
    public IReadOnlyDictionary<long, string> AppendedSeqs => _appended;

    public IEnumerable<string> Lines => _lines;

    public IEnumerable<string> Errors => _lines.Where(l =>
        l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal) || l.StartsWith("stderr: ", StringComparison.Ordinal));

    public string LogTail => string.Join(Environment.NewLine, _lines.TakeLast(60));

    public bool HasExited => _process.HasExited;

    public static FirmwareProcess Start(IEnumerable<string> arguments)
    {
        string dll = DllPath;
        Assert.That(File.Exists(dll), Is.True, $"the firmware is built at {dll}");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(dll);
        start.ArgumentList.Add("run");
        foreach (string argument in arguments)
            start.ArgumentList.Add(argument);
        // One line per entry: the seq and the message stay on one line.
        start.Environment["Logging__Console__FormatterName"] = "simple";
        start.Environment["Logging__Console__FormatterOptions__SingleLine"] = "true";
        return new FirmwareProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."));
    }

    public bool Logged(string text) => _lines.Any(l => l.Contains(text, StringComparison.Ordinal));

    /// <summary>SIGTERM (as systemd stops it), then waits; returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await term.WaitForExitAsync();
        }
        using var wait = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(wait.Token);
        }
        catch (OperationCanceledException)
        {
            _process.Kill(entireProcessTree: true);
            throw new TimeoutException($"The firmware did not exit within {timeout.TotalSeconds} s of SIGTERM; killed.{Environment.NewLine}{LogTail}");
        }
        await Task.WhenAll(_stdout, _stderr);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        await Task.WhenAll(_stdout, _stderr);
        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader, string prefix)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            _lines.Enqueue(prefix + line);
            Match m = AppendedLine().Match(line);
            if (m.Success)
                _appended[long.Parse(m.Groups["seq"].Value, CultureInfo.InvariantCulture)] = m.Groups["what"].Value;
        }
    }

    // "Reading 12 appended (…)" (log 300) and "Event lock_changed appended as seq 13" (log 301).
    [GeneratedRegex(@"(?:(?<what>Reading) (?<seq>\d+) appended|Event (?<what>[a-z_]+) appended as seq (?<seq>\d+))")]
    private static partial Regex AppendedLine();
}
