using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using IoTPlatform.DeviceGateway.Ingest;
using IoTPlatform.Tests.Shared;
using MQTTnet;
using static IoTPlatform.Gateway.Bench.Report;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// Durable ingest under load: the real backend as a child process, N registered bikes, N MQTT 5 connections
/// publishing QoS 1 readings as fast as the PUBACKs come back (K in flight per device), a warm-up, then a
/// measured window. A PUBACK means the reading is committed to the history (<c>history.duckdb</c>, or with
/// <c>--history influxdb</c> an influxd the bench starts as a second child) and folded into the latest
/// state, so acknowledged readings per second is the durable rate. After the window the publishers finish what is
/// in flight, disconnect, the backend gets SIGTERM, and the history is audited: every acknowledged seq exactly
/// once. Fails (exit 1) on any failed publish, backend error line, reject, duplicate, spooled batch or audit finding.
/// </summary>
internal static class IngestBench
{
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(60);
    private static long s_windowStart = long.MaxValue;
    private static long s_windowEnd = long.MaxValue;
    private static long s_acked;
    private static volatile bool s_stopping;

    public static async Task<int> RunAsync(string[] args)
    {
        if (!IngestBenchOptions.TryParse(args, out var options, out var error))
        {
            await Console.Error.WriteLineAsync(error + Environment.NewLine + "usage: " + IngestBenchOptions.Usage);
            return 2;
        }

        // The per-device publish limit (20/s, burst 200) protects a fleet from one runaway device; this load is
        // 1,000 devices standing in for a much larger fleet, so the limit is lifted. Nothing else is changed.
        string[] gatewayArgs = ["--Broker:PublishRatePerSecond=100000", "--Broker:PublishBurst=100000", .. options.GatewayArgs];
        return await GatewayRun.InTempFolderAsync("ingest", options.Timeout, async (folder, cancellationToken) =>
        {
            try
            {
                Influx? influx = null;
                if (options.History == IngestBenchOptions.InfluxDbHistory)
                {
                    var server = await InfluxDbServer.SharedAsync().WaitAsync(cancellationToken);
                    var process = ChildProcesses.Find("influxd") ?? throw new InvalidOperationException("influxd started but is not a child of this process.");
                    influx = new Influx(server.Url, InfluxDbServer.NewDatabaseName("ingest"), process);
                    gatewayArgs = [.. gatewayArgs, "--Storage:History=influxdb", $"--Storage:InfluxDb:Url={server.Url}", $"--Storage:InfluxDb:Database={influx.Database}"];
                }

                var gateway = await folder.StartGatewayAsync(gatewayArgs, options.GatewayEnv, cancellationToken);
                await using (gateway)
                {
                    return await RunAgainstAsync(gateway, influx, folder.DataDir, folder.AdminKey, options, gatewayArgs, cancellationToken);
                }
            }
            finally
            {
                await InfluxDbServer.StopSharedAsync();
            }
        });
    }

