using System.Collections.Concurrent;
using System.Globalization;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Ingest;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Tests.Shared;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace IoTPlatform.DeviceGateway.Tests.Ingest;

/// <summary>
/// Durable before PUBACK, across a power cut: the backend runs as a child process, devices publish QoS 1
/// readings several at a time, the process is killed with SIGKILL right after a PUBACK while publishes are still
/// in flight, then restarted on the same data dir; the devices re-send what was not acknowledged and some of what
/// was (as a device replaying its queue does). Afterwards, with the backend stopped, <c>history.duckdb</c> must
/// hold every acknowledged reading exactly once. The first backend never saves its latest state (a 10-minute save
/// interval, and nothing queries it), so what the restarted one shows as latest must come from the history.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class CrashRecoveryTests
{
    private const int Devices = 3;
    private const int InFlightPerDevice = 4;
    private const int AckedBeforeKill = 150;
    private static readonly TimeSpan TestTimeout = TimeSpan.FromSeconds(150);

    // The per-device publish limit (20/s, burst 200) is not what this test is about.
    private static readonly string[] GatewayArgs = ["--Broker:PublishRatePerSecond=10000", "--Broker:PublishBurst=10000"];

    private readonly List<GatewayProcess> _children = [];
    private string _dataDir = "";

    [SetUp]
    public void CreateDataDir() => _dataDir = Directory.CreateTempSubdirectory("iotplatform-crash-").FullName;

    [TearDown]
    public async Task KillChildrenAsync()
    {
        foreach (var child in _children)
        {
            await child.DisposeAsync();
        }

        try
        {
            Directory.Delete(_dataDir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }

    [Test]
    public async Task Every_acknowledged_reading_survives_a_kill_9_exactly_once_and_replays_are_stored_once()
    {
        using var deadline = new CancellationTokenSource(TestTimeout);
        var ct = deadline.Token;
        var first = await StartChildAsync(ct, "--Ingest:LatestSaveIntervalMilliseconds=600000");
        var devices = new List<Device>();
        for (var i = 1; i <= Devices; i++)
        {
            var id = string.Create(CultureInfo.InvariantCulture, $"bike-crash-{i}");
            devices.Add(new Device(id, await first.RegisterAsync(id), i, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds()));
        }

        // Phase 1: every device publishes with several in flight until enough PUBACKs came back, then SIGKILL.
        var enoughAcked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var acked = 0;
        var clients = new List<IMqttClient>();
        var loops = new List<Task>();
        foreach (var device in devices)
        {
            var client = await ConnectAsync(first, device, ct);
            clients.Add(client);
            for (var k = 0; k < InFlightPerDevice; k++)
            {
                loops.Add(Task.Run(() => PublishUntilFailureAsync(client, device, () =>
                {
                    if (Interlocked.Increment(ref acked) >= AckedBeforeKill)
                    {
                        enoughAcked.TrySetResult();
                    }
                }, ct), CancellationToken.None));
            }
        }

        await enoughAcked.Task.WaitAsync(ct);
        var inFlightAtKill = devices.Sum(d => d.InFlight);
        await first.KillAsync();
        await Task.WhenAll(loops).WaitAsync(ct);
        foreach (var client in clients)
        {
            client.Dispose();
        }

        var ackedBeforeKill = devices.ToDictionary(d => d.Id, d => d.Acked.Keys.ToHashSet());
        var unacked = devices.ToDictionary(d => d.Id, d => d.Sent.Keys.Where(seq => !d.Acked.ContainsKey(seq)).Order().ToList());
        Assert.That(inFlightAtKill, Is.GreaterThan(0), "the kill must find publishes in flight");
        Assert.That(unacked.Values.Sum(u => u.Count), Is.GreaterThan(0), "some publishes must have been cut off by the kill");

        // Phase 2: restart on the same data dir. The latest state is folded in from the history at start: at least the
        // newest acknowledged reading (a cut-off one may have been committed too).
        var second = await StartChildAsync(ct);
        using (var http = second.Client())
        {
            foreach (var device in devices)
            {
                var latest = await http.GetFromJsonAsync<JsonElement>($"/api/devices/{device.Id}/latest", ct);
                var latestSeq = latest.GetProperty("reading").GetProperty("seq").GetInt64();
                Assert.That(latestSeq, Is.GreaterThanOrEqualTo(ackedBeforeKill[device.Id].Max()), $"{device.Id}: latest after the restart");
                Assert.That(device.Sent.ContainsKey(latestSeq), Is.True, $"{device.Id}: latest seq {latestSeq} was sent");
            }
        }

        // Every device replays what was not acknowledged and some of what was.
        var resentAcked = 0;
        var resentUnacked = 0;
        foreach (var device in devices)
        {
            var ackedSeqs = ackedBeforeKill[device.Id].Order().ToList();
            // Every 7th acknowledged reading and the last 3 (those of the last commits before the kill).
            var again = ackedSeqs.Where((_, i) => i % 7 == 0).Concat(ackedSeqs.TakeLast(3)).Distinct().ToList();
            var replay = again.Concat(unacked[device.Id]).Order().ToList();
            resentAcked += again.Count;
            resentUnacked += unacked[device.Id].Count;
            using var client = await ConnectAsync(second, device, ct);
            foreach (var batch in replay.Chunk(InFlightPerDevice))
            {
                var results = await Task.WhenAll(batch.Select(seq => PublishAsync(client, device.Sent[seq], ct)));
                Assert.That(results.Select(r => r.ReasonCode), Is.All.EqualTo(MqttClientPublishReasonCode.Success), $"{device.Id} replay of seq {string.Join(',', batch)}");
                foreach (var seq in batch)
                {
                    device.Acked[seq] = true;
                }
            }

            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().WithReason(MqttClientDisconnectOptionsReason.NormalDisconnection).Build(), ct);
        }

        IngestStatsResponse stats;
        using (var http = second.Client())
        {
            stats = (await http.GetFromJsonAsync<IngestStatsResponse>("/api/ingest/stats", ct))!;
        }

        await TestContext.Out.WriteLineAsync(
            $"killed after {ackedBeforeKill.Values.Sum(a => a.Count)} PUBACKs with {inFlightAtKill} publishes in flight; replayed {resentAcked} acknowledged + " +
            $"{resentUnacked} cut off; the restarted backend stored {stats.Readings} and counted {stats.Duplicates} duplicates");
        Assert.That(await second.StopAsync(TimeSpan.FromSeconds(30)), Is.Zero, second.LogTail);

        // With the backend gone, the history: every reading a device got a PUBACK for, exactly once.
        var stored = StoredReadings.CountsInDuckDb(_dataDir);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Errors, Is.Empty, "the first backend logged errors");
            Assert.That(second.Errors, Is.Empty, "the restarted backend logged errors");

            // Re-sent acknowledged readings are duplicates; a cut-off one may also be, if its commit made it before the kill.
            Assert.That(stats.Duplicates, Is.InRange(resentAcked, resentAcked + resentUnacked), "duplicates counted by the restarted backend");
            Assert.That(stats.Readings + stats.Duplicates, Is.EqualTo(resentAcked + resentUnacked), "every replayed reading is stored or a duplicate");
            Assert.That(stats.Withheld, Is.Zero);
            foreach (var device in devices)
            {
                var mine = stored.GetValueOrDefault(device.Id) ?? [];
                var ackedSeqs = device.Acked.Keys.Order().ToList();
                Assert.That(ackedSeqs.Where(seq => !mine.ContainsKey(seq)), Is.Empty, $"{device.Id}: acknowledged but not stored");
                Assert.That(mine.Where(p => p.Value != 1).Select(p => $"{p.Key}×{p.Value}"), Is.Empty, $"{device.Id}: stored more than once");
                Assert.That(mine.Keys.Order(), Is.EqualTo(ackedSeqs), $"{device.Id}: stored = acknowledged (after the replay everything sent is acknowledged)");
            }
        }
    }

    private async Task<GatewayProcess> StartChildAsync(CancellationToken cancellationToken, params string[] args)
    {
        var child = await GatewayProcess.StartAsync(_dataDir, TestGateway.AdminKey, [.. GatewayArgs, .. args], cancellationToken: cancellationToken);
        _children.Add(child);
        return child;
    }

    private static async Task<IMqttClient> ConnectAsync(GatewayProcess gateway, Device device, CancellationToken cancellationToken)
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
                .WithTimeout(TimeSpan.FromSeconds(10))
                .Build(),
            cancellationToken);
        Assert.That(result.ResultCode, Is.EqualTo(MqttClientConnectResultCode.Success), device.Id);
        return client;
    }

    private static Task<MqttClientPublishResult> PublishAsync(IMqttClient client, Sent sent, CancellationToken cancellationToken) =>
        client.PublishAsync(
            new MqttApplicationMessageBuilder()
                .WithTopic(sent.Topic)
                .WithPayload(sent.Payload)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build(),
            cancellationToken);

    /// <summary>Publishes the device's next readings one after another until the connection fails (the kill).</summary>
    private static async Task PublishUntilFailureAsync(IMqttClient client, Device device, Action onAcked, CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            var sent = device.Next();
            MqttClientPublishResult result;
            Interlocked.Increment(ref device.InFlight);
            try
            {
                result = await PublishAsync(client, sent, cancellationToken);
            }
#pragma warning disable CA1031 // Whatever the client throws once the backend is gone ends this device's publishing.
            catch (Exception)
#pragma warning restore CA1031
            {
                return;
            }
            finally
            {
                Interlocked.Decrement(ref device.InFlight);
            }

            if (result.ReasonCode == MqttClientPublishReasonCode.Success)
            {
                device.Acked[sent.Seq] = true;
                onAcked();
            }
        }
    }

    private sealed record Sent(long Seq, string Topic, byte[] Payload);

    /// <summary>A device's readings: seq from 1, ts one millisecond apart from the start, a slow straight ride.</summary>
    private sealed class Device(string id, string secret, int index, long startMs)
    {
#pragma warning disable CA1051 // Counted with Interlocked by the publish loops.
        public int InFlight;
#pragma warning restore CA1051
        private long _seq;

        public string Id { get; } = id;

        public string Secret { get; } = secret;

        /// <summary>Every reading handed to the client, by seq: a replay re-sends the very same bytes.</summary>
        public ConcurrentDictionary<long, Sent> Sent { get; } = new();

        /// <summary>Seqs whose PUBACK said success.</summary>
        public ConcurrentDictionary<long, bool> Acked { get; } = new();

        public Sent Next()
        {
            var seq = Interlocked.Increment(ref _seq);
            var payload = string.Create(
                CultureInfo.InvariantCulture,
                $$"""{"seq":{{seq}},"ts":{{startMs + seq}},"lat":{{39.9 + (index * 0.01) + (seq * 1e-7):F7}},"lon":{{116.4 + (seq * 1e-7):F7}},"fix":3,"sats":9,"hdop":0.9,"battery":80,"lock":"locked"}""");
            var sent = new Sent(seq, Topics.Telemetry(Id), Encoding.UTF8.GetBytes(payload));
            Sent[seq] = sent;
            return sent;
        }
    }
}
