using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.Tests.Shared;
using MQTTnet;
using static IoTPlatform.Gateway.Bench.Report;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// Remote commands under load: the real backend as a child process, N registered bikes whose controllers are
/// <see cref="AckingController"/>s, and one rider per bike sending <c>unlock</c>, <c>lock</c>, <c>unlock</c>, …
/// back to back through <c>POST /api/devices/{id}/commands?wait=10</c> (a new Idempotency-Key each). Each answer
/// comes once the command ended, so a rider has one command open at a time, as a person at a bike does. After a
/// warm-up a window is measured: commands that ended SUCCEEDED per second, the rider's latency (POST → answer),
/// the backend's CPU and peak resident set. Fails (exit 1) on any command that did not end SUCCEEDED, any
/// controller failure or backend error line.
/// </summary>
internal static class CommandBench
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);
    private static long s_windowStart = long.MaxValue;
    private static long s_windowEnd = long.MaxValue;
    private static volatile bool s_stopping;

    public static async Task<int> RunAsync(string[] args)
    {
        if (!IngestBenchOptions.TryParse(args, out var options, out var error))
        {
            return await UsageAsync(error);
        }

        if (OnlyCommandOptions(options) is { } misplaced)
        {
            return await UsageAsync(misplaced);
        }

        // One device gets a command every few ms here, far above a rider's pace: the per-device limit (20 a
        // minute) is lifted to its maximum. Nothing else is changed.
        string[] gatewayArgs = ["--Commands:MaxPerDevicePerMinute=10000", .. options.GatewayArgs];
        return await GatewayRun.InTempFolderAsync("commands", options.Timeout, async (folder, cancellationToken) =>
        {
            var gateway = await folder.StartGatewayAsync(gatewayArgs, options.GatewayEnv, cancellationToken);
            await using (gateway)
            {
                return await RunAgainstAsync(gateway, folder.AdminKey, options, gatewayArgs, cancellationToken);
            }
        });
    }

    public const string Usage =
        "commands [--devices N (default 1000; one rider each)] [--warmup-seconds W (default 5)] [--seconds S (default 20)] " +
        "[--timeout-seconds T (default 300)] [--gateway-arg --Key=Value ...] [--gateway-env NAME=value ...]";

    private static async Task<int> UsageAsync(string error)
    {
        await Console.Error.WriteLineAsync(error + Environment.NewLine + "usage: " + Usage);
        return 2;
    }

    private static string? OnlyCommandOptions(IngestBenchOptions options) =>
        options.InFlight != 2 || options.Client != IngestBenchOptions.MqttNetClient || options.History != IngestBenchOptions.DuckDbHistory
            ? "--inflight, --client and --history are options of ingest, not of commands."
            : null;

    private static async Task<bool> RunAgainstAsync(GatewayProcess gateway, string adminKey, IngestBenchOptions options, string[] gatewayArgs, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", adminKey);
        Line($"commands: {options.Devices} bikes, one rider each (unlock, lock, … with ?wait=10), warm-up {options.Warmup.TotalSeconds} s, measured {options.Duration.TotalSeconds} s");
        GatewayRun.DescribeBackend(gateway, gatewayArgs, options.GatewayEnv);
        GatewayRun.DescribeLoadGenerator();

        // Setup, not measured.
        var setup = Stopwatch.StartNew();
        var ids = Enumerable.Range(0, options.Devices).Select(i => string.Create(CultureInfo.InvariantCulture, $"bike-{i:D6}")).ToArray();
        var secrets = await DeviceRegistration.RegisterAsync(http, ids, "bike", cancellationToken);
        var factory = new MqttClientFactory();
        var controllers = new AckingController[options.Devices];
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Devices), new ParallelOptions { MaxDegreeOfParallelism = 50, CancellationToken = cancellationToken }, async (i, ct) =>
            controllers[i] = await AckingController.ConnectAsync(factory, gateway.MqttEndPoint, ids[i], secrets[i], ct));
        Line($"setup: {options.Devices} bikes registered and their controllers connected and subscribed in {setup.Elapsed.TotalSeconds:F1} s (not measured)");

        var riders = ids.Select(id => Task.Run(() => RideAsync(http, id, cancellationToken), CancellationToken.None)).ToArray();
        var all = Task.WhenAll(riders);
        await Task.WhenAny(all, Task.Delay(options.Warmup, cancellationToken));
        var before = await SnapshotAsync(http, gateway, cancellationToken);
        Volatile.Write(ref s_windowStart, Stopwatch.GetTimestamp());
        await Task.WhenAny(all, Task.Delay(options.Duration, cancellationToken));
        Volatile.Write(ref s_windowEnd, Stopwatch.GetTimestamp());
        var after = await SnapshotAsync(http, gateway, cancellationToken);
        s_stopping = true;
        var results = await all.WaitAsync(cancellationToken);
        var peakWorkingSet = gateway.PeakWorkingSet;
        foreach (var controller in controllers)
        {
            await controller.SettleAsync(cancellationToken);
            await controller.DisconnectAsync(cancellationToken);
            await controller.DisposeAsync();
        }

        var exitCode = await gateway.StopAsync(StopTimeout);

        var wall = Stopwatch.GetElapsedTime(Volatile.Read(ref s_windowStart), Volatile.Read(ref s_windowEnd));
        var succeeded = results.Sum(r => r.SucceededInWindow);
        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        var backendCpu = after.BackendCpu - before.BackendCpu;
        var benchCpu = after.BenchCpu - before.BenchCpu;
        var machine = MachineCpu.BusyPercent(before.Machine, after.Machine);
        var backendPercent = 100 * backendCpu / wall;
        var benchPercent = 100 * benchCpu / wall;
        Line($"window: {wall.TotalSeconds:F2} s, load average before {before.Load}, after {after.Load}");
        Line($"  ended SUCCEEDED {succeeded} commands = {succeeded / wall.TotalSeconds:F0} commands/s");
        Line($"  rider latency (POST ?wait=10 -> answer with the ended command): {Percentiles(latencies)}");
        Line($"  sends per command in the window {(after.Attempts - before.Attempts) / (double)Math.Max(1, after.Created - before.Created):F2} ({after.Attempts - before.Attempts} sends, {after.Created - before.Created} created)");
        Line($"  CPU: backend {backendPercent:F0} % ({backendCpu.TotalMilliseconds * 1000 / Math.Max(1, succeeded):F0} µs per command), load generator {benchPercent:F0} %, whole machine {machine:F0} % (others {machine - backendPercent - benchPercent:F0} %) of {100 * Environment.ProcessorCount} %");
        Line($"  backend peak resident set (VmHWM, whole life) {Mb(peakWorkingSet)}");

        var problems = new List<string>();
        var failures = results.Sum(r => r.Failures);
        if (failures > 0)
        {
            problems.Add($"{failures} commands did not end SUCCEEDED: {string.Join("; ", results.SelectMany(r => r.Errors).Take(5))}");
        }

        var controllerFailures = controllers.Sum(c => c.Failures);
        if (controllerFailures > 0)
        {
            problems.Add($"{controllerFailures} commands undecodable or acks not taken at the controllers");
        }

        var total = results.Sum(r => r.Succeeded);
        var answered = controllers.Sum(c => c.Answered);
        Line($"  whole run: {total} commands SUCCEEDED, {answered} answered by the controllers");
        if (exitCode != 0)
        {
            problems.Add($"the backend exited with {exitCode}");
        }

        if (gateway.Errors.Any())
        {
            problems.Add($"backend error lines: {string.Join(" | ", gateway.Errors.Take(3))}");
        }

        foreach (var problem in problems)
        {
            Line($"FAILED: {problem}");
        }

        if (problems.Count == 0)
        {
            Line($"OK: every command ended SUCCEEDED; no controller failure or backend error.");
        }

        return problems.Count == 0;
    }

    private static async Task<Rider> RideAsync(HttpClient http, string deviceId, CancellationToken cancellationToken)
    {
        var rider = new Rider();
        var action = "unlock";
        while (!s_stopping && !cancellationToken.IsCancellationRequested)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri($"/api/devices/{deviceId}/commands?wait=10", UriKind.Relative))
            {
                Content = JsonContent.Create(new { action }),
            };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString("N"));
            var started = Stopwatch.GetTimestamp();
            string? state = null;
            HttpStatusCode status;
            try
            {
                using var response = await http.SendAsync(request, cancellationToken);
                status = response.StatusCode;
                if (status == HttpStatusCode.Created)
                {
                    state = (await response.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("state").GetString();
                }
            }
#pragma warning disable CA1031 // Every failure is recorded and fails the run at the end.
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or JsonException)
#pragma warning restore CA1031
            {
                rider.Failures++;
                rider.Errors.Add($"{deviceId} {action}: {e.GetType().Name}: {e.Message}");
                return rider;
            }

            var done = Stopwatch.GetTimestamp();
            if (state != "SUCCEEDED")
            {
                rider.Failures++;
                rider.Errors.Add($"{deviceId} {action}: {(int)status} {state ?? "(no command)"}");
                return rider;
            }

            rider.Succeeded++;
            if (started >= Volatile.Read(ref s_windowStart) && done <= Volatile.Read(ref s_windowEnd))
            {
                rider.SucceededInWindow++;
                rider.Latencies.Add((float)Stopwatch.GetElapsedTime(started, done).TotalMilliseconds);
            }

            action = action == "unlock" ? "lock" : "unlock";
        }

        return rider;
    }

    private static async Task<Snapshot> SnapshotAsync(HttpClient http, GatewayProcess gateway, CancellationToken cancellationToken)
    {
        var stats = await http.GetFromJsonAsync<JsonElement>(new Uri("/api/commands/stats", UriKind.Relative), cancellationToken);
        using var self = Process.GetCurrentProcess();
        return new Snapshot(stats.GetProperty("created").GetInt64(), stats.GetProperty("attempts").GetInt64(), gateway.CpuTime, self.TotalProcessorTime, MachineCpu.Read(), PhaseMeter.LoadAverage());
    }

    private sealed record Snapshot(long Created, long Attempts, TimeSpan BackendCpu, TimeSpan BenchCpu, MachineCpu Machine, string Load);

    private sealed class Rider
    {
        public long Succeeded { get; set; }

        public long SucceededInWindow { get; set; }

        public long Failures { get; set; }

        public List<string> Errors { get; } = [];

        public List<float> Latencies { get; } = [];
    }
}