    private static async Task<bool> RunAgainstAsync(
        GatewayProcess gateway, Influx? influx, string dataDir, string adminKey, IngestBenchOptions options, string[] gatewayArgs, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { BaseAddress = gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        http.DefaultRequestHeaders.Add("X-Api-Key", adminKey);
        Line($"ingest: {options.Devices} devices, {options.InFlight} in flight each, client {options.Client}, warm-up {options.Warmup.TotalSeconds} s, measured {options.Duration.TotalSeconds} s");
        GatewayRun.DescribeBackend(gateway, gatewayArgs, options.GatewayEnv);
        if (influx is not null)
        {
            Line($"history: InfluxDB, child process {influx.Process.Id} ({InfluxDbServer.Executable} {await InfluxVersionAsync(influx.Url, cancellationToken)}), {influx.Url}, database {influx.Database}");
        }

        GatewayRun.DescribeLoadGenerator();

        // Setup, not measured: register through the HTTP API, then connect everyone.
        var setup = Stopwatch.StartNew();
        var startMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var bikes = Enumerable.Range(0, options.Devices).Select(i => new SimulatedBike(string.Create(CultureInfo.InvariantCulture, $"bike-{i:D6}"), i, startMs)).ToArray();
        var secrets = await DeviceRegistration.RegisterAsync(http, [.. bikes.Select(b => b.Id)], "bike", cancellationToken);
        var registered = setup.Elapsed;
        var factory = new MqttClientFactory();
        var publishers = new IDevicePublisher[options.Devices];
        await Parallel.ForEachAsync(Enumerable.Range(0, options.Devices), new ParallelOptions { MaxDegreeOfParallelism = 100, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            publishers[i] = options.Client == IngestBenchOptions.RawClient
                ? await RawMqttPublisher.ConnectAsync(gateway.MqttEndPoint, bikes[i].Id, secrets[i], bikes[i].Topic, ct)
                : await MqttNetPublisher.ConnectAsync(factory, gateway.MqttEndPoint, bikes[i].Id, secrets[i], bikes[i].Topic, ct);
        });
        var receiveMaximum = publishers.Min(p => p.ReceiveMaximum);
        if (receiveMaximum < options.InFlight)
        {
            Line($"FAILED: the broker's Receive Maximum is {receiveMaximum}, below --inflight {options.InFlight}.");
            return false;
        }

        Line($"setup: registered {options.Devices} devices over HTTP in {registered.TotalSeconds:F1} s, connected in {(setup.Elapsed - registered).TotalSeconds:F1} s (not measured); the broker's Receive Maximum is {receiveMaximum}");

        // Load: every device publishes as fast as its PUBACKs come back.
        var workers = new List<Task<Worker>>();
        for (var d = 0; d < options.Devices; d++)
        {
            var device = new DeviceState(bikes[d], publishers[d]);
            for (var k = 0; k < options.InFlight; k++)
            {
                workers.Add(Task.Run(() => PublishLoopAsync(device, cancellationToken), CancellationToken.None));
            }
        }

        var all = Task.WhenAll(workers);
        await ProgressAsync(options.Warmup, all, cancellationToken);
        var before = await SnapshotAsync(http, gateway, influx, cancellationToken);
        Volatile.Write(ref s_windowStart, Stopwatch.GetTimestamp());
        await ProgressAsync(options.Duration, all, cancellationToken);
        Volatile.Write(ref s_windowEnd, Stopwatch.GetTimestamp());
        var after = await SnapshotAsync(http, gateway, influx, cancellationToken);
        s_stopping = true;
        var results = await all.WaitAsync(cancellationToken);
        var drained = await SnapshotAsync(http, gateway, influx, cancellationToken);
        var peakWorkingSet = gateway.PeakWorkingSet;
        var influxPeak = influx?.PeakWorkingSet ?? 0;

        foreach (var publisher in publishers)
        {
            await publisher.DisconnectAsync(cancellationToken);
            await publisher.DisposeAsync();
        }

        var exitCode = await gateway.StopAsync(StopTimeout);

        // Report.
        var wall = Stopwatch.GetElapsedTime(Volatile.Read(ref s_windowStart), Volatile.Read(ref s_windowEnd));
        var ackedInWindow = results.Sum(r => r.AckedInWindow);
        var latencies = results.SelectMany(r => r.Latencies).ToArray();
        var commits = after.Stats.Commits - before.Stats.Commits;
        var items = after.Stats.Readings + after.Stats.Events - before.Stats.Readings - before.Stats.Events;
        var backendCpu = after.BackendCpu - before.BackendCpu;
        var benchCpu = after.BenchCpu - before.BenchCpu;
        var machine = MachineCpu.BusyPercent(before.Machine, after.Machine);
        var backendPercent = 100 * backendCpu / wall;
        var benchPercent = 100 * benchCpu / wall;
        var influxCpu = after.InfluxCpu - before.InfluxCpu;
        var influxPercent = 100 * influxCpu / wall;
        Line($"window: {wall.TotalSeconds:F2} s, load average before {before.Load}, after {after.Load}");
        Line($"  acked (durable) {ackedInWindow} readings = {ackedInWindow / wall.TotalSeconds:F0} readings/s");
        Line($"  stored by the backend in the window {items} (= {items / wall.TotalSeconds:F0}/s) in {commits} commits = {(commits == 0 ? 0 : items / (double)commits):F1} items per commit, {commits / wall.TotalSeconds:F0} commits/s; last commit {after.Stats.LastCommitItems} items in {after.Stats.LastCommitMilliseconds:F2} ms");
        Line($"  PUBACK latency (publish -> PUBACK at the client): {Percentiles(latencies)}");
        var influxText = influx is null ? "" : $"influxd {influxPercent:F0} % ({influxCpu.TotalMilliseconds * 1000 / Math.Max(1, items):F1} µs per reading), ";
        Line($"  CPU: backend {backendPercent:F0} % ({backendCpu.TotalMilliseconds * 1000 / Math.Max(1, items):F1} µs per reading), {influxText}load generator {benchPercent:F0} %, whole machine {machine:F0} % (others {machine - backendPercent - influxPercent - benchPercent:F0} %) of {100 * Environment.ProcessorCount} %");
        Line($"  backend peak resident set (VmHWM, whole life) {Mb(peakWorkingSet)}{(influx is null ? "" : $", influxd {Mb(influxPeak)}")}");
        Line($"  load generator GC gen0/1/2 during the window: {after.Gcs[0] - before.Gcs[0]}/{after.Gcs[1] - before.Gcs[1]}/{after.Gcs[2] - before.Gcs[2]}");

        var problems = new List<string>();
        var failures = results.Sum(r => r.Failures);
        if (failures > 0)
        {
            problems.Add($"{failures} publishes failed or were not acknowledged with success: {string.Join("; ", results.SelectMany(r => r.Errors).Take(5))}");
        }

        var s = drained.Stats;
        Line($"  after the drain: withheld {s.Withheld}, commit failures {s.CommitFailures}, spooled batches {s.SpooledBatches} ({s.SpoolBytes} bytes), replayed {s.ReplayedBatches}, duplicates {s.Duplicates}");
        if (s.Rejected.Count > 0 || s.PositionsRejected.Count > 0 || s.Duplicates != 0 || s.Withheld != 0 || s.CommitFailures != 0
            || s.SpooledBatches != 0 || s.ReplayedBatches != 0)
        {
            problems.Add($"ingest stats: rejected {Format(s.Rejected)}, positions rejected {Format(s.PositionsRejected)}, duplicates {s.Duplicates}, withheld {s.Withheld}, commit failures {s.CommitFailures}, spooled {s.SpooledBatches}, replayed {s.ReplayedBatches}");
        }

        var totalAcked = results.Sum(r => (long)r.Acked.Count);
        if (s.Readings != totalAcked)
        {
            problems.Add($"the backend stored {s.Readings} readings, the devices got {totalAcked} PUBACKs");
        }

        if (exitCode != 0 || gateway.Errors.Any())
        {
            problems.Add($"backend exit code {exitCode}, {gateway.Errors.Count()} error lines in its log");
        }

        var acked = results.GroupBy(r => r.DeviceId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyCollection<long>)[.. g.SelectMany(r => r.Acked)], StringComparer.Ordinal);
        var sent = results.GroupBy(r => r.DeviceId, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Max(r => r.HighestSeq), StringComparer.Ordinal);
        var store = influx is null ? "history.duckdb" : $"InfluxDB database {influx.Database}";
        var auditTime = Stopwatch.StartNew();
        var stored = influx is null ? StoredReadings.CountsInDuckDb(dataDir) : await HistoryAudit.ReadInfluxDbAsync(influx.Url, influx.Database, cancellationToken);
        var audit = HistoryAudit.Check(stored, acked, sent);
        Line($"zero-loss audit of {store} (read in {auditTime.Elapsed.TotalSeconds:F1} s) after the backend exited ({exitCode}): {audit.Rows} rows, {totalAcked} acknowledged over the whole run; acknowledged but missing {audit.AckedMissing}, stored twice {audit.StoredTwice}, stored but not acknowledged {audit.StoredNotAcked}, stored but never sent {audit.StoredNeverSent}");
        if (!audit.Ok || audit.Rows != totalAcked)
        {
            problems.Add($"audit: {string.Join("; ", audit.Examples)}");
        }

        if (problems.Count > 0)
        {
            Line($"FAILED:");
            foreach (var problem in problems)
            {
                Line($"  {problem}");
            }

            return false;
        }

        Line($"OK: every acknowledged reading is in {store} exactly once; no reject, duplicate, withheld publish or backend error.");
        return true;
    }

