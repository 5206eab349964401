using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Latest;

namespace IoTPlatform.Telemetry.Tests.Latest;

public sealed class DeviceLatestTests
{
    private const long Now = 1_763_805_600_000;

    [Test]
    public void The_newest_reading_by_device_time_wins_whatever_arrives_last()
    {
        var latest = new DeviceLatest("bike-0001");
        latest.Apply(Trusted(new Reading { Seq = 10, Ts = Now, Lat = 39.91, Lon = 116.41, Battery = 60, Lock = LockState.Locked }), Now);

        // A backlog from an hour ago arrives later.
        var changed = latest.Apply(Trusted(new Reading { Seq = 3, Ts = Now - 3_600_000, Lat = 39.80, Lon = 116.30, Battery = 95, Lock = LockState.Unlocked }), Now + 1);

        Assert.That(changed, Is.False);
        Assert.That(latest.Reading!.Seq, Is.EqualTo(10));
        Assert.That((latest.Battery, latest.Lock), Is.EqualTo((60, LockState.Locked)));
        Assert.That(latest.Position, Is.EqualTo(new LastFix(Now, 39.91, 116.41)));
    }

    [Test]
    public void Equal_ts_is_decided_by_the_higher_seq()
    {
        var latest = new DeviceLatest("bike-0001");
        latest.Apply(Trusted(new Reading { Seq = 8, Ts = Now, Battery = 40 }), Now);
        latest.Apply(Trusted(new Reading { Seq = 7, Ts = Now, Battery = 41 }), Now);

        Assert.That((latest.Reading!.Seq, latest.Battery), Is.EqualTo((8L, 40)));
    }

    [Test]
    public void An_untrusted_position_is_kept_in_the_reading_but_not_as_the_position()
    {
        var latest = new DeviceLatest("bike-0001");
        latest.Apply(Trusted(new Reading { Seq = 1, Ts = Now, Lat = 39.91, Lon = 116.41, Fix = 3 }), Now);
        latest.Apply(new IngestItem(new Reading { Seq = 2, Ts = Now + 1000, Lat = 0, Lon = 0, Fix = 3 }) { PositionRejected = PositionReasons.NullIsland }, Now);

        Assert.That(latest.Reading!.Seq, Is.EqualTo(2));
        Assert.That(latest.ReadingPositionRejected, Is.EqualTo(PositionReasons.NullIsland));
        Assert.That(latest.Position, Is.EqualTo(new LastFix(Now, 39.91, 116.41)));
    }

    [Test]
    public void A_lock_changed_event_newer_than_the_reading_sets_the_lock()
    {
        var latest = new DeviceLatest("bike-0001");
        latest.Apply(Trusted(new Reading { Seq = 1, Ts = Now, Lock = LockState.Locked }), Now);

        latest.Apply(new IngestItem(new DeviceEvent { Seq = 2, Ts = Now + 500, Type = EventType.LockChanged, Lock = LockState.Unlocked }), Now);
        latest.Apply(new IngestItem(new DeviceEvent { Seq = 0, Ts = Now - 500, Type = EventType.LockChanged, Lock = LockState.Jammed }), Now);

        Assert.That(latest.Lock, Is.EqualTo(LockState.Unlocked));
        Assert.That(latest.LockStamp, Is.EqualTo(new Stamp(Now + 500, 2)));
    }

    [Test]
    public void Slots_follow_readings_and_slot_changed_events_by_device_time()
    {
        var latest = new DeviceLatest("umb-0001");
        latest.Apply(Trusted(new Reading
        {
            Seq = 1,
            Ts = Now,
            Slots = [new SlotReading { N = 1, State = SlotState.Occupied, Item = "umb-0042" }, new SlotReading { N = 2, State = SlotState.Empty }],
        }), Now);

        latest.Apply(new IngestItem(new DeviceEvent { Seq = 2, Ts = Now + 1000, Type = EventType.SlotChanged, Slot = 1, SlotState = SlotState.Released }), Now);
        latest.Apply(new IngestItem(new DeviceEvent { Seq = 3, Ts = Now + 2000, Type = EventType.Jammed, Slot = 2 }), Now);

        Assert.That(latest.Slots.Select(s => (s.N, s.State, s.Item)), Is.EqualTo(new[] { (1, SlotState.Released, (string?)null), (2, SlotState.Fault, null) }));
    }

    [Test]
    public void A_low_battery_event_updates_the_battery()
    {
        var latest = new DeviceLatest("bike-0001");
        latest.Apply(Trusted(new Reading { Seq = 1, Ts = Now, Battery = 21 }), Now);
        latest.Apply(new IngestItem(new DeviceEvent { Seq = 2, Ts = Now + 1000, Type = EventType.LowBattery, Battery = 19 }), Now);

        Assert.That(latest.Battery, Is.EqualTo(19));
    }

    [Test]
    public void The_fold_gives_the_same_state_in_any_arrival_order()
    {
        var items = new Func<IngestItem>[]
        {
            () => Trusted(new Reading { Seq = 1, Ts = Now, Lat = 39.90, Lon = 116.40, Battery = 90, Lock = LockState.Locked }),
            () => Trusted(new Reading { Seq = 2, Ts = Now + 10_000, Lat = 39.91, Lon = 116.41, Battery = 89, Lock = LockState.Unlocked }),
            () => new IngestItem(new DeviceEvent { Seq = 3, Ts = Now + 20_000, Type = EventType.LockChanged, Lock = LockState.Locked }),
            () => Trusted(new Reading { Seq = 4, Ts = Now + 30_000, Lat = 39.92, Lon = 116.42, Battery = 88 }),
        };
        var forward = Fold(items);
        var backward = Fold([.. items.Reverse()]);

        Assert.That((backward.Reading, backward.Lock, backward.Battery, backward.Position), Is.EqualTo((forward.Reading, forward.Lock, forward.Battery, forward.Position)));
        Assert.That((forward.Reading!.Seq, forward.Lock, forward.Battery), Is.EqualTo((4L, LockState.Locked, 88)));
    }

    private static DeviceLatest Fold(IEnumerable<Func<IngestItem>> items)
    {
        var latest = new DeviceLatest("bike-0001");
        foreach (var item in items)
        {
            latest.Apply(item(), Now);
        }

        return latest;
    }

    private static IngestItem Trusted(Reading reading) => new(reading);
}
