using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using IoTPlatform.Broker;
using IoTPlatform.DeviceGateway;
using IoTPlatform.DeviceGateway.Devices;
using IoTPlatform.DeviceGateway.Observability;
using IoTPlatform.DeviceGateway.Presence;
using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.DeviceProtocol;
using MQTTnet;
using MQTTnet.Formatter;
using static IoTPlatform.Gateway.Bench.Report;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// A reconnect storm against the real gateway, in this process: the same <see cref="GatewayApp"/> the
/// tests start (Kestrel on loopback port 0, a temporary data dir), N registered bikes, then N MQTT 5
/// clients connecting with bounded concurrency; afterwards all of them disconnect cleanly. Fails (exit 1)
/// unless every CONNECT got the answer it should and the broker's stats agree. The clients share the
/// process, and so the CPU, with the gateway.
/// </summary>
internal static class ConnectStorm
{
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan ClientTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SettleTimeout = TimeSpan.FromSeconds(20);

    public static async Task<int> RunAsync(string[] args)
    {
        if (!StormOptions.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error + Environment.NewLine + "usage: " + StormOptions.Usage);
            return 2;
        }

        using var deadline = new CancellationTokenSource(options.Timeout);
        var dataDir = Directory.CreateTempSubdirectory("iotplatform-storm-").FullName;
        var adminKey = "bench-admin-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16));
        using var logs = new CountingLoggerProvider();
        var app = GatewayApp.Build(
            ["--urls=http://127.0.0.1:0", "--Broker:TcpPort=0", $"--Storage:DataDir={dataDir}", $"--Api:AdminKey={adminKey}"],
            builder =>
            {
                builder.Logging.ClearProviders();
                builder.Logging.AddProvider(logs);
            });
        try
        {
            await app.StartAsync(deadline.Token);
            return await StormAsync(app, adminKey, options, logs, deadline.Token) ? 0 : 1;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Line($"FAILED: the run did not finish within {options.Timeout.TotalSeconds} s.");
            return 1;
        }
        finally
        {
            using (var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
            {
                await app.StopAsync(stop.Token);
            }

            await app.DisposeAsync();
            StateStore.ReleasePooledConnections();
            try
            {
                Directory.Delete(dataDir, recursive: true);
            }
            catch (IOException)
            {
                // A leftover temp folder is harmless.
            }
        }
    }

