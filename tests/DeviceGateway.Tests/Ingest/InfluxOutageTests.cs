using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Tests.Shared;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTPlatform.DeviceGateway.Tests.Ingest;

/// <summary>
/// Issue #6: the history store (a real influxd of this test's own) is killed with SIGKILL for 30 s while
/// devices publish QoS 1 readings steadily. Every publish is still acknowledged (the spool takes it),
/// <c>/health</c> is Degraded with the spool's depth; once influxd is back on the same data dir the spool
/// drains, and InfluxDB holds every acknowledged reading exactly once.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class InfluxOutageTests
{
    private const int Devices = 5;
    private static readonly TimeSpan PublishInterval = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(120);

    private InfluxDbServer? _influx;
    private TestGateway? _gateway;
    private readonly List<IMqttClient> _clients = [];

    [TearDown]
    public async Task StopEverythingAsync()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }

        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_influx is not null)
        {
            await _influx.DisposeAsync();
        }
    }

    [Test]
    public async Task Killing_InfluxDB_for_30_s_under_load_loses_no_acknowledged_reading_and_stores_none_twice()
    {
        using var deadline = new CancellationTokenSource(TestTimeout);
        var ct = deadline.Token;
        _influx = await InfluxDbServer.StartOwnedAsync();
        _gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Storage:History"] = "influxdb",
            ["Storage:InfluxDb:Url"] = _influx.Url.ToString(),
            ["Storage:InfluxDb:Database"] = InfluxDbServer.NewDatabaseName("outage"),
            ["Storage:HistoryWrite:AttemptTimeoutMilliseconds"] = "1000",
            ["Storage:HistoryWrite:BreakDurationMilliseconds"] = "1000",
            ["Storage:HistoryWrite:ReplayBackoffMinMilliseconds"] = "100",
            ["Storage:HistoryWrite:ReplayBackoffMaxMilliseconds"] = "2000",
            ["Broker:PublishRatePerSecond"] = "1000",
            ["Broker:PublishBurst"] = "1000",
        });
        using var http = _gateway.Client();
        using var anonymous = _gateway.Client(apiKey: null);
        var startMs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();

        var devices = new List<Device>();
        for (var i = 1; i <= Devices; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"bike-outage-{i}");
            var device = new Device(id, await _gateway.RegisterAsync(id), i);
            devices.Add(device);
            _clients.Add(await ConnectAsync(_gateway, device, ct));
        }

        // Steady load: each device publishes one reading every 200 ms and waits for its PUBACK.
        using var stopPublishing = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var loops = devices.Select((d, i) => Task.Run(() => PublishSteadilyAsync(_clients[i], d, stopPublishing.Token), CancellationToken.None)).ToList();
        try
        {
            await Eventually.ValueAsync(
                () => Task.FromResult(devices.Min(d => d.Acked.Count)),
                n => n >= 5,
                TimeSpan.FromSeconds(20),
                "every device has 5 readings acknowledged before the outage");

            // The outage: SIGKILL, then publish until 30 s have passed.
            await _influx.KillAsync();
            var ackedAtKill = devices.Sum(d => d.Acked.Count);
            var outage = Stopwatch.StartNew();
            var healthSeen = new HashSet<string>(StringComparer.Ordinal);
            var maxSpooled = 0L;
            while (outage.Elapsed < Outage)
            {
                var stats = await http.GetFromJsonAsync<JsonElement>("/api/ingest/stats", ct);
                maxSpooled = Math.Max(maxSpooled, stats.GetProperty("spooledBatches").GetInt64());
                healthSeen.Add(await HealthAsync(anonymous, ct));

                await Task.Delay(250, ct);
            }

            var ackedInOutage = devices.Sum(d => d.Acked.Count) - ackedAtKill;
            var spooledAtEnd = await http.GetFromJsonAsync<JsonElement>("/api/ingest/stats", ct);
            var report = await _gateway.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(ct);
            var healthAtEnd = await HealthAsync(anonymous, ct);
            var spooledBatches = spooledAtEnd.GetProperty("spooledBatches").GetInt64();
            await TestContext.Out.WriteLineAsync(
                $"outage: {ackedInOutage} PUBACKs in {outage.Elapsed.TotalSeconds:0.0} s, spool up to {maxSpooled} batches, /health seen: {string.Join(", ", healthSeen)}; " +
                $"at the end {spooledBatches} batches, history-store: {report.Entries["history-store"].Description}");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(ackedInOutage, Is.GreaterThan(Devices * 30), "publishes are acknowledged throughout the outage");
                Assert.That(devices.SelectMany(d => d.Failures), Is.Empty, "no publish failed");
                Assert.That(spooledBatches, Is.GreaterThan(0), "the spool holds the outage's commits");
                Assert.That(healthAtEnd, Is.EqualTo("Degraded"));
                Assert.That(report.Entries["history-store"].Status, Is.EqualTo(HealthStatus.Degraded));
                Assert.That(report.Entries["history-store"].Description, Does.Match(@"spool holds [1-9][0-9]* batch\(es\), [1-9][0-9]* bytes"), "/health's check names the spool's depth");
            }

            // InfluxDB back on the same data dir: the spool drains while the devices keep publishing.
            await _influx.RestartAsync();
            var restarted = Stopwatch.StartNew();
            await WaitDrainedAsync(http, anonymous, ct);
            await TestContext.Out.WriteLineAsync($"drained {restarted.Elapsed.TotalSeconds:0.0} s after the restart");
        }
        finally
        {
            await stopPublishing.CancelAsync();
            await Task.WhenAll(loops);
        }

        // Publishing stopped; whatever its last commits spooled drains too.
        var final = await WaitDrainedAsync(http, anonymous, ct);
        var queries = _gateway.Services.GetRequiredService<IHistoryQueries>();
        var toMs = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds() + 60_000;
        var codes = devices.SelectMany(d => d.Codes).GroupBy(c => c).ToDictionary(g => g.Key, g => g.Count());
        await TestContext.Out.WriteLineAsync(
            $"acknowledged {devices.Sum(d => d.Acked.Count)} readings; PUBACK codes: {string.Join(", ", codes.Select(c => $"{c.Key}×{c.Value}"))}; " +
            $"replayed {final.GetProperty("replayedBatches").GetInt64()} batches");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(devices.SelectMany(d => d.Failures), Is.Empty, "no publish failed");
            Assert.That(codes.Keys, Is.EqualTo(new[] { MqttClientPublishReasonCode.Success }), "every PUBACK was a success (no 0x97: the spool had room)");
            Assert.That(final.GetProperty("replayedBatches").GetInt64(), Is.GreaterThan(0));
            Assert.That(final.GetProperty("spoolTornRecords").GetInt64(), Is.Zero);
            foreach (var device in devices)
            {
                var stored = await queries.ReadingsAsync(device.Id, startMs - 60_000, toMs, 50_000, ct);
                var seqs = stored.Select(r => r.Reading.Seq).ToList();
                var acked = device.Acked.Keys.Order().ToList();
                Assert.That(seqs.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => $"{g.Key}×{g.Count()}"), Is.Empty, $"{device.Id}: stored more than once");
                Assert.That(acked.Except(seqs), Is.Empty, $"{device.Id}: acknowledged but not stored");
                Assert.That(seqs.Except(acked), Is.Empty, $"{device.Id}: stored but never acknowledged");
                Assert.That(seqs.Count, Is.EqualTo(acked.Count), $"{device.Id}: stored = acknowledged");
            }

            // Store failures are expected during the outage, and only those: the writes that went to the spool and
            // the replay's retries (warnings), Polly's reports of the history-write pipeline (errors and warnings:
            // its failed attempts and the opened circuit), and the health check of
            // the history store — an error ("Unhealthy") only in the moments after the kill before anything was
            // spooled, a warning ("Degraded") after. Kestrel's note about the test's "urls" is the one other line.
            var unexpected = _gateway.Logs.Entries
                .Where(e => e.Level >= LogLevel.Warning && !IsExpectedDuringOutage(e.Category, e.Message))
                .Select(e => $"{e.Level} {e.Category}: {e.Message}");
            Assert.That(unexpected, Is.Empty, "warnings or errors other than the history store's failures");
            Assert.That(_gateway.Logs.Entries.Where(e => e.Message.StartsWith("History write of commit", StringComparison.Ordinal)), Is.Not.Empty, "the failed writes went to the spool");
            Assert.That(_gateway.Logs.Entries.Where(e => e.Message.Contains("withheld", StringComparison.Ordinal)), Is.Empty, "no commit was withheld");
        }
    }

    private const string HealthCheckCategory = "Microsoft.Extensions.Diagnostics.HealthChecks.DefaultHealthCheckService";

    private static bool IsExpectedDuringOutage(string category, string message) => category switch
    {
        "IoTPlatform.Telemetry.Ingest.GroupCommitter" or "IoTPlatform.Telemetry.Spool.SpoolReplayer" =>
            message.StartsWith("History write of commit", StringComparison.Ordinal) || message.StartsWith("Replaying commit", StringComparison.Ordinal),
        "Polly" => message.Contains("'history-write", StringComparison.Ordinal),
        HealthCheckCategory => message.StartsWith("Health check history-store with status", StringComparison.Ordinal) && (message.Contains("The history store does not answer", StringComparison.Ordinal) || message.Contains("The history spool holds", StringComparison.Ordinal)),
        "Microsoft.AspNetCore.Server.Kestrel" => message.StartsWith("Overriding address(es)", StringComparison.Ordinal),
        _ => false,
    };

    /// <summary>Polls until the spool is empty and /health is Healthy; returns the stats then.</summary>
    private static async Task<JsonElement> WaitDrainedAsync(HttpClient http, HttpClient anonymous, CancellationToken ct)
    {
        var (stats, health) = await Eventually.ValueAsync(
            async () => (await http.GetFromJsonAsync<JsonElement>("/api/ingest/stats", ct), await HealthAsync(anonymous, ct)),
            s => s.Item1.GetProperty("spooledBatches").GetInt64() == 0 && s.Item2 == "Healthy",
            TimeSpan.FromSeconds(30),
            "the spool drains and /health is Healthy");
        return stats;
    }

    /// <summary>The body of /health (200 Healthy/Degraded, 503 Unhealthy).</summary>
    private static async Task<string> HealthAsync(HttpClient anonymous, CancellationToken ct)
    {
        using var health = await anonymous.GetAsync(new Uri("/health", UriKind.Relative), ct);
        return await health.Content.ReadAsStringAsync(ct);
    }

    private static async Task<IMqttClient> ConnectAsync(TestGateway gateway, Device device, CancellationToken ct)
    {
        var client = new MqttClientFactory().CreateMqttClient();
        var result = await client.ConnectAsync(
            new MqttClientOptionsBuilder()
                .WithTcpServer(gateway.MqttEndPoint.Address.ToString(), gateway.MqttEndPoint.Port)
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId(device.Id)
                .WithCredentials(device.Id, device.Secret)
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(30))
                .WithCleanStart()
                .WithTimeout(TimeSpan.FromSeconds(15))
                .Build(),
            ct);
        Assert.That(result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success), device.Id);
        return client;
    }

    /// <summary>One reading every <see cref="PublishInterval"/>, each awaited; stops when <paramref name="stop"/> is cancelled.</summary>
    private static async Task PublishSteadilyAsync(IMqttClient client, Device device, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(PublishInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var (seq, payload) = device.Next();
                MqttClientPublishResult result;
                try
                {
                    // Not cancelled by stop: the last publish completes, so its PUBACK is recorded.
                    result = await client.PublishAsync(
                        new MqttApplicationMessageBuilder()
                            .WithTopic(Topics.Telemetry(device.Id))
                            .WithPayload(payload)
                            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                            .Build(),
                        CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(20), CancellationToken.None);
                }
#pragma warning disable CA1031 // Any failure of the client is a finding of the test, reported by its assertions.
                catch (Exception e)
#pragma warning restore CA1031
                {
                    device.Failures.Add($"seq {seq}: {e.GetType().Name}: {e.Message}");
                    return;
                }

                device.Codes.Add(result.ReasonCode);
                if (result.ReasonCode == MqttClientPublishReasonCode.Success)
                {
                    device.Acked[seq] = true;
                }
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            // Publishing stopped.
        }
    }

    /// <summary>A device's readings: seq from 1, ts = now, a slow straight ride.</summary>
    private sealed class Device(string id, string secret, int index)
    {
        private long _seq;

        public string Id { get; } = id;

        public string Secret { get; } = secret;

        /// <summary>Seqs whose PUBACK said success.</summary>
        public ConcurrentDictionary<long, bool> Acked { get; } = new();

        public ConcurrentBag<MqttClientPublishReasonCode> Codes { get; } = [];

        public ConcurrentBag<string> Failures { get; } = [];

        public (long Seq, byte[] Payload) Next()
        {
            var seq = Interlocked.Increment(ref _seq);
            var ts = TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds();
            var payload = string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"seq":{{seq}},"ts":{{ts}},"lat":{{39.9 + (index * 0.01) + (seq * 1e-6):F7}},"lon":{{116.4 + (seq * 1e-6):F7}},"fix":3,"sats":9,"hdop":0.9,"battery":80,"lock":"locked"}""");
            return (seq, Encoding.UTF8.GetBytes(payload));
        }
    }
}
