using System.Buffers;
using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Health;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Spool;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTPlatform.DeviceGateway.Tests.Ingest;

public sealed class SpoolRestartTests
{
    [Test]
    public async Task A_spool_left_by_the_last_run_drains_at_start_and_the_stats_say_so()
    {
        var dataDir = Directory.CreateTempSubdirectory("iotplatform-gw-").FullName;
        using (var meters = new NoMeters())
        using (var stats = new IngestStats(meters))
        using (var spool = new HistorySpool(Path.Combine(dataDir, HistorySpool.FolderName), 1L << 20, stats, NullLogger<HistorySpool>.Instance))
        {
            Assert.That(spool.TryAppend(Batch(1, seq: 1)), Is.True);
            Assert.That(spool.TryAppend(Batch(2, seq: 2)), Is.True);
        }

        await using var gateway = await TestGateway.StartAsync(dataDir: dataDir);
        using var client = gateway.Client();
        var body = await Eventually.ValueAsync(
            () => client.GetFromJsonAsync<JsonElement>("/api/ingest/stats"),
            b => b.GetProperty("spooledBatches").GetInt64() == 0,
            TimeSpan.FromSeconds(20),
            "the spool drains");

        var history = (IHistoryQueries)gateway.Services.GetService(typeof(IHistoryQueries))!;
        var readings = await history.ReadingsAsync("bike-0001", long.MinValue, long.MaxValue, 100, CancellationToken.None);
        Assert.That(readings.Select(r => r.Reading.Seq), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(body.GetProperty("replayedBatches").GetInt64(), Is.EqualTo(2));
        Assert.That((body.GetProperty("spoolBytes").GetInt64(), body.GetProperty("spoolTornRecords").GetInt64()), Is.EqualTo((0L, 0L)));
        Assert.That(await gateway.Client(apiKey: null).GetStringAsync("/health"), Is.EqualTo("Healthy"));
    }

    [Test]
    public async Task Health_is_degraded_while_the_spool_holds_batches_with_its_depth()
    {
        var dataDir = Directory.CreateTempSubdirectory("iotplatform-spool-").FullName;
        using var meters = new NoMeters();
        using var stats = new IngestStats(meters);
        using var store = new DuckDbHistoryStore(dataDir);
        using var spool = new HistorySpool(Path.Combine(dataDir, HistorySpool.FolderName), 1L << 20, stats, NullLogger<HistorySpool>.Instance);
        var check = new HistoryStoreHealthCheck(store, spool, stats);

        Assert.That((await check.CheckHealthAsync(new HealthCheckContext())).Status, Is.EqualTo(HealthStatus.Healthy));
        spool.TryAppend(Batch(1, seq: 1));
        var degraded = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.That(degraded.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(degraded.Description, Does.Contain($"1 batch(es), {spool.Bytes} bytes"));
    }

    [Test]
    public async Task While_the_store_does_not_answer_health_is_degraded_if_the_spool_takes_the_commits_else_unhealthy()
    {
        var dataDir = Directory.CreateTempSubdirectory("iotplatform-spool-").FullName;
        using var meters = new NoMeters();
        using var stats = new IngestStats(meters);
        using var spool = new HistorySpool(Path.Combine(dataDir, HistorySpool.FolderName), 1L << 20, stats, NullLogger<HistorySpool>.Instance);
        var check = new HistoryStoreHealthCheck(new DownStore(), spool, stats);

        var nothingSpooled = await check.CheckHealthAsync(new HealthCheckContext());
        spool.TryAppend(Batch(1, seq: 1));
        var spooling = await check.CheckHealthAsync(new HealthCheckContext());

        Assert.That(nothingSpooled.Status, Is.EqualTo(HealthStatus.Unhealthy));
        Assert.That(spooling.Status, Is.EqualTo(HealthStatus.Degraded));
        Assert.That(spooling.Description, Does.Contain($"does not answer; the history spool holds 1 batch(es), {spool.Bytes} bytes"));
    }

    private static CommitBatch Batch(long commitId, long seq)
    {
        var message = new IngestMessage("bike-0001", DeviceKind.Bike, 0, TopicKind.Telemetry, ReadOnlySequence<byte>.Empty, 1_790_000_000_000);
        message.Items.Add(new IngestItem(new Reading { Seq = seq, Ts = 1_790_000_000_000 + seq, Battery = 70, Lock = LockState.Locked }));
        return new CommitBatch(commitId, [message]);
    }

    /// <summary>A history store that is down: every call fails as a refused connection does.</summary>
    private sealed class DownStore : IHistoryStore
    {
        public Task WriteAsync(CommitBatch batch, CancellationToken cancellationToken) => throw Down();

        public Task<IReadOnlySet<ItemKey>> FindKeysAsync(string deviceId, long fromTs, long toTs, CancellationToken cancellationToken) => throw Down();

        public IAsyncEnumerable<(string DeviceId, ItemKey Key)> ReadKeysSinceAsync(long sinceTs, CancellationToken cancellationToken) => throw Down();

        public Task PingAsync(CancellationToken cancellationToken) => throw Down();

        public Task<long> LastCommitIdAsync(CancellationToken cancellationToken) => throw Down();

        public Task<bool> ContainsCommitAsync(long commitId, CancellationToken cancellationToken) => throw Down();

        public IAsyncEnumerable<CommittedItem> ReadCommittedAfterAsync(long commitId, CancellationToken cancellationToken) => throw Down();

        public Task<long> DeleteOlderThanAsync(long beforeTs, CancellationToken cancellationToken) => throw Down();

        private static HttpRequestException Down() => new("Connection refused");
    }

    private sealed class NoMeters : System.Diagnostics.Metrics.IMeterFactory
    {
        private readonly List<System.Diagnostics.Metrics.Meter> _meters = [];

        public System.Diagnostics.Metrics.Meter Create(System.Diagnostics.Metrics.MeterOptions options)
        {
            var meter = new System.Diagnostics.Metrics.Meter(options);
            _meters.Add(meter);
            return meter;
        }

        public void Dispose() => _meters.ForEach(m => m.Dispose());
    }
}
