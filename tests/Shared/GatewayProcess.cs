using System.Diagnostics;
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
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);
    private readonly ChildProcess _child;
    private readonly StreamWriter? _log;

    private GatewayProcess(ChildProcess child, string adminKey, StreamWriter? log, int httpPort, int mqttPort)
    {
        _child = child;
        _log = log;
        AdminKey = adminKey;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        MqttEndPoint = new IPEndPoint(IPAddress.Loopback, mqttPort);
    }

    public Uri BaseAddress { get; }

    public IPEndPoint MqttEndPoint { get; }

    public string AdminKey { get; }

    public int Id => _child.Process.Id;

    public bool HasExited => _child.HasExited;

    /// <summary>Log lines at Error or Critical (console prefixes <c>fail:</c> and <c>crit:</c>) and anything on stderr.</summary>
    public IEnumerable<string> Errors => _child.Errors;

    /// <summary>The last lines of its log, for failure messages.</summary>
    public string LogTail => _child.LogTail;

    /// <summary>User + system CPU time of the backend so far.</summary>
    public TimeSpan CpuTime
    {
        get
        {
            _child.Process.Refresh();
            return _child.Process.TotalProcessorTime;
        }
    }

    /// <summary>Peak resident set of the backend over its life (VmHWM).</summary>
    public long PeakWorkingSet
    {
        get
        {
            _child.Process.Refresh();
            return _child.Process.PeakWorkingSet64;
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
    public Task KillAsync() => _child.KillAsync();

    /// <summary>SIGTERM, then waits for the exit; returns the exit code. Kills the process and throws if it does not exit in time.</summary>
    public Task<int> StopAsync(TimeSpan timeout) => _child.StopAsync(timeout);

    public async ValueTask DisposeAsync()
    {
        await _child.DisposeAsync();
        if (_log is not null)
        {
            await _log.DisposeAsync();
        }
    }

    private static GatewayProcess Launch(string dataDir, string adminKey, string[] extraArgs, string[] environment, string? logPath)
    {
        var (httpPort, mqttPort) = (FreePort(), FreePort());
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet") { WorkingDirectory = AppContext.BaseDirectory };
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

        var log = logPath is null ? null : new StreamWriter(logPath, append: true) { AutoFlush = true };
        var child = ChildProcess.Start(start, "the backend", tailLines: 40, log is null ? null : line =>
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        });
        return new GatewayProcess(child, adminKey, log, httpPort, mqttPort);
    }

    private async Task WaitHealthyAsync(CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var waited = Stopwatch.StartNew();
        while (true)
        {
            if (_child.HasExited)
            {
                await _child.OutputEnded;
                throw new InvalidOperationException($"The backend exited with {_child.Process.ExitCode} before it became healthy:{Environment.NewLine}{LogTail}");
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

    /// <summary>A loopback port that was free a moment ago (the OS picks it; the small race is why the start retries).</summary>
    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