    private static async Task<Worker> PublishLoopAsync(DeviceState device, CancellationToken cancellationToken)
    {
        var worker = new Worker(device.Bike.Id);
        while (!s_stopping && !cancellationToken.IsCancellationRequested)
        {
            var seq = Interlocked.Increment(ref device.Seq);
            worker.HighestSeq = Math.Max(worker.HighestSeq, seq);
            var payload = device.Bike.Reading(seq, DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            var started = Stopwatch.GetTimestamp();
            bool ok;
            try
            {
                ok = await device.Publisher.PublishAsync(payload, cancellationToken);
            }
#pragma warning disable CA1031 // Every failure is recorded and fails the run at the end.
            catch (Exception e)
#pragma warning restore CA1031
            {
                worker.Failures++;
                worker.Errors.Add($"{device.Bike.Id} seq {seq}: {e.GetType().Name}: {e.Message}");
                return worker;
            }

            var done = Stopwatch.GetTimestamp();
            if (!ok)
            {
                worker.Failures++;
                worker.Errors.Add($"{device.Bike.Id} seq {seq}: PUBACK not success");
                continue;
            }

            worker.Acked.Add(seq);
            Interlocked.Increment(ref s_acked);
            if (started >= Volatile.Read(ref s_windowStart) && done <= Volatile.Read(ref s_windowEnd))
            {
                worker.Latencies.Add((float)Stopwatch.GetElapsedTime(started, done).TotalMilliseconds);
            }

            if (done >= Volatile.Read(ref s_windowStart) && done <= Volatile.Read(ref s_windowEnd))
            {
                worker.AckedInWindow++;
            }
        }

        return worker;
    }

    private static async Task ProgressAsync(TimeSpan duration, Task workers, CancellationToken cancellationToken)
    {
        var end = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < end)
        {
            var before = Interlocked.Read(ref s_acked);
            var wait = TimeSpan.FromSeconds(Math.Min(5, Math.Max(0.01, (end - Stopwatch.GetTimestamp()) / (double)Stopwatch.Frequency)));
            if (workers.IsCompleted)
            {
                return;
            }

            await Task.Delay(wait, cancellationToken);
            if (wait < TimeSpan.FromSeconds(1))
            {
                continue;
            }

            Line($"  ... {(Interlocked.Read(ref s_acked) - before) / wait.TotalSeconds:F0} acked/s over the last {wait.TotalSeconds:F1} s");
        }
    }

