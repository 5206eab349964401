using System.Diagnostics;
using System.Net;
using System.Text;

namespace IoTPlatform.DeviceGateway.Tests.Infrastructure;

/// <summary>A mosquitto client process that is still running; disposing kills it if it is.</summary>
public sealed class RunningMosquitto : IDisposable
{
    private readonly Process _process;
    private readonly string _commandLine;
    private readonly StringBuilder _stdout = new();
    private readonly StringBuilder _stderr = new();
    private readonly TaskCompletionSource _stdoutClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _stderrClosed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();

    internal RunningMosquitto(Process process, string commandLine)
    {
        _process = process;
        _commandLine = commandLine;
    }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>What it printed on stdout so far.</summary>
    public string StandardOutput
    {
        get
        {
            lock (_gate)
            {
                return _stdout.ToString();
            }
        }
    }

    /// <summary>Waits for the process to end by itself; kills it and fails the test after <paramref name="timeout"/>.</summary>
    public async Task<MosquittoResult> WaitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            Kill();
            Assert.Fail($"{_commandLine} did not end within {timeout.TotalSeconds:0.#} s; output so far:{Environment.NewLine}{Snapshot(-1)}");
        }

        return await CollectAsync();
    }

    /// <summary>Kills it (SIGKILL: no DISCONNECT, the kernel closes the socket) and returns what it printed.</summary>
    public async Task<MosquittoResult> KillAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        return await CollectAsync();
    }

    /// <summary>SIGSTOP: the process keeps its TCP connection open but sends nothing, not even PINGREQ.</summary>
    public void Pause() => Signal("STOP");

    /// <summary>SIGCONT after <see cref="Pause"/>.</summary>
    public void Resume() => Signal("CONT");

    public void Dispose()
    {
        Kill();
        _process.Dispose();
    }

    internal void BeginReading()
    {
        _ = PumpAsync(_process.StandardOutput, _stdout, _stdoutClosed);
        _ = PumpAsync(_process.StandardError, _stderr, _stderrClosed);
    }

    private async Task PumpAsync(StreamReader reader, StringBuilder into, TaskCompletionSource closed)
    {
        var buffer = new char[4096];
        try
        {
            int read;
            while ((read = await reader.ReadAsync(buffer)) > 0)
            {
                lock (_gate)
                {
                    into.Append(buffer, 0, read);
                }
            }
        }
        catch (IOException)
        {
            // The pipe went away with the process.
        }
        catch (ObjectDisposedException)
        {
            // Disposed while reading.
        }

        closed.TrySetResult();
    }

    private async Task<MosquittoResult> CollectAsync()
    {
        // The pipes close when the process (and anything that inherited them) is gone.
        await Task.WhenAll(_stdoutClosed.Task, _stderrClosed.Task).WaitAsync(TimeSpan.FromSeconds(10));
        lock (_gate)
        {
            return new MosquittoResult(_commandLine, _process.ExitCode, _stdout.ToString(), _stderr.ToString());
        }
    }

    private string Snapshot(int exitCode)
    {
        lock (_gate)
        {
            return new MosquittoResult(_commandLine, exitCode, _stdout.ToString(), _stderr.ToString()).ToString();
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                // A stopped process still dies of SIGKILL.
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone or never started.
        }
    }

    private void Signal(string signal)
    {
        // kill(1) with an argument list: no shell, no P/Invoke.
        var info = new ProcessStartInfo("kill") { UseShellExecute = false, RedirectStandardError = true };
        info.ArgumentList.Add("-" + signal);
        info.ArgumentList.Add(_process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var kill = Process.Start(info)!;
        var error = kill.StandardError.ReadToEnd();
        if (!kill.WaitForExit(5000))
        {
            kill.Kill();
            Assert.Fail($"kill -{signal} {_process.Id} did not end");
        }

        Assert.That(kill.ExitCode, Is.Zero, $"kill -{signal} {_process.Id}: {error}");
    }
}
