using System.Buffers;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.Telemetry.Tests.History;

public sealed class DuckDbHistoryStoreTests
{
    private const long Now = 1_763_805_600_000;

    private static readonly Reading Full = new()
    {
        Seq = 1042, Ts = Now, Lat = 39.90421, Lon = 116.40739, Alt = 44.1, Speed = 4.2, Course = 87.5, Hdop = 0.9, Sats = 9, Fix = 3,
        Battery = 87, Lock = LockState.Locked,
        Slots = [new SlotReading { N = 1, State = SlotState.Occupied, Item = "umb-0042", Charge = 80 }, new SlotReading { N = 2, State = SlotState.Empty }],
    };

    private static readonly DeviceEvent Event = new()
    {
        Seq = 1043, Ts = Now + 1, Type = EventType.SlotChanged, Slot = 2, SlotState = SlotState.Occupied, Item = "umb-0007",
        Lock = LockState.Locked, Battery = 86, Lat = 39.9, Lon = 116.4, Distance = 1.5, Fw = "1.2.3", Reason = "returned",
    };

    private string _dataDir = null!;

    [SetUp]
    public void NewDataDir() => _dataDir = Directory.CreateTempSubdirectory("history-").FullName;

    [TearDown]
    public void RemoveDataDir() => Directory.Delete(_dataDir, recursive: true);

    [Test]
    public async Task Every_field_of_a_reading_and_an_event_reads_back_as_written_after_a_reopen()
    {
        using (var store = new DuckDbHistoryStore(_dataDir))
        {
            await store.WriteAsync(Batch(1, "umb-0001", new IngestItem(Full) { PositionRejected = PositionReasons.ImplausibleSpeed }, new IngestItem(Event)), CancellationToken.None);
        }

        using var reopened = new DuckDbHistoryStore(_dataDir);
        var reading = (await reopened.ReadingsAsync("umb-0001", Now, Now + 1, 10, CancellationToken.None)).Single();
        var stored = (await reopened.EventsAsync("umb-0001", Now, Now + 2, EventType.SlotChanged, 10, CancellationToken.None)).Single();

        Assert.That(reading.Reading with { Slots = null }, Is.EqualTo(Full with { Slots = null }));
        Assert.That(reading.Reading.Slots, Is.EqualTo(Full.Slots));
        Assert.That((reading.DeviceId, reading.PositionRejected, reading.ReceivedAtMs), Is.EqualTo(("umb-0001", PositionReasons.ImplausibleSpeed, Now + 5)));
        Assert.That(stored.Event, Is.EqualTo(Event));
    }

    [Test]
    public async Task Keys_cover_readings_and_events_and_committed_items_come_back_in_commit_order()
    {
        using var store = new DuckDbHistoryStore(_dataDir);
        await store.WriteAsync(Batch(1, "bike-0001", new IngestItem(new Reading { Seq = 1, Ts = Now })), CancellationToken.None);
        await store.WriteAsync(Batch(2, "bike-0001", new IngestItem(new DeviceEvent { Seq = 2, Ts = Now + 1, Type = EventType.Boot, Fw = "1.0.0" })), CancellationToken.None);
        await store.WriteAsync(Batch(3, "bike-0001", new IngestItem(new Reading { Seq = 3, Ts = Now - 10 })), CancellationToken.None);

        var keys = await store.FindKeysAsync("bike-0001", Now - 10, Now + 1, CancellationToken.None);
        var after1 = new List<CommittedItem>();
        await foreach (var item in store.ReadCommittedAfterAsync(1, CancellationToken.None))
        {
            after1.Add(item);
        }

        Assert.That(keys, Is.EquivalentTo(new[] { new ItemKey(1, Now), new ItemKey(2, Now + 1), new ItemKey(3, Now - 10) }));
        Assert.That(after1.Select(c => (c.CommitId, c.Item.Key.Seq)), Is.EqualTo(new[] { (2L, 2L), (3L, 3L) }));
        Assert.That(await store.LastCommitIdAsync(CancellationToken.None), Is.EqualTo(3));
    }

    [Test]
    public async Task Retention_deletes_only_what_is_older_than_the_bound()
    {
        using var store = new DuckDbHistoryStore(_dataDir);
        await store.WriteAsync(Batch(1, "bike-0001",
            new IngestItem(new Reading { Seq = 1, Ts = Now - 100 }),
            new IngestItem(new Reading { Seq = 2, Ts = Now }),
            new IngestItem(new DeviceEvent { Seq = 3, Ts = Now - 1, Type = EventType.Boot, Fw = "1.0.0" })), CancellationToken.None);

        Assert.That(await store.DeleteOlderThanAsync(Now, CancellationToken.None), Is.EqualTo(2));
        Assert.That((await store.ReadingsAsync("bike-0001", long.MinValue, long.MaxValue, 10, CancellationToken.None)).Single().Reading.Seq, Is.EqualTo(2));
    }

    private static CommitBatch Batch(long commitId, string deviceId, params IngestItem[] items)
    {
        var message = new IngestMessage(deviceId, DeviceKind.UmbrellaKiosk, 4, TopicKind.Telemetry, ReadOnlySequence<byte>.Empty, Now + 5);
        message.Items.AddRange(items);
        return new CommitBatch(commitId, [message]);
    }
}
