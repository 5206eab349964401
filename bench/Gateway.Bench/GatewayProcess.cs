using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// The real backend as a child process (<c>dotnet DeviceGateway.dll</c> from this program's output folder, with
/// the runtimeconfig the Web SDK gave it) on free loopback ports. Its console log goes to
/// <c>gateway.log</c> next to the data dir, with error lines counted; its CPU time and peak resident set are read
/// from the process. <see cref="StopAsync"/> sends SIGTERM (the graceful shutdown a service manager does) and
/// waits for the exit.
/// </summary>
internal sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly StreamWriter _log;
    private readonly Task _stdout;
    private readonly Task _stderr;
    private long _errorLines;

    private GatewayProcess(Process process, StreamWriter log, int httpPort, int mqttPort)
    {
        _process = process;
        _log = log;
        HttpBase = new Uri($"http://127.0.0.1:{httpPort}");
        Mqtt = new IPEndPoint(IPAddress.Loopback, mqttPort);
        _stdout = PumpAsync(process.StandardOutput);
        _stderr = PumpAsync(process.StandardError);
    }

    public Uri HttpBase { get; }

    public IPEndPoint Mqtt { get; }

    public int Id => _process.Id;

    /// <summary>Lines the backend logged at Error or Critical (console prefixes <c>fail:</c>, <c>crit:</c>), plus anything on stderr.</summary>
    public long ErrorLines => Interlocked.Read(ref _errorLines);

    public bool HasExited => _process.HasExited;

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

    /// <summary>Starts the backend on <paramref name="dataDir"/> and waits until <c>/health</c> answers 200.</summary>
    public static async Task<GatewayProcess> StartAsync(string dataDir, string adminKey, IEnumerable<string> extraArgs, IEnumerable<string> environment, string logPath, CancellationToken cancellationToken)
    {
        var dll = Path.Combine(AppContext.BaseDirectory, "DeviceGateway.dll");
        var (httpPort, mqttPort) = (FreePort(), FreePort());
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = AppContext.BaseDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[dll, $"--urls=http://127.0.0.1:{httpPort}", $"--Broker:TcpPort={mqttPort}", $"--Storage:DataDir={dataDir}", $"--Api:AdminKey={adminKey}", .. extraArgs])
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var variable in environment)
        {
            var split = variable.IndexOf('=', StringComparison.Ordinal);
            start.Environment[variable[..split]] = variable[(split + 1)..];
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        var log = new StreamWriter(logPath, append: true) { AutoFlush = true };
        var gateway = new GatewayProcess(process, log, httpPort, mqttPort);
        try
        {
            await gateway.WaitHealthyAsync(cancellationToken);
            return gateway;
        }
        catch
        {
            await gateway.DisposeAsync();
            throw;
        }
    }

    /// <summary>SIGTERM, then waits for the exit; returns the exit code. Kills the process if it does not exit in time.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync();
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
            throw new TimeoutException($"The backend did not exit within {timeout.TotalSeconds} s of SIGTERM; killed.");
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
        await _log.DisposeAsync();
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = HttpBase, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The backend exited with {_process.ExitCode} before it became healthy (see the gateway log).");
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
                throw new TimeoutException($"The backend did not become healthy within {HealthTimeout.TotalSeconds} s.");
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private async Task PumpAsync(StreamReader reader)
    {
        var isStderr = ReferenceEquals(reader, _process.StandardError);
        while (await reader.ReadLineAsync() is { } line)
        {
            if (isStderr || line.StartsWith("fail:", StringComparison.Ordinal) || line.StartsWith("crit:", StringComparison.Ordinal))
            {
                Interlocked.Increment(ref _errorLines);
            }

            lock (_log)
            {
                _log.WriteLine(line);
            }
        }
    }

    /// <summary>A loopback port that was free a moment ago (the OS picks it; the small race with other programs is accepted).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
