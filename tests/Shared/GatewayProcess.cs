using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IoTPlatform.Tests.Shared;

/// <summary>
/// The real backend as a child process: <c>dotnet DeviceGateway.dll</c> from the caller's output folder (a project
/// reference copies the dll and the runtimeconfig the Web SDK gave it there) on free loopback ports, a given data
/// dir and admin key. It can be killed with SIGKILL (<see cref="KillAsync"/>) as a power cut would, or stopped with
/// SIGTERM (<see cref="StopAsync"/>) as a service manager would. Its console log is kept (and written to a file when
/// one is given); lines at Error or Critical and anything on stderr are <see cref="Errors"/>. Its CPU time and peak
/// resident set are read from the process. Compiled into the gateway tests and the bench from <c>tests/Shared/</c>.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private const string StderrPrefix = "stderr: ";
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly StreamWriter? _log;
    private readonly Task _stdout;
    private readonly Task _stderr;

    private GatewayProcess(Process process, string adminKey, StreamWriter? log, int httpPort, int mqttPort)
    {
        _process = process;
        _log = log;
        AdminKey = adminKey;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        MqttEndPoint = new IPEndPoint(IPAddress.Loopback, mqttPort);
        _stdout = PumpAsync(process.StandardOutput, "");
        _stderr = PumpAsync(process.StandardError, StderrPrefix);
    }

    public Uri BaseAddress { get; }

    public IPEndPoint MqttEndPoint { get; }

    public string AdminKey { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>Log lines at Error or Critical (console prefixes <c>fail:</c> and <c>crit:</c>) and anything on stderr.</summary>
    public IEnumerable<string> Errors => _lines.Where(l =>
        l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal) || l.StartsWith(StderrPrefix, StringComparison.Ordinal));

    /// <summary>The last lines of its log, for failure messages.</summary>
    public string LogTail => string.Join(Environment.NewLine, _lines.TakeLast(40));

    /// <summary>User + system CPU time of the backend so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _process.Refresh();
            return _process.TotalProcessorTime;
        }
    }

    /// <summary>Peak resident set of the backend over its life (VmHWM).</summary>
    public long PeakWorkingSet
    {
        get
        {
            _process.Refresh();
            return _process.PeakWorkingSet64;
        }
    }

    /// <summary>
    /// Starts the backend on <paramref name="dataDir"/> and waits until <c>/health</c> answers 200; retries on a port
    /// taken in between. <paramref name="environment"/> holds <c>NAME=value</c> pairs; <paramref name="logPath"/>,
    /// when given, receives the console log as well.
    /// </summary>
    public static async Task<GatewayProcess> StartAsync(
        string dataDir, string adminKey, IEnumerable<string>? extraArgs = null, IEnumerable<string>? environment = null, string? logPath = null,
        CancellationToken cancellationToken = default)
    {
        var args = extraArgs?.ToArray() ?? [];
        var variables = environment?.ToArray() ?? [];
        for (var attempt = 1; ; attempt++)
        {
            var child = Launch(dataDir, adminKey, args, variables, logPath);
            try
            {
                await child.WaitHealthyAsync(cancellationToken);
                return child;
            }
            catch (InvalidOperationException) when (attempt < 3 && child.HasExited && child.LogTail.Contains("address already in use", StringComparison.OrdinalIgnoreCase))
            {
                await child.DisposeAsync();
            }
            catch
            {
                await child.DisposeAsync();
                throw;
            }
        }
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed that was not already written.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        await Task.WhenAll(_stdout, _stderr);
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
            await KillAsync();
            throw new TimeoutException($"The backend did not exit within {timeout.TotalSeconds} s of SIGTERM; killed.{Environment.NewLine}{LogTail}");
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
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }

    private static GatewayProcess Launch(string dataDir, string adminKey, string[] extraArgs, string[] environment, string? logPath)
    {
        var (httpPort, mqttPort) = (FreePort(), FreePort());
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        string[] args =
        [
            Path.Combine(AppContext.BaseDirectory, "DeviceGateway.dll"),
            $"--urls=http://127.0.0.1:{httpPort}",
            $"--Broker:TcpPort={mqttPort}",
            $"--Storage:DataDir={dataDir}",
            $"--Api:AdminKey={adminKey}",
            .. extraArgs,
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var variable in environment)
        {
            var split = variable.IndexOf('=', StringComparison.Ordinal);
            start.Environment[variable[..split]] = variable[(split + 1)..];
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var log = logPath is null ? null : new StreamWriter(logPath, append: true) { AutoFlush = true };
        return new GatewayProcess(process, adminKey, log, httpPort, mqttPort);
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                await Task.WhenAll(_stdout, _stderr);
                throw new InvalidOperationException($"The backend exited with {_process.ExitCode} before it became healthy:{Environment.NewLine}{LogTail}");
            }

            try
            {
                using var health = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
                if (health.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (waited.Elapsed > HealthTimeout)
            {
                throw new TimeoutException($"The backend did not become healthy within {HealthTimeout.TotalSeconds} s:{Environment.NewLine}{LogTail}");
            }

            await Task.Delay(25, cancellationToken);
        }
    }

    private async Task PumpAsync(StreamReader reader, string prefix)
    {
        while (await reader.ReadLineAsync() is { } line)
        {
            _lines.Enqueue(prefix + line);
            if (_log is not null)
            {
                lock (_log)
                {
                    _log.WriteLine(line);
                }
            }
        }
    }

    /// <summary>A loopback port that was free a moment ago (the OS picks it; the small race is why the start retries).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
