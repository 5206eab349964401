using System.Buffers;
using System.Text;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Ingest.Steps;
using IoTPlatform.Telemetry.Spool;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.Telemetry.Tests.Infrastructure;

/// <summary>
/// The real ingest pipeline on a real DuckDB history in a temporary directory, with a fake clock.
/// <see cref="Store"/> may be swapped for a failing one through <paramref name="wrap"/>. The spool is in
/// <c>DataDir/spool</c>; the "history-write" pipeline and the replay use real time with millisecond delays.
/// </summary>
public sealed class IngestRig : IAsyncDisposable
{
    public static readonly DateTimeOffset Now = new(2026, 11, 22, 10, 0, 0, TimeSpan.Zero);

    private readonly TestMeterFactory _meters = new();

    /// <summary>Fast settings for tests: one quick retry, a breaker that stays closed in short tests, replay backoff of milliseconds.</summary>
    public static HistoryWriteOptions FastWrites => new()
    {
        AttemptTimeoutMilliseconds = 5000,
        RetryAttempts = 1,
        RetryDelayMilliseconds = 1,
        BreakerMinimumThroughput = 1000,
        BreakDurationMilliseconds = 500,
        ReplayBackoffMinMilliseconds = 5,
        ReplayBackoffMaxMilliseconds = 50,
    };

    private IngestRig(string dataDir, IngestOptions options, long spoolMaxBytes, Func<IHistoryStore, IHistoryStore>? wrap, params ICommitObserver[] observers)
    {
        DataDir = dataDir;
        Options = options;
        Store = new DuckDbHistoryStore(dataDir);
        History = wrap?.Invoke(Store) ?? Store;
        Stats = new IngestStats(_meters);
        Keys = new KeyIndex(History, options);
        Spool = new HistorySpool(Path.Combine(dataDir, HistorySpool.FolderName), spoolMaxBytes, Stats, NullLogger<HistorySpool>.Instance);
        var writes = FastWrites;
        var writer = new HistoryWriter(History, HistoryWritePipeline.Build(writes, TimeProvider.System));
        Replayer = new SpoolReplayer(Spool, writer, writes, Stats, TimeProvider.System, NullLogger<SpoolReplayer>.Instance);
        Committer = new GroupCommitter(writer, Spool, observers, options, Stats, Time, NullLogger<GroupCommitter>.Instance);
        Pipeline = new IngestPipeline(
        [
            new DecodeStep(Stats, NullLogger<DecodeStep>.Instance),
            new ValidateStep(Stats, Time, NullLogger<ValidateStep>.Instance),
            new GpsCheckStep(new GpsCheck(options.Gps, new NoFixes()), Stats, Time),
            new DeduplicateStep(Keys, Stats),
            new StoreStep(Committer, Stats),
        ]);
    }

    public static long NowMs => Now.ToUnixTimeMilliseconds();

    public string DataDir { get; }

    public IngestOptions Options { get; }

    public FakeTimeProvider Time { get; } = new(Now);

    public DuckDbHistoryStore Store { get; }

    public IHistoryStore History { get; }

    public IngestStats Stats { get; }

    public KeyIndex Keys { get; }

    public GroupCommitter Committer { get; }

    public HistorySpool Spool { get; }

    public SpoolReplayer Replayer { get; }

    public IngestPipeline Pipeline { get; }

    /// <summary>Starts as the gateway does: keys warmed from the history, the spool's keys marked stored, committer, replayer.</summary>
    public static async Task<IngestRig> StartAsync(
        string? dataDir = null, IngestOptions? options = null, Func<IHistoryStore, IHistoryStore>? wrap = null, long spoolMaxBytes = 1L << 30,
        params ICommitObserver[] observers)
    {
        var rig = new IngestRig(
            dataDir ?? Directory.CreateTempSubdirectory("ingest-rig-").FullName,
            options ?? new IngestOptions { FlushDelayMilliseconds = 0 },
            spoolMaxBytes,
            wrap,
            observers);
        await rig.Keys.WarmAsync(NowMs - (rig.Options.DedupWarmMinutes * 60_000L), CancellationToken.None);
        foreach (var message in rig.Spool.ReadAll().SelectMany(b => b.Messages))
        {
            rig.Keys.MarkStored(message.DeviceId, message.ItemsToStore.Select(i => i.Key));
        }

        await rig.Committer.StartAsync(CancellationToken.None);
        rig.Replayer.Start();
        return rig;
    }

    public static string Reading(long seq, long ts, double lat = 39.9042, double lon = 116.4074, int battery = 80, string lockState = "locked") =>
        $$"""{"seq":{{seq}},"ts":{{ts}},"lat":{{lat.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"lon":{{lon.ToString(System.Globalization.CultureInfo.InvariantCulture)}},"fix":3,"battery":{{battery}},"lock":"{{lockState}}"}""";

    public async Task<(IngestOutcome Outcome, IngestMessage Message)> PublishAsync(
        string deviceId, string payload, TopicKind topic = TopicKind.Telemetry, DeviceKind kind = DeviceKind.Bike, int slots = 0)
    {
        var message = new IngestMessage(deviceId, kind, slots, topic, new ReadOnlySequence<byte>(Encoding.UTF8.GetBytes(payload)), Time.GetUtcNow().ToUnixTimeMilliseconds());
        var outcome = await Pipeline.RunAsync(message, CancellationToken.None);
        return (outcome, message);
    }

    public async Task<IReadOnlyList<StoredReading>> ReadingsAsync(string deviceId) =>
        await Store.ReadingsAsync(deviceId, long.MinValue, long.MaxValue, 100_000, CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Committer.StopAsync();
        await Replayer.DisposeAsync();
        Spool.Dispose();
        Store.Dispose();
        Stats.Dispose();
        _meters.Dispose();
    }
}