    private static async Task<Snapshot> SnapshotAsync(HttpClient http, GatewayProcess gateway, Influx? influx, CancellationToken cancellationToken)
    {
        var stats = await http.GetFromJsonAsync<IngestStatsResponse>(new Uri("/api/ingest/stats", UriKind.Relative), cancellationToken)
            ?? throw new InvalidOperationException("/api/ingest/stats returned nothing.");
        using var self = Process.GetCurrentProcess();
        return new Snapshot(stats, gateway.CpuTime, influx?.CpuTime ?? TimeSpan.Zero, self.TotalProcessorTime, MachineCpu.Read(), PhaseMeter.LoadAverage(),
            [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)]);
    }

    private static string Format(IReadOnlyDictionary<string, long> counts) => counts.Count == 0 ? "none" : string.Join(", ", counts.Select(c => $"{c.Key} {c.Value}"));

    private static async Task<string> InfluxVersionAsync(Uri url, CancellationToken cancellationToken)
    {
        using var client = new IoTPlatform.Telemetry.History.InfluxDb.InfluxDbClient(new() { Url = url });
        return await client.PingAsync(cancellationToken);
    }

    /// <summary>The influxd of <c>--history influxdb</c> (started by <see cref="InfluxDbServer"/>) and the run's database.</summary>
    private sealed record Influx(Uri Url, string Database, Process Process)
    {
        public TimeSpan CpuTime
        {
            get
            {
                Process.Refresh();
                return Process.TotalProcessorTime;
            }
        }

        /// <summary>Peak resident set over its life (VmHWM).</summary>
        public long PeakWorkingSet
        {
            get
            {
                Process.Refresh();
                return Process.PeakWorkingSet64;
            }
        }
    }

    private sealed record Snapshot(IngestStatsResponse Stats, TimeSpan BackendCpu, TimeSpan InfluxCpu, TimeSpan BenchCpu, MachineCpu Machine, string Load, int[] Gcs);

    private sealed class DeviceState(SimulatedBike bike, IDevicePublisher publisher)
    {
#pragma warning disable CA1051 // Incremented with Interlocked by the device's publish loops.
        public long Seq;
#pragma warning restore CA1051

        public SimulatedBike Bike { get; } = bike;

        public IDevicePublisher Publisher { get; } = publisher;
    }

    private sealed class Worker(string deviceId)
    {
        public string DeviceId { get; } = deviceId;

        public List<long> Acked { get; } = [];

        public List<float> Latencies { get; } = [];

        public List<string> Errors { get; } = [];

        public long AckedInWindow { get; set; }

        public long HighestSeq { get; set; }

        public int Failures { get; set; }
    }
}
