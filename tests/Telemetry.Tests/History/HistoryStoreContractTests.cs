using System.Buffers;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.History.InfluxDb;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Latest;

namespace IoTPlatform.Telemetry.Tests.History;

/// <summary>
/// The contract of <see cref="IHistoryStore"/> and <see cref="IHistoryQueries"/>, run against every store:
/// the embedded DuckDB file and a real InfluxDB server.
/// </summary>
[TestFixture(typeof(DuckDbStoreFactory))]
[TestFixture(typeof(InfluxDbStoreFactory))]
public sealed class HistoryStoreContractTests<TFactory>
    where TFactory : IHistoryStoreFactory, new()
{
    private const long Now = 1_763_805_600_000;
    private static readonly CancellationToken None = CancellationToken.None;

    private static readonly Reading Full = new()
    {
        Seq = 1042, Ts = Now, Lat = 39.90421, Lon = 116.40739, Alt = 44.1, Speed = 4.2, Course = 87.5, Hdop = 0.9, Sats = 9, Fix = 3,
        Battery = 87, Lock = LockState.Locked,
        Slots =
        [
            new SlotReading { N = 1, State = SlotState.Occupied, Item = "umb-0042", Charge = 80 },
            new SlotReading { N = 2, State = SlotState.Empty },
            new SlotReading { N = 3, State = SlotState.Occupied, Item = "odd \"tag\", a=b \\ é" },
        ],
    };

    private static readonly DeviceEvent Event = new()
    {
        Seq = 1043, Ts = Now + 1, Type = EventType.SlotChanged, Slot = 2, SlotState = SlotState.Occupied, Item = "umb \"0007\", x=y\\z",
        Lock = LockState.Locked, Battery = 86, Lat = 39.9, Lon = 116.4, Distance = 1.5, Fw = "1.2.3", Reason = "returned",
    };

    private TFactory _factory = default!;
    private readonly List<IHistoryStore> _open = [];

    [SetUp]
    public void NewFactory() => _factory = new TFactory();

    [TearDown]
    public async Task CloseAsync()
    {
        foreach (var store in _open)
        {
            (store as IDisposable)?.Dispose();
        }

        _open.Clear();
        await _factory.DisposeAsync();
    }

    [Test]
    public async Task Every_field_of_a_reading_and_an_event_reads_back_as_written_after_a_reopen()
    {
        var store = await OpenAsync();
        var bare = new Reading { Seq = 1044, Ts = Now + 2 };
        await store.WriteAsync(Batch(1, "umb-0001", new IngestItem(Full) { PositionRejected = PositionReasons.ImplausibleSpeed }, new IngestItem(Event), new IngestItem(bare)), None);
        Close(store);

        var reopened = (IHistoryQueries)await OpenAsync();
        var readings = await reopened.ReadingsAsync("umb-0001", Now, Now + 3, 10, None);
        var stored = (await reopened.EventsAsync("umb-0001", Now, Now + 2, EventType.SlotChanged, 10, None)).Single();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(readings, Has.Count.EqualTo(2));
            Assert.That(readings[0].Reading with { Slots = null }, Is.EqualTo(Full with { Slots = null }));
            Assert.That(readings[0].Reading.Slots, Is.EqualTo(Full.Slots));
            Assert.That((readings[0].DeviceId, readings[0].PositionRejected, readings[0].ReceivedAtMs), Is.EqualTo(("umb-0001", PositionReasons.ImplausibleSpeed, Now + 5)));
            Assert.That(readings[1].Reading, Is.EqualTo(bare), "absent fields stay absent");
            Assert.That(readings[1].PositionRejected, Is.Null);
            Assert.That(stored.Event, Is.EqualTo(Event));
            Assert.That((stored.DeviceId, stored.ReceivedAtMs), Is.EqualTo(("umb-0001", Now + 5)));
        }
    }

    [Test]
    public async Task Every_event_type_reads_back_with_its_fields()
    {
        var store = await OpenAsync();
        DeviceEvent[] events =
        [
            new() { Seq = 1, Ts = Now, Type = EventType.LockChanged, Lock = LockState.Unlocked },
            new() { Seq = 2, Ts = Now, Type = EventType.MotionWhileLocked, Distance = 12.25, Lat = -33.5, Lon = 151.25 },
            new() { Seq = 3, Ts = Now, Type = EventType.Tamper, Reason = "case-opened" },
            new() { Seq = 4, Ts = Now, Type = EventType.LowBattery, Battery = 9 },
            new() { Seq = 5, Ts = Now, Type = EventType.Boot, Fw = "2.0.0-rc.1", Reason = "watchdog" },
            new() { Seq = 6, Ts = Now, Type = EventType.Jammed, Lock = LockState.Jammed, Slot = 4, Reason = "motor-stall" },
        ];
        await store.WriteAsync(Batch(1, "bike-0001", events.Select(e => new IngestItem(e)).ToArray()), None);

        var read = await ((IHistoryQueries)store).EventsAsync("bike-0001", Now, Now + 1, null, 100, None);

        Assert.That(read.Select(e => e.Event), Is.EqualTo(events));
    }

    [Test]
    public async Task A_device_id_with_separators_and_quotes_is_its_own_device()
    {
        var store = await OpenAsync();
        const string odd = "odd, id=\"x\" y\\z 'q'";
        await store.WriteAsync(Batch(1, odd, new IngestItem(new Reading { Seq = 1, Ts = Now, Battery = 50 })), None);
        await store.WriteAsync(Batch(2, "odd", new IngestItem(new Reading { Seq = 2, Ts = Now, Battery = 60 })), None);

        var readings = await ((IHistoryQueries)store).ReadingsAsync(odd, Now, Now + 1, 10, None);

        Assert.That(readings.Select(r => (r.DeviceId, r.Reading.Battery)), Is.EqualTo(new[] { (odd, (int?)50) }));
    }

    [Test]
    public async Task Readings_come_ordered_by_ts_then_seq_and_two_in_one_millisecond_stay_two()
    {
        var store = await OpenAsync();
        await store.WriteAsync(Batch(1, "bike-0001",
            new IngestItem(new Reading { Seq = 12, Ts = Now + 1 }),
            new IngestItem(new Reading { Seq = 11, Ts = Now }),
            new IngestItem(new Reading { Seq = 10, Ts = Now }),
            new IngestItem(new Reading { Seq = 9, Ts = Now + 2 })), None);
        await store.WriteAsync(Batch(2, "bike-0001", new IngestItem(new Reading { Seq = 1_000_010, Ts = Now - 1 })), None);

        var readings = await ((IHistoryQueries)store).ReadingsAsync("bike-0001", Now - 1, Now + 3, 10, None);

        Assert.That(readings.Select(r => (r.Reading.Ts, r.Reading.Seq)), Is.EqualTo(new[] { (Now - 1, 1_000_010L), (Now, 10L), (Now, 11L), (Now + 1, 12L), (Now + 2, 9L) }));
    }

    [Test]
    public async Task A_window_includes_from_excludes_to_and_the_limit_keeps_the_oldest()
    {
        var store = await OpenAsync();
        await store.WriteAsync(Batch(1, "bike-0001", Enumerable.Range(0, 10).Select(i => new IngestItem(new Reading { Seq = i, Ts = Now + (i * 10) })).ToArray()), None);
        await store.WriteAsync(Batch(2, "bike-0002", new IngestItem(new Reading { Seq = 3, Ts = Now + 30 })), None);
        var queries = (IHistoryQueries)store;

        var window = await queries.ReadingsAsync("bike-0001", Now + 20, Now + 60, 100, None);
        var limited = await queries.ReadingsAsync("bike-0001", Now, Now + 100, 3, None);
        var all = await queries.ReadingsAsync("bike-0001", long.MinValue, long.MaxValue, 100, None);
        var none = await queries.ReadingsAsync("bike-0001", Now, Now + 100, 0, None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(window.Select(r => r.Reading.Seq), Is.EqualTo(new[] { 2L, 3, 4, 5 }));
            Assert.That(limited.Select(r => r.Reading.Seq), Is.EqualTo(new[] { 0L, 1, 2 }));
            Assert.That(all, Has.Count.EqualTo(10));
            Assert.That(none, Is.Empty);
        }
    }

    [Test]
    public async Task Events_filter_by_type_window_and_limit()
    {
        var store = await OpenAsync();
        await store.WriteAsync(Batch(1, "bike-0001",
            new IngestItem(new DeviceEvent { Seq = 1, Ts = Now, Type = EventType.Boot, Fw = "1.0.0" }),
            new IngestItem(new DeviceEvent { Seq = 2, Ts = Now + 1, Type = EventType.LockChanged, Lock = LockState.Unlocked }),
            new IngestItem(new DeviceEvent { Seq = 3, Ts = Now + 2, Type = EventType.LockChanged, Lock = LockState.Locked }),
            new IngestItem(new DeviceEvent { Seq = 4, Ts = Now + 3, Type = EventType.LockChanged, Lock = LockState.Unlocked }),
            new IngestItem(new Reading { Seq = 5, Ts = Now + 2 })), None);
        var queries = (IHistoryQueries)store;

        var lockChanges = await queries.EventsAsync("bike-0001", Now, Now + 3, EventType.LockChanged, 10, None);
        var firstTwo = await queries.EventsAsync("bike-0001", Now, Now + 10, null, 2, None);
        var tamper = await queries.EventsAsync("bike-0001", Now, Now + 10, EventType.Tamper, 10, None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(lockChanges.Select(e => e.Event.Seq), Is.EqualTo(new[] { 2L, 3 }));
            Assert.That(firstTwo.Select(e => e.Event.Type), Is.EqualTo(new[] { EventType.Boot, EventType.LockChanged }));
            Assert.That(tamper, Is.Empty);
        }
    }

    [Test]
    public async Task Keys_in_a_range_cover_readings_and_events_of_that_device_both_ends_included()
    {
        var store = await OpenAsync();
        await store.WriteAsync(Batch(1, "bike-0001",
            new IngestItem(new Reading { Seq = 1, Ts = Now - 11 }),
            new IngestItem(new Reading { Seq = 2, Ts = Now - 10 }),
            new IngestItem(new DeviceEvent { Seq = 3, Ts = Now, Type = EventType.Boot, Fw = "1.0.0" }),
            new IngestItem(new Reading { Seq = 4, Ts = Now + 1 }),
            new IngestItem(new Reading { Seq = 5, Ts = Now + 2 })), None);
        await store.WriteAsync(Batch(2, "bike-0002", new IngestItem(new Reading { Seq = 6, Ts = Now })), None);

        var keys = await store.FindKeysAsync("bike-0001", Now - 10, Now + 1, None);

        Assert.That(keys, Is.EquivalentTo(new[] { new ItemKey(2, Now - 10), new ItemKey(3, Now), new ItemKey(4, Now + 1) }));
    }

    [Test]
    public async Task Keys_since_a_time_come_in_arrival_order_then_by_ts()
    {
        var store = await OpenAsync();
        await store.WriteAsync(Batch(1, "bike-0001", 200, new IngestItem(new Reading { Seq = 1, Ts = Now + 5 }), new IngestItem(new Reading { Seq = 2, Ts = Now + 1 })), None);
        await store.WriteAsync(Batch(2, "bike-0002", 100, new IngestItem(new DeviceEvent { Seq = 7, Ts = Now + 9, Type = EventType.Boot, Fw = "1.0.0" })), None);
        await store.WriteAsync(Batch(3, "bike-0003", 300, new IngestItem(new Reading { Seq = 3, Ts = Now - 1 })), None);

        var keys = new List<(string, ItemKey)>();
        await foreach (var key in store.ReadKeysSinceAsync(Now, None))
        {
            keys.Add(key);
        }

        Assert.That(keys, Is.EqualTo(new[] { ("bike-0002", new ItemKey(7, Now + 9)), ("bike-0001", new ItemKey(2, Now + 1)), ("bike-0001", new ItemKey(1, Now + 5)) }));
    }

    [Test]
    public async Task A_reachable_store_answers_a_ping()
    {
        var store = await OpenAsync();
        Assert.That(async () => await store.PingAsync(None), Throws.Nothing);
    }

    [Test]
    public async Task The_last_commit_id_is_zero_when_empty_and_the_highest_stored_otherwise()
    {
        var store = await OpenAsync();
        Assert.That(await store.LastCommitIdAsync(None), Is.Zero);

        await store.WriteAsync(Batch(7, "bike-0001", new IngestItem(new DeviceEvent { Seq = 1, Ts = Now, Type = EventType.Boot, Fw = "1.0.0" })), None);
        await store.WriteAsync(Batch(5, "bike-0001", new IngestItem(new Reading { Seq = 2, Ts = Now + 10 })), None);

        Assert.That(await store.LastCommitIdAsync(None), Is.EqualTo(7));
    }

    [Test]
    public async Task Committed_items_after_a_commit_come_back_in_commit_order_with_what_the_fold_needs()
    {
        var store = await OpenAsync();
        await store.WriteAsync(Batch(1, "bike-0001", new IngestItem(new Reading { Seq = 1, Ts = Now })), None);
        await store.WriteAsync(Batch(2, "bike-0001", new IngestItem(new DeviceEvent { Seq = 2, Ts = Now + 1, Type = EventType.Boot, Fw = "1.0.0" })), None);
        await store.WriteAsync(Batch(3, "bike-0002", new IngestItem(new Reading { Seq = 3, Ts = Now - 10, Lat = 1, Lon = 2 }) { PositionRejected = PositionReasons.NullIsland }), None);
        await store.WriteAsync(Batch(4, "bike-0001", new IngestItem(new Reading { Seq = 4, Ts = Now - 20 })), None);

        var after1 = new List<CommittedItem>();
        await foreach (var item in store.ReadCommittedAfterAsync(1, None))
        {
            after1.Add(item);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(after1.Select(c => (c.DeviceId, c.CommitId, c.Item.Key.Seq)), Is.EqualTo(new[] { ("bike-0001", 2L, 2L), ("bike-0002", 3L, 3L), ("bike-0001", 4L, 4L) }));
            Assert.That(after1[0].Item.Event?.Fw, Is.EqualTo("1.0.0"));
            Assert.That((after1[1].Item.PositionRejected, after1[1].Item.Reading?.Lat, after1[1].ReceivedAtMs), Is.EqualTo((PositionReasons.NullIsland, (double?)1, Now + 5)));
        }
    }

    [Test]
    public async Task Retention_deletes_only_what_is_older_than_the_bound_and_counts_it()
    {
        var store = await OpenAsync();
        await store.WriteAsync(Batch(1, "bike-0001",
            new IngestItem(new Reading { Seq = 1, Ts = Now - 100 }),
            new IngestItem(new Reading { Seq = 2, Ts = Now }),
            new IngestItem(new DeviceEvent { Seq = 3, Ts = Now - 1, Type = EventType.Boot, Fw = "1.0.0" }),
            new IngestItem(new DeviceEvent { Seq = 4, Ts = Now, Type = EventType.Boot, Fw = "1.0.0" })), None);
        var queries = (IHistoryQueries)store;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await store.DeleteOlderThanAsync(Now, None), Is.EqualTo(2));
            Assert.That((await queries.ReadingsAsync("bike-0001", long.MinValue, long.MaxValue, 10, None)).Select(r => r.Reading.Seq), Is.EqualTo(new[] { 2L }));
            Assert.That((await queries.EventsAsync("bike-0001", long.MinValue, long.MaxValue, null, 10, None)).Select(e => e.Event.Seq), Is.EqualTo(new[] { 4L }));
            Assert.That(await store.DeleteOlderThanAsync(Now, None), Is.Zero);
        }
    }

    [Test]
    public async Task Lock_reports_come_from_readings_and_lock_changed_events_only()
    {
        var store = await OpenAsync();
        await store.WriteAsync(Batch(1, "bike-0001",
            new IngestItem(new Reading { Seq = 1, Ts = Now, Lock = LockState.Locked }),
            new IngestItem(new DeviceEvent { Seq = 2, Ts = Now + 10, Type = EventType.LockChanged, Lock = LockState.Locked }),
            new IngestItem(new DeviceEvent { Seq = 3, Ts = Now + 20, Type = EventType.Jammed, Lock = LockState.Locked }),
            new IngestItem(new Reading { Seq = 4, Ts = Now + 30, Lock = LockState.Unlocked }),
            new IngestItem(new Reading { Seq = 6, Ts = Now + 40, Lock = LockState.Locked }),
            new IngestItem(new Reading { Seq = 5, Ts = Now + 40, Lock = LockState.Locked })), None);
        await store.WriteAsync(Batch(2, "bike-0002", new IngestItem(new Reading { Seq = 9, Ts = Now + 35, Lock = LockState.Unlocked })), None);
        var queries = (IHistoryQueries)store;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await queries.NewestLockReportAsync("bike-0001", LockState.Locked, Now, Now + 100, None), Is.EqualTo(new Stamp(Now + 40, 6)));
            Assert.That(await queries.OldestLockReportAsync("bike-0001", LockState.Locked, Now, Now + 100, None), Is.EqualTo(new Stamp(Now, 1)));
            Assert.That(await queries.NewestLockReportAsync("bike-0001", LockState.Locked, Now + 1, Now + 40, None), Is.EqualTo(new Stamp(Now + 10, 2)), "not the jammed event, and to is exclusive");
            Assert.That(await queries.OldestLockReportAsync("bike-0001", LockState.Locked, Now + 11, Now + 100, None), Is.EqualTo(new Stamp(Now + 40, 5)));
            Assert.That(await queries.NewestLockReportAsync("bike-0001", LockState.Unlocked, Now, Now + 30, None), Is.Null);
            Assert.That(await queries.OldestLockReportAsync("bike-0001", LockState.Jammed, Now, Now + 100, None), Is.Null);
        }
    }

    [Test]
    public async Task A_replayed_batch_is_stored_once_where_the_store_overwrites_and_twice_where_dedup_comes_first()
    {
        var store = await OpenAsync();
        var batch = Batch(1, "bike-0001",
            new IngestItem(new Reading { Seq = 1, Ts = Now, Battery = 80 }),
            new IngestItem(new DeviceEvent { Seq = 2, Ts = Now, Type = EventType.Boot, Fw = "1.0.0" }));
        await store.WriteAsync(batch, None);
        await store.WriteAsync(batch, None);
        var queries = (IHistoryQueries)store;

        var copies = _factory.ReplayOverwrites ? 1 : 2; // DuckDB has no key: the ingest's KeyIndex keeps duplicates from the write.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await queries.ReadingsAsync("bike-0001", Now, Now + 1, 10, None), Has.Count.EqualTo(copies));
            Assert.That(await queries.EventsAsync("bike-0001", Now, Now + 1, null, 10, None), Has.Count.EqualTo(copies));
        }
    }

    [Test]
    public async Task A_commit_larger_than_one_write_request_is_stored_whole()
    {
        var store = await OpenAsync();
        var count = (InfluxDbHistoryStore.BatchLines * 2) + 17;
        var messages = Enumerable.Range(0, 10).Select(d =>
        {
            var message = Message($"bike-{d:0000}", Now + 5);
            message.Items.AddRange(Enumerable.Range(0, count / 10).Select(i => new IngestItem(new Reading { Seq = i, Ts = Now + i, Battery = 50 })));
            return message;
        }).ToList();
        messages[0].Items.AddRange(Enumerable.Range(0, count % 10).Select(i => new IngestItem(new Reading { Seq = 100_000 + i, Ts = Now + 100_000 + i })));
        await store.WriteAsync(new CommitBatch(1, messages), None);

        var first = await ((IHistoryQueries)store).ReadingsAsync("bike-0000", long.MinValue, long.MaxValue, 10_000, None);
        var last = await ((IHistoryQueries)store).ReadingsAsync("bike-0009", long.MinValue, long.MaxValue, 10_000, None);

        Assert.That((first.Count, last.Count), Is.EqualTo(((count / 10) + (count % 10), count / 10)));
    }

    private async Task<IHistoryStore> OpenAsync()
    {
        var store = await _factory.OpenAsync();
        _open.Add(store);
        return store;
    }

    private void Close(IHistoryStore store)
    {
        _open.Remove(store);
        (store as IDisposable)?.Dispose();
    }

    private static CommitBatch Batch(long commitId, string deviceId, params IngestItem[] items) => Batch(commitId, deviceId, 5, items);

    private static CommitBatch Batch(long commitId, string deviceId, long receivedAfterNow, params IngestItem[] items)
    {
        var message = Message(deviceId, Now + receivedAfterNow);
        message.Items.AddRange(items);
        return new CommitBatch(commitId, [message]);
    }

    private static IngestMessage Message(string deviceId, long receivedAtMs) =>
        new(deviceId, DeviceKind.UmbrellaKiosk, 4, TopicKind.Telemetry, ReadOnlySequence<byte>.Empty, receivedAtMs);
}
