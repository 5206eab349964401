using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace IoTPlatform.DeviceGateway.Tests.Infrastructure;

/// <summary>
/// The real backend as a child process: <c>dotnet DeviceGateway.dll</c> from the test's output folder (the
/// project reference copies the dll and its runtimeconfig there) on free loopback ports and a given data dir,
/// with <see cref="TestGateway.AdminKey"/>. It can be killed with SIGKILL (<see cref="Kill"/>) as a power cut
/// would, or stopped with SIGTERM (<see cref="StopAsync"/>) as a service manager would. Its console log is kept;
/// lines at Error or Critical are <see cref="Errors"/>.
/// </summary>
public sealed class GatewayChildProcess : IAsyncDisposable
{
    private static readonly TimeSpan HealthTimeout = TimeSpan.FromSeconds(60);
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly Task _stdout;
    private readonly Task _stderr;

    private GatewayChildProcess(Process process, int httpPort, int mqttPort)
    {
        _process = process;
        BaseAddress = new Uri($"http://127.0.0.1:{httpPort}");
        MqttEndPoint = new IPEndPoint(IPAddress.Loopback, mqttPort);
        _stdout = PumpAsync(process.StandardOutput, "");
        _stderr = PumpAsync(process.StandardError, "stderr: ");
    }

    public Uri BaseAddress { get; }

    public IPEndPoint MqttEndPoint { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>Log lines at Error or Critical (console prefixes <c>fail:</c> and <c>crit:</c>) and anything on stderr.</summary>
    public IEnumerable<string> Errors => _lines.Where(l => l.StartsWith("fail:", StringComparison.Ordinal) || l.StartsWith("crit:", StringComparison.Ordinal) || l.StartsWith("stderr: ", StringComparison.Ordinal));

    /// <summary>The last lines of its log, for failure messages.</summary>
    public string LogTail => string.Join(Environment.NewLine, _lines.TakeLast(40));

    /// <summary>Starts the backend on <paramref name="dataDir"/> and waits until <c>/health</c> answers 200; retries on a port taken in between.</summary>
    public static async Task<GatewayChildProcess> StartAsync(string dataDir, IEnumerable<string>? extraArgs = null, CancellationToken cancellationToken = default)
    {
        var args = extraArgs?.ToArray() ?? [];
        for (var attempt = 1; ; attempt++)
        {
            var child = Launch(dataDir, args);
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

    public HttpClient Client()
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        client.DefaultRequestHeaders.Add("X-Api-Key", TestGateway.AdminKey);
        return client;
    }

    /// <summary>Registers a device through the API and returns its secret.</summary>
    public async Task<string> RegisterAsync(string id, string kind = "bike")
    {
        using var client = Client();
        using var response = await client.PostAsJsonAsync("/api/devices", new { id, kind });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        return (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
    }

    /// <summary>SIGKILL: no shutdown code runs, nothing is flushed that was not already written.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
        await Task.WhenAll(_stdout, _stderr);
    }

    /// <summary>SIGTERM, then waits for the exit (killing it after <paramref name="timeout"/>); returns the exit code.</summary>
    public async Task<int> StopAsync(TimeSpan timeout)
    {
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
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
            Assert.Fail($"The backend did not exit within {timeout.TotalSeconds} s of SIGTERM.{Environment.NewLine}{LogTail}");
        }

        await Task.WhenAll(_stdout, _stderr);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }

        await Task.WhenAll(_stdout, _stderr);
        _process.Dispose();
    }

    private static GatewayChildProcess Launch(string dataDir, string[] extraArgs)
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
            $"--Api:AdminKey={TestGateway.AdminKey}",
            .. extraArgs,
        ];
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        return new GatewayChildProcess(Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start."), httpPort, mqttPort);
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
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
