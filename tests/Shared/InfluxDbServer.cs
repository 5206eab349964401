using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IoTPlatform.Tests.Shared;

/// <summary>
/// One real <c>influxd</c> (1.x, the Debian package) per test run, started on first use: a generated
/// config in a temp dir (meta, data and WAL there), HTTP and RPC on free loopback ports, no reporting,
/// no logs. Ready when <c>/ping</c> answers 204. Each test takes its own database
/// (<see cref="NewDatabaseName"/>). <see cref="StopSharedAsync"/> (from a <c>[SetUpFixture]</c>) kills
/// it and removes the dir; process exit does too, as a backstop. A test that stops the server takes its own
/// (<see cref="StartOwnedAsync"/>): <see cref="KillAsync"/> is a SIGKILL, <see cref="RestartAsync"/> starts
/// it again on the same dir and ports; disposing it kills it and removes the dir.
/// Compiled into each test project from <c>tests/Shared/</c>.
/// </summary>
internal sealed class InfluxDbServer : IAsyncDisposable
{
    public const string Executable = "/usr/bin/influxd";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lock Gate = new();
    private static Task<InfluxDbServer>? _shared;
    private static int _databases;

    private readonly string _dir;
    private readonly string _config;
    private readonly StringBuilder _output = new();
    private Process _process;

    private InfluxDbServer(string dir, string config, Uri url)
    {
        _dir = dir;
        _config = config;
        Url = url;
        _process = Launch(config, _output);
    }

    /// <summary>The HTTP API, e.g. <c>http://127.0.0.1:41234/</c>.</summary>
    public Uri Url { get; }

    /// <summary>The run's server, started by the first caller.</summary>
    public static Task<InfluxDbServer> SharedAsync()
    {
        lock (Gate)
        {
            if (_shared is null || _shared.IsFaulted)
            {
                _shared = StartAsync();
                AppDomain.CurrentDomain.ProcessExit += (_, _) => KillShared();
            }

            return _shared;
        }
    }

    /// <summary>A server of the caller's own, which it may kill and restart; the caller disposes it.</summary>
    public static Task<InfluxDbServer> StartOwnedAsync() => StartAsync();

    /// <summary>SIGKILL, as a crash or an OOM kill would; returns once the process is gone.</summary>
    public async Task KillAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>Starts the killed server again on the same data dir and ports; returns once <c>/ping</c> answers.</summary>
    public async Task RestartAsync()
    {
        if (!_process.HasExited)
        {
            throw new InvalidOperationException("influxd is still running.");
        }

        _process.Dispose();
        _process = Launch(_config, _output);
        await WaitForPingAsync();
    }

    /// <summary>Stops the run's server if one was started.</summary>
    public static async Task StopSharedAsync()
    {
        Task<InfluxDbServer>? shared;
        lock (Gate)
        {
            shared = _shared;
            _shared = null;
        }

        if (shared is { IsCompletedSuccessfully: true })
        {
            await shared.Result.DisposeAsync();
        }
    }

    /// <summary>A database name no other test uses (InfluxDB creates it on the store's first use).</summary>
    public static string NewDatabaseName(string prefix = "test") =>
        string.Create(CultureInfo.InvariantCulture, $"{prefix}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}_{Guid.NewGuid():N}");

    public async ValueTask DisposeAsync()
    {
        Kill();
        await _process.WaitForExitAsync();
        _process.Dispose();
        try
        {
            Directory.Delete(_dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp dir is harmless.
        }
    }

    private static async Task<InfluxDbServer> StartAsync()
    {
        if (!File.Exists(Executable))
        {
            throw new InvalidOperationException($"{Executable} is missing: scripts/test.sh installs the Debian package 'influxdb'.");
        }

        // A free port can be taken by someone else before influxd binds it: then influxd exits, and it is tried again.
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            try
            {
                return await TryStartAsync();
            }
            catch (InvalidOperationException e)
            {
                last = e;
            }
        }

        throw new InvalidOperationException("influxd did not start.", last);
    }

    private static async Task<InfluxDbServer> TryStartAsync()
    {
        var dir = Directory.CreateTempSubdirectory("iotplatform-influxd-").FullName;
        var httpPort = FreePort();
        var rpcPort = FreePort();
        var config = Path.Combine(dir, "influxdb.conf");
        await File.WriteAllTextAsync(config, $"""
            reporting-disabled = true
            bind-address = "127.0.0.1:{rpcPort}"

            [meta]
              dir = "{dir}/meta"
              logging-enabled = false

            [data]
              dir = "{dir}/data"
              wal-dir = "{dir}/wal"
              query-log-enabled = false
              trace-logging-enabled = false

            [http]
              bind-address = "127.0.0.1:{httpPort}"
              log-enabled = false
              write-tracing = false
              max-row-limit = 0

            [logging]
              level = "error"
              suppress-logo = true

            [monitor]
              store-enabled = false

            [continuous_queries]
              enabled = false

            [subscriber]
              enabled = false
            """);
        var server = new InfluxDbServer(dir, config, new Uri($"http://127.0.0.1:{httpPort}/"));
        try
        {
            await server.WaitForPingAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static Process Launch(string config, StringBuilder output)
    {
        var process = new Process
        {
            StartInfo = new ProcessStartInfo(Executable, ["-config", config])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            },
        };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private async Task WaitForPingAsync()
    {
        using var http = new HttpClient { BaseAddress = Url, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"influxd exited with {_process.ExitCode}: {Output()}");
            }

            try
            {
                using var ping = await http.GetAsync(new Uri("ping", UriKind.Relative));
                if (ping.StatusCode == HttpStatusCode.NoContent)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }

            if (deadline.Elapsed > StartTimeout)
            {
                throw new TimeoutException($"influxd did not answer /ping within {StartTimeout.TotalSeconds} s: {Output()}");
            }

            await Task.Delay(50);
        }
    }

    private string Output()
    {
        lock (_output)
        {
            return _output.ToString();
        }
    }

    private static void Append(StringBuilder output, string? line)
    {
        if (line is not null)
        {
            lock (output)
            {
                output.AppendLine(line);
            }
        }
    }

    private static void KillShared()
    {
        if (_shared is { IsCompletedSuccessfully: true } shared)
        {
            shared.Result.Kill();
        }
    }

    private void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