    private static async Task<bool> StormAsync(WebApplication app, string adminKey, StormOptions options, CountingLoggerProvider logs, CancellationToken cancellationToken)
    {
        var mqtt = app.Services.GetRequiredService<BrokerEndpoint>().TcpEndPoint
            ?? throw new InvalidOperationException("The broker has no TCP endpoint.");
        var baseAddress = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses
            .Select(a => new Uri(a))
            .First(a => a.Port != mqtt.Port);
        using var http = new HttpClient { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(10) };
        http.DefaultRequestHeaders.Add("X-Api-Key", adminKey);
        await WaitHealthyAsync(http, cancellationToken);

        Line($"connect-storm: {options.Devices} devices, concurrency {options.Concurrency}, wrong secrets {options.WrongPercent} %");
        Line($"runtime: {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, server GC {GCSettings.IsServerGC}, MQTT {mqtt}, HTTP {baseAddress}");

        // Setup (not part of the storm): register through the registry, as the HTTP API does.
        var setup = PhaseMeter.Start();
        var registry = app.Services.GetRequiredService<DeviceRegistry>();
        var ids = new string[options.Devices];
        var secrets = new string[options.Devices];
        for (var i = 0; i < options.Devices; i++)
        {
            ids[i] = string.Create(CultureInfo.InvariantCulture, $"bike-{i:D6}");
            var (outcome, issued) = await registry.RegisterAsync(ids[i], DeviceKind.Bike, 0, cancellationToken);
            if (outcome != RegistryOutcome.Done || issued is null)
            {
                throw new InvalidOperationException($"Registering {ids[i]} gave {outcome}.");
            }

            secrets[i] = options.PresentsWrongSecret(i) ? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32)) : issued.Secret;
        }

        setup.Stop();
        var expectedAccepted = Enumerable.Range(0, options.Devices).Count(i => !options.PresentsWrongSecret(i));
        Line($"setup: registered {options.Devices} devices in {setup.Wall.TotalSeconds:F1} s (not part of the storm)");

        var problems = new List<string>();
        for (var round = 1; round <= options.Rounds; round++)
        {
            Line($"--- round {round} of {options.Rounds}{(round == 1 ? " (first storm after start: cold JIT)" : "")}");
            problems.AddRange(await RoundAsync(http, mqtt, ids, secrets, options, logs, round, cancellationToken));
        }

        var errors = logs.Count(LogLevel.Error) + logs.Count(LogLevel.Critical);
        Line($"gateway log: {logs.Count(LogLevel.Information)} information, {logs.Count(LogLevel.Warning)} warning, {errors} error lines");
        if (errors > 0)
        {
            problems.Add($"the gateway logged {errors} errors");
            problems.AddRange(logs.Problems.Where(p => p.StartsWith("Error", StringComparison.Ordinal) || p.StartsWith("Critical", StringComparison.Ordinal)).Take(10));
        }

        if (problems.Count > 0)
        {
            Line($"FAILED ({problems.Count} problems shown):");
            foreach (var problem in problems)
            {
                Line($"  {problem}");
            }

            return false;
        }

        Line($"OK: in every round every CONNECT got the expected answer, the broker showed {expectedAccepted} connected, then 0.");
        return true;
    }

    /// <summary>One storm of CONNECTs and then clean DISCONNECTs of everyone who got in; returns what went wrong.</summary>
    private static async Task<List<string>> RoundAsync(
        HttpClient http, IPEndPoint mqtt, string[] ids, string[] secrets, StormOptions options, CountingLoggerProvider logs, int round, CancellationToken cancellationToken)
    {
        var expectedAccepted = Enumerable.Range(0, options.Devices).Count(i => !options.PresentsWrongSecret(i));
        var expectedRefused = options.Devices - expectedAccepted;
        var statsBefore = await StatsWhenAsync(http, _ => true, cancellationToken);
        var refusedBefore = statsBefore.Refusals.TryGetValue("bad-secret", out var r0) ? r0 : 0;
        var warningsBefore = logs.Count(LogLevel.Warning);
        // The storm.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        var workingSetBefore = Environment.WorkingSet;
        var heapBefore = GC.GetTotalMemory(forceFullCollection: false);
        var clients = new IMqttClient?[options.Devices];
        var codes = new MqttClientConnectResultCode?[options.Devices];
        var latencies = new double[options.Devices];
        var failures = new List<string>();
        var factory = new MqttClientFactory();
        var connect = PhaseMeter.Start();
        var sampler = ResourceSampler.Start();
        await ForEachAsync(options.Devices, options.Concurrency, async i =>
        {
            var client = factory.CreateMqttClient();
            clients[i] = client;
            var clientOptions = new MqttClientOptionsBuilder()
                .WithTcpServer(mqtt.Address.ToString(), mqtt.Port)
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId(ids[i])
                .WithCredentials(ids[i], secrets[i])
                .WithKeepAlivePeriod(KeepAlive)
                .WithCleanSession()
                .WithTimeout(ClientTimeout)
                .Build();
            var start = Stopwatch.GetTimestamp();
            var result = await client.ConnectAsync(clientOptions, cancellationToken);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            codes[i] = result.ResultCode;
        }, failures, ids, cancellationToken);
        connect.Stop();
        var accepted = codes.Count(c => c == MqttClientConnectResultCode.Success);
        var refused = codes.Count(c => c == MqttClientConnectResultCode.BadUserNameOrPassword);
        var wrongAnswers = Enumerable.Range(0, options.Devices)
            .Where(i => codes[i] != (options.PresentsWrongSecret(i) ? MqttClientConnectResultCode.BadUserNameOrPassword : MqttClientConnectResultCode.Success))
            .Select(i => $"{ids[i]}: {codes[i]?.ToString() ?? "no CONNACK"}")
            .ToList();

        // The broker's own view: every accepted device online, every wrong secret counted.
        var settle = Stopwatch.StartNew();
        var stats = await StatsWhenAsync(http, s => s.ConnectedDevices >= expectedAccepted, cancellationToken);
        var statsAfter = settle.Elapsed;
        await sampler.DisposeAsync();

        var accLat = Enumerable.Range(0, options.Devices).Where(i => codes[i] == MqttClientConnectResultCode.Success).Select(i => latencies[i]).ToArray();
        var refLat = Enumerable.Range(0, options.Devices).Where(i => codes[i] == MqttClientConnectResultCode.BadUserNameOrPassword).Select(i => latencies[i]).ToArray();
        Line($"storm {round}: {options.Devices} CONNECTs in {connect.Wall.TotalSeconds:F2} s = {options.Devices / connect.Wall.TotalSeconds:F0} connects/s; accepted {accepted}/{expectedAccepted}, refused {refused}/{expectedRefused}, failures {failures.Count}");
        Line($"  latency client ConnectAsync (TCP connect + CONNECT -> CONNACK), accepted: {Percentiles(accLat)}");
        if (refLat.Length > 0)
        {
            Line($"  latency, refused (bad-secret): {Percentiles(refLat)}");
        }

        Line($"  process CPU {connect.Cpu.TotalSeconds:F2} s ({connect.Cpu.TotalMilliseconds * 1000 / options.Devices:F0} µs per CONNECT, gateway + clients), {connect.Cpu / connect.Wall / Environment.ProcessorCount:P0} of {Environment.ProcessorCount} cores");
        Line($"  memory: working set {Mb(workingSetBefore)} before, peak {Mb(sampler.PeakWorkingSet)} (+{(sampler.PeakWorkingSet - workingSetBefore) / 1024.0 / options.Devices:F1} KiB per device); managed heap {Mb(heapBefore)} before, peak {Mb(sampler.PeakManagedHeap)}");
        Line($"  GC gen0/1/2 {string.Join('/', connect.Gcs)}, allocated {Mb(connect.Allocated)} ({connect.Allocated / options.Devices / 1024.0:F1} KiB per CONNECT, gateway + clients)");
        Line($"  load average before {connect.LoadBefore}, after {connect.LoadAfter}");
        Line($"  /api/broker/stats {statsAfter.TotalMilliseconds:F0} ms later: connectedDevices {stats.ConnectedDevices}, connectsTotal {stats.ConnectsTotal}, refusals {string.Join(", ", stats.Refusals.Select(r => $"{r.Key} {r.Value}"))}");

        // Clean disconnect of everyone who got in.
        var connected = Enumerable.Range(0, options.Devices).Where(i => clients[i]?.IsConnected == true).ToArray();
        var disconnectFailures = new List<string>();
        var disconnect = PhaseMeter.Start();
        await ForEachAsync(connected.Length, options.Concurrency, async k =>
        {
            var client = clients[connected[k]]!;
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), cancellationToken);
        }, disconnectFailures, [.. connected.Select(i => ids[i])], cancellationToken);
        var clientsDone = disconnect.Elapsed;
        var afterDisconnect = await StatsWhenAsync(http, s => s.ConnectedDevices == 0, cancellationToken);
        disconnect.Stop();
        Line($"disconnect {round}: {connected.Length} clean DISCONNECTs sent in {clientsDone.TotalSeconds:F2} s; broker shows 0 online after {disconnect.Wall.TotalSeconds:F2} s = {connected.Length / disconnect.Wall.TotalSeconds:F0} disconnects/s; failures {disconnectFailures.Count}");
        Line($"  process CPU {disconnect.Cpu.TotalSeconds:F2} s ({disconnect.Cpu.TotalMilliseconds * 1000 / Math.Max(1, connected.Length):F0} µs per disconnect), GC gen0/1/2 {string.Join('/', disconnect.Gcs)}, allocated {Mb(disconnect.Allocated)}, load average before {disconnect.LoadBefore}, after {disconnect.LoadAfter}");

        foreach (var client in clients)
        {
            client?.Dispose();
        }

        var problems = new List<string>();
        problems.AddRange(failures.Take(10).Select(f => "connect failed: " + f));
        problems.AddRange(wrongAnswers.Take(10).Select(w => "unexpected CONNACK: " + w));
        problems.AddRange(disconnectFailures.Take(10).Select(f => "disconnect failed: " + f));
        if (stats.ConnectedDevices != expectedAccepted)
        {
            problems.Add($"round {round}: stats show {stats.ConnectedDevices} connected, expected {expectedAccepted}");
        }

        var badSecrets = (stats.Refusals.TryGetValue("bad-secret", out var n) ? n : 0) - refusedBefore;
        if (badSecrets != expectedRefused)
        {
            problems.Add($"round {round}: stats show {badSecrets} new bad-secret refusals, expected {expectedRefused}");
        }

        if (stats.ConnectsTotal - statsBefore.ConnectsTotal != expectedAccepted)
        {
            problems.Add($"round {round}: connectsTotal grew by {stats.ConnectsTotal - statsBefore.ConnectsTotal}, expected {expectedAccepted}");
        }

        if (afterDisconnect.ConnectedDevices != 0)
        {
            problems.Add($"round {round}: stats show {afterDisconnect.ConnectedDevices} connected after the disconnects");
        }

        var warnings = logs.Count(LogLevel.Warning) - warningsBefore;
        if (warnings != expectedRefused)
        {
            problems.Add($"round {round}: the gateway logged {warnings} warnings, expected {expectedRefused} (one per refusal)");
            problems.AddRange(logs.Problems.Where(p => !p.Contains("bad-secret", StringComparison.Ordinal)).Take(10));
        }

        return problems;
    }

    /// <summary>Runs <paramref name="body"/> for indices 0..count-1 on <paramref name="concurrency"/> workers; exceptions become failures.</summary>
    private static async Task ForEachAsync(int count, int concurrency, Func<int, Task> body, List<string> failures, string[] names, CancellationToken cancellationToken)
    {
        var next = -1;
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < count && !cancellationToken.IsCancellationRequested)
            {
                try
                {
                    await body(i);
                }
#pragma warning disable CA1031 // Every failure is recorded and fails the run at the end.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    lock (failures)
                    {
                        failures.Add($"{names[i]}: {e.GetType().Name}: {e.Message}");
                    }
                }
            }
        }, cancellationToken));
        await Task.WhenAll(workers);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static async Task WaitHealthyAsync(HttpClient http, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            using var health = await http.GetAsync(new Uri("/health", UriKind.Relative), cancellationToken);
            if (health.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            if (waited.Elapsed > SettleTimeout)
            {
                throw new InvalidOperationException($"The gateway did not become healthy: {(int)health.StatusCode}.");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    /// <summary>Polls <c>GET /api/broker/stats</c> until <paramref name="done"/> holds or <see cref="SettleTimeout"/> passes; returns the last answer.</summary>
    private static async Task<BrokerStatsResponse> StatsWhenAsync(HttpClient http, Func<BrokerStatsResponse, bool> done, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            var stats = await http.GetFromJsonAsync<BrokerStatsResponse>(new Uri("/api/broker/stats", UriKind.Relative), cancellationToken)
                ?? throw new InvalidOperationException("/api/broker/stats returned nothing.");
            if (done(stats) || waited.Elapsed > SettleTimeout)
            {
                return stats;
            }

            await Task.Delay(10, cancellationToken);
        }
    }

    private static string Percentiles(double[] milliseconds)
    {
        if (milliseconds.Length == 0)
        {
            return "none";
        }

        Array.Sort(milliseconds);
        double At(double p) => milliseconds[Math.Clamp((int)Math.Ceiling(p * milliseconds.Length) - 1, 0, milliseconds.Length - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.50):F1} ms, p95 {At(0.95):F1} ms, p99 {At(0.99):F1} ms, max {milliseconds[^1]:F1} ms");
    }
}
