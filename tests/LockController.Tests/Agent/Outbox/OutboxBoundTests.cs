using System.Text;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent.Outbox;

namespace IoTPlatform.LockController.Tests.Agent.Outbox;

/// <summary>At <c>Outbox:MaxBytes</c>: the oldest readings go first, events and acks stay while readings remain; counted, logged once per episode.</summary>
[TestFixture]
public sealed class OutboxBoundTests
{
    private const int PayloadBytes = 200;
    private static readonly OutboxOptions Small = new() { MaxBytes = 64 * 1024, SegmentBytes = 8 * 1024, MaxRecordBytes = 1024, FsyncPolicy = OutboxFsyncPolicy.None };

    private OutboxFolder _folder = null!;

    [SetUp]
    public void SetUp() => _folder = new OutboxFolder();

    [TearDown]
    public void TearDown() => _folder.Dispose();

    private static byte[] Payload(string tag, long n)
    {
        string head = $"{tag}{n}:";
        return Encoding.UTF8.GetBytes(head + new string('x', PayloadBytes - head.Length));
    }

    private static long FileBytes(OutboxFolder folder) => folder.Segments.Sum(s => new FileInfo(s).Length);

    [Test]
    public async Task The_oldest_readings_go_first_and_events_and_acks_stay()
    {
        using var outbox = _folder.Open(Small);
        var events = new List<long>();
        long lastReading = 0;
        long maxFileBytes = 0;
        for (int i = 0; i < 2000; i++)
        {
            if (i % 50 == 0)
            {
                events.Add((await outbox.AppendAsync(i % 100 == 0 ? TopicKind.Events : TopicKind.Acks, Payload("e", i), CancellationToken.None)).Id);
            }
            else
            {
                lastReading = (await outbox.AppendAsync(TopicKind.Telemetry, Payload("r", i), CancellationToken.None)).Id;
            }

            maxFileBytes = Math.Max(maxFileBytes, FileBytes(_folder));
        }

        IReadOnlyList<OutboxRecord> left = outbox.Peek(int.MaxValue);
        OutboxStats stats = outbox.Stats;
        var readings = left.Where(r => r.Kind == TopicKind.Telemetry).Select(r => r.Id).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(maxFileBytes, Is.LessThanOrEqualTo(Small.MaxBytes), "the files never exceed the bound");
            Assert.That(stats.FileBytes, Is.EqualTo(FileBytes(_folder)));
            Assert.That(left.Where(r => r.Kind != TopicKind.Telemetry).Select(r => r.Id), Is.EqualTo(events), "every event and ack is kept");
            Assert.That(stats.DroppedEvents + stats.DroppedAcks, Is.Zero);
            Assert.That(stats.DroppedReadings, Is.EqualTo(2000 - events.Count - readings.Count));
            Assert.That(stats.DroppedReadings, Is.GreaterThan(1000));
            Assert.That(readings[^1], Is.EqualTo(lastReading), "the newest reading is kept");
            Assert.That(readings, Is.EqualTo(Enumerable.Range((int)readings[0], (int)(lastReading - readings[0] + 1)).Select(i => (long)i).Where(id => !events.Contains(id))), "the kept readings are the newest, without gaps");
            Assert.That(left.Select(r => r.Id), Is.Ordered.And.Unique, "still in append order");
            Assert.That(_folder.Logger.Count(253), Is.EqualTo(1), "one warning for the whole episode");
            Assert.That(_folder.Logger.Count(254), Is.Zero);
        }
    }

    [Test]
    public async Task What_is_left_after_drops_survives_a_restart_in_order()
    {
        long[] before;
        using (var outbox = _folder.Open(Small))
        {
            for (int i = 0; i < 800; i++)
            {
                await outbox.AppendAsync(i % 40 == 0 ? TopicKind.Events : TopicKind.Telemetry, Payload("m", i), CancellationToken.None);
            }

            before = [.. outbox.Peek(int.MaxValue).Select(r => r.Id)];
            Assert.That(outbox.Stats.DroppedReadings, Is.Positive);
        }

        using var reopened = _folder.Open(Small);
        IReadOnlyList<OutboxRecord> after = reopened.Peek(int.MaxValue);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(after.Select(r => r.Id), Is.EqualTo(before));
            Assert.That(after.All(r => Encoding.UTF8.GetString(r.Payload).StartsWith($"m{r.Id - 1}:", StringComparison.Ordinal)), Is.True, "each payload is its own");
            Assert.That(reopened.Stats.TornRecordsRepaired, Is.Zero);
        }
    }

    [Test]
    public async Task With_no_reading_left_the_oldest_events_and_acks_go_and_that_is_logged_once()
    {
        using var outbox = _folder.Open(Small);
        long last = 0;
        for (int i = 0; i < 600; i++)
        {
            last = (await outbox.AppendAsync(i % 2 == 0 ? TopicKind.Events : TopicKind.Acks, Payload("e", i), CancellationToken.None)).Id;
        }

        OutboxStats stats = outbox.Stats;
        IReadOnlyList<OutboxRecord> left = outbox.Peek(int.MaxValue);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stats.FileBytes, Is.LessThanOrEqualTo(Small.MaxBytes));
            Assert.That(stats.DroppedEvents, Is.Positive);
            Assert.That(stats.DroppedAcks, Is.Positive);
            Assert.That(stats.DroppedEvents + stats.DroppedAcks + left.Count, Is.EqualTo(600));
            Assert.That(left[^1].Id, Is.EqualTo(last));
            Assert.That(left[0].Id, Is.EqualTo(stats.Dropped + 1), "the oldest went");
            Assert.That(_folder.Logger.Count(253), Is.EqualTo(1));
            Assert.That(_folder.Logger.Count(254), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task An_episode_ends_when_the_sender_drains_below_half_and_a_new_one_is_logged_again()
    {
        using var outbox = _folder.Open(Small);
        var droppedPerRound = new List<long>();
        for (int round = 0; round < 2; round++)
        {
            long droppedBefore = outbox.Stats.DroppedReadings;
            for (int i = 0; i < 400; i++)
            {
                await outbox.AppendAsync(TopicKind.Telemetry, Payload("r", i), CancellationToken.None);
            }

            droppedPerRound.Add(outbox.Stats.DroppedReadings - droppedBefore);
            Assert.That(_folder.Logger.Count(255), Is.EqualTo(round), "still full: the episode goes on");
            foreach (OutboxRecord r in outbox.Peek(int.MaxValue))
            {
                await outbox.RemoveAsync(r.Id, CancellationToken.None);
            }
        }

        string[] drained = [.. _folder.Logger.Entries.Where(e => e.Id.Id == 255).Select(e => e.Message)];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(droppedPerRound, Has.All.Positive);
            Assert.That(_folder.Logger.Count(253), Is.EqualTo(2));
            Assert.That(drained, Has.Length.EqualTo(2));
            Assert.That(drained[0], Does.Contain($"dropped {droppedPerRound[0]} reading(s), 0 event(s), 0 ack(s)"));
            Assert.That(drained[1], Does.Contain($"dropped {droppedPerRound[1]} reading(s)"));
            Assert.That(outbox.Stats.DroppedReadings + outbox.Stats.Removed, Is.EqualTo(800));
            Assert.That(outbox.Stats.Count, Is.Zero);
        }
    }

    [Test]
    public async Task Holes_left_by_out_of_order_acks_are_reclaimed_before_anything_is_dropped()
    {
        using var outbox = _folder.Open(Small);
        var ids = new List<long>();
        for (int i = 0; i < 290; i++)
        {
            ids.Add((await outbox.AppendAsync(TopicKind.Telemetry, Payload("r", i), CancellationToken.None)).Id);
        }

        // Every other record was acknowledged; the rest wait for a retry.
        foreach (long id in ids.Where(id => id % 2 == 0))
        {
            await outbox.RemoveAsync(id, CancellationToken.None);
        }

        for (int i = 0; i < 100; i++)
        {
            await outbox.AppendAsync(TopicKind.Telemetry, Payload("n", i), CancellationToken.None);
        }

        using (Assert.EnterMultipleScope())
        {
            Assert.That(outbox.Stats.Dropped, Is.Zero, "rewriting segments without their removed records made the room");
            Assert.That(outbox.Stats.FileBytes, Is.LessThanOrEqualTo(Small.MaxBytes));
            Assert.That(outbox.Peek(int.MaxValue).Select(r => r.Id), Is.EqualTo(ids.Where(id => id % 2 == 1).Concat(Enumerable.Range(291, 100).Select(i => (long)i))));
        }
    }
}
