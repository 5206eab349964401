using System.Diagnostics;
using System.Net;
using System.Text;

namespace IoTPlatform.DeviceGateway.Tests.Infrastructure;

/// <summary>
/// Runs the real Debian <c>mosquitto_pub</c> / <c>mosquitto_sub</c> (package <c>mosquitto-clients</c>, installed
/// by <c>scripts/test.sh</c>). Arguments are passed as a list, never through a shell; every run has a hard
/// timeout after which the process tree is killed and the test fails.
/// </summary>
public static class MosquittoClient
{
    public const string Pub = "mosquitto_pub";
    public const string Sub = "mosquitto_sub";

    /// <summary>The <c>-V</c> values of the two protocol versions the broker serves.</summary>
    public const string V311 = "mqttv311";
    public const string V5 = "5";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Connection arguments of device <paramref name="deviceId"/>: client id = username = id, password = secret.</summary>
    public static string[] Device(IPEndPoint broker, string version, string deviceId, string secret, string? clientId = null) =>
    [
        "-h", broker.Address.ToString(),
        "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-V", version,
        "-i", clientId ?? deviceId,
        "-u", deviceId,
        "-P", secret,
    ];

    /// <summary>Runs <paramref name="tool"/> to its end and returns what it did; fails the test if it outlives <paramref name="timeout"/>.</summary>
    public static async Task<MosquittoResult> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        using var running = Start(tool, arguments);
        return await running.WaitAsync(timeout ?? DefaultTimeout);
    }

    /// <summary>Starts <paramref name="tool"/> and leaves it running (for sessions the test stops, pauses or kills).</summary>
    public static RunningMosquitto Start(string tool, IEnumerable<string> arguments)
    {
        var path = Locate(tool);
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var running = new RunningMosquitto(process, string.Join(' ', info.ArgumentList.Prepend(tool)));
        process.Start();
        process.StandardInput.Close();
        running.BeginReading();
        return running;
    }

    /// <summary>The full path of the tool on PATH; fails with a clear message when it is missing (CI must install it).</summary>
    public static string Locate(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"'{tool}' is not on PATH. These tests drive the broker with the real Mosquitto clients: " +
            "install the Debian package 'mosquitto-clients' (scripts/test.sh does) — they are not skipped.");
        return tool;
    }
}

/// <summary>What a finished mosquitto client did: exit code and everything it printed.</summary>
public sealed record MosquittoResult(string CommandLine, int ExitCode, string StandardOutput, string StandardError)
{
    /// <summary>Both streams, for messages that the tool prints on one or the other depending on version and <c>-d</c>.</summary>
    public string Output => StandardOutput + StandardError;

    public override string ToString() =>
        $"{CommandLine}{Environment.NewLine}exit {ExitCode}{Environment.NewLine}stdout:{Environment.NewLine}{StandardOutput}stderr:{Environment.NewLine}{StandardError}";
}

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
