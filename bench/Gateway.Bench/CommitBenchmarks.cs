using System.Buffers;
using System.Globalization;
using BenchmarkDotNet.Attributes;
using IoTPlatform.DeviceGateway.Ingest;
using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// The two writes of one group commit as the ingest load shapes it — one new reading from each of
/// <see cref="Devices"/> bikes — on real files in a temp data dir: <see cref="DuckDbHistoryStore.WriteAsync"/>
/// (appender, one transaction, fsync'd WAL), <see cref="LatestStateStore.OnCommittedAsync"/> (the fold in memory
/// that precedes the PUBACKs) and that fold plus <see cref="LatestStateStore.SaveAsync"/> (upsert of every device's
/// latest state and the watermark in one SQLite transaction, synchronous=FULL). <see cref="BuildBatch"/>
/// is making the batch alone (included in the other two). One operation = one commit.
/// </summary>
[MemoryDiagnoser]
public class CommitBenchmarks
{
    private string _dataDir = "";
    private DuckDbHistoryStore _history = null!;
    private LatestStateStore _latest = null!;
    private string[] _ids = [];
    private long _start;
    private long _seq;
    private long _commitId;

    [Params(500)]
    public int Devices { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _dataDir = Directory.CreateTempSubdirectory("iotplatform-commitbench-").FullName;
        _history = new DuckDbHistoryStore(_dataDir);
        var store = new StateStore(_dataDir);
        _latest = new LatestStateStore(store, new GroupedWrites(store));
        _ids = [.. Enumerable.Range(0, Devices).Select(i => string.Create(CultureInfo.InvariantCulture, $"bike-{i:D6}"))];
        _start = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _history.Dispose();
        StateStore.ReleasePooledConnections();
        Directory.Delete(_dataDir, recursive: true);
    }

    [Benchmark(Baseline = true)]
    public CommitBatch BuildBatch() => NextBatch();

    [Benchmark]
    public Task HistoryWrite() => _history.WriteAsync(NextBatch(), CancellationToken.None);

    [Benchmark]
    public ValueTask LatestStateFold() => _latest.OnCommittedAsync(NextBatch(), CancellationToken.None);

    [Benchmark]
    public async Task LatestStateFoldAndSave()
    {
        await _latest.OnCommittedAsync(NextBatch(), CancellationToken.None);
        await _latest.SaveAsync(CancellationToken.None);
    }

    private CommitBatch NextBatch()
    {
        var seq = ++_seq;
        var messages = new IngestMessage[_ids.Length];
        for (var i = 0; i < _ids.Length; i++)
        {
            var message = new IngestMessage(_ids[i], DeviceKind.Bike, 0, TopicKind.Telemetry, ReadOnlySequence<byte>.Empty, _start + seq);
            message.Items.Add(new IngestItem(new Reading
            {
                Seq = seq,
                Ts = _start + seq,
                Lat = 39.9 + (i * 1e-4) + (seq * 1e-7),
                Lon = 116.4 + (seq * 1e-7),
                Alt = 44.1,
                Speed = 4.2,
                Course = 87.5,
                Hdop = 0.9,
                Sats = 9,
                Fix = 3,
                Battery = 87,
                Lock = LockState.Locked,
            }));
            messages[i] = message;
        }

        return new CommitBatch(++_commitId, messages);
    }
}
