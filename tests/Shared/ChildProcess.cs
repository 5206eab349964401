using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace IoTPlatform.Tests.Shared;

/// <summary>
/// A child process whose console the tests read: stdout and stderr are pumped line by line (stderr lines prefixed
/// <see cref="StderrPrefix"/>), each line also handed to an optional observer. Lines at Error or Critical and anything
/// on stderr are <see cref="Errors"/>. It can be stopped with SIGTERM as a service manager would
/// (<see cref="StopAsync"/>) or killed with SIGKILL as a power cut would (<see cref="KillAsync"/>). The backend
/// (<see cref="GatewayProcess"/>) and the firmware in the end-to-end tests both run this way.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    public const string StderrPrefix = "stderr: ";
    private readonly Process _process;
    private readonly string _what;
    private readonly int _tailLines;
    private readonly Action<string>? _onLine;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    private ChildProcess(Process process, string what, int tailLines, Action<string>? onLine)
    {
        _process = process;
        _what = what;
        _tailLines = tailLines;
        _onLine = onLine;
        _stdout = PumpAsync(process.StandardOutput, "");
        _stderr = PumpAsync(process.StandardError, StderrPrefix);
    }

    /// <summary>
    /// Starts <paramref name="start"/> with its output redirected. <paramref name="what"/> names it in messages ("the
    /// backend"); <paramref name="onLine"/> sees every line as it was written (without the stderr prefix).
    /// </summary>
    public static ChildProcess Start(ProcessStartInfo start, string what, int tailLines, Action<string>? onLine = null)
    {
        ArgumentNullException.ThrowIfNull(start);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        start.UseShellExecute = false;
        var process = Process.Start(start) ?? throw new InvalidOperationException($"{start.FileName} did not start.");
        return new ChildProcess(process, what, tailLines, onLine);
    }

    public Process Process => _process;

    public bool HasExited => _process.HasExited;

    public IEnumerable<string> Lines => _lines;

    /// <summary>Log lines at Error or Critical (console prefixes <c>fail:</c> and <c>crit:</c>) and anything on stderr.</summary>
    public IEnumerable<string> Errors => _lines.Where(l =>
        l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal) || l.StartsWith(StderrPrefix, StringComparison.Ordinal));

    /// <summary>The last lines of its log, for failure messages.</summary>
    public string LogTail => string.Join(Environment.NewLine, _lines.TakeLast(_tailLines));

    /// <summary>Completes when both output streams have ended (the process exited).</summary>
    public Task OutputEnded => Task.WhenAll(_stdout, _stderr);

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed that was not already written.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        await OutputEnded;
    }

    /// <summary>SIGTERM, then waits for the exit; returns the exit code. Kills the process and throws if it does not exit in time.</summary>
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
            await _process.WaitForExitAsync();
            throw new TimeoutException($"{char.ToUpperInvariant(_what[0])}{_what[1..]} did not exit within {timeout.TotalSeconds} s of SIGTERM; killed.{Environment.NewLine}{LogTail}");
        }

        await OutputEnded;
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        await OutputEnded;
        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader, string prefix)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            _lines.Enqueue(prefix + line);
            _onLine?.Invoke(line);
        }
    }
}
