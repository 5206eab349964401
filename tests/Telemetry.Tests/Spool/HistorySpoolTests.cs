using System.Buffers;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Spool;
using IoTPlatform.Telemetry.Tests.Infrastructure;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTPlatform.Telemetry.Tests.Spool;

public sealed class HistorySpoolTests
{
    private static readonly long Now = IngestRig.NowMs;

    [Test]
    public void Batches_come_back_in_order_with_every_field_after_a_reopen()
    {
        var dir = Directory.CreateTempSubdirectory("spool-").FullName;
        using var meters = new TestMeterFactory();
        using var stats = new IngestStats(meters);
        var batches = Enumerable.Range(1, 5).Select(i => Batch(i, seq: i)).ToList();
        using (var spool = Open(dir, stats, segmentBytes: 400))
        {
            foreach (var batch in batches)
            {
                Assert.That(spool.TryAppend(batch), Is.True);
            }
        }

        using var reopened = Open(dir, stats);
        var back = reopened.ReadAll().ToList();

        Assert.That(Directory.GetFiles(dir), Has.Length.GreaterThan(1), "small segments: the batches span several files");
        Assert.That(back.Select(b => b.CommitId), Is.EqualTo(new long[] { 1, 2, 3, 4, 5 }));
        Assert.That(reopened.Records, Is.EqualTo(5));
        Assert.That(reopened.LastCommitId, Is.EqualTo(5));
        var message = back[0].Messages.Single();
        var reading = message.Items[0];
        var deviceEvent = message.Items[1];
        using (Assert.EnterMultipleScope())
        {
            Assert.That((message.DeviceId, message.Kind, message.Topic, message.SlotCount, message.ReceivedAtMs), Is.EqualTo(("kiosk-0001", DeviceKind.UmbrellaKiosk, TopicKind.Telemetry, 4, Now + 7)));
            Assert.That(reading.Reading, Is.EqualTo(batches[0].Messages[0].Items[0].Reading));
            Assert.That(reading.PositionRejected, Is.EqualTo(PositionReasons.NullIsland));
            Assert.That(deviceEvent.Event, Is.EqualTo(batches[0].Messages[0].Items[1].Event));
            Assert.That(stats.SpoolTornRecords, Is.Zero);
        }
    }

    [Test]
    public void A_record_cut_short_at_the_tail_is_detected_cut_off_and_the_rest_replays()
    {
        var dir = Directory.CreateTempSubdirectory("spool-").FullName;
        using var meters = new TestMeterFactory();
        using var stats = new IngestStats(meters);
        using (var spool = Open(dir, stats))
        {
            for (var i = 1; i <= 3; i++)
            {
                spool.TryAppend(Batch(i, seq: i));
            }
        }

        // kill -9 in the middle of the third append: half of its record reached the file.
        var file = Directory.GetFiles(dir).Single();
        var full = new FileInfo(file).Length;
        var third = SpoolRecordLength(Batch(3, seq: 3));
        using (var stream = new FileStream(file, FileMode.Open))
        {
            stream.SetLength(full - (third / 2));
        }

        using var reopened = Open(dir, stats);

        Assert.That(reopened.ReadAll().Select(b => b.CommitId), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(stats.SpoolTornRecords, Is.EqualTo(1));
        Assert.That(new FileInfo(file).Length, Is.EqualTo(full - third), "the torn record is cut off");
        Assert.That(reopened.TryAppend(Batch(4, seq: 4)), Is.True);
        Assert.That(reopened.ReadAll().Select(b => b.CommitId), Is.EqualTo(new long[] { 1, 2, 4 }));
    }

    [Test]
    public void Garbage_after_the_last_record_fails_its_crc_and_is_cut_off()
    {
        var dir = Directory.CreateTempSubdirectory("spool-").FullName;
        using var meters = new TestMeterFactory();
        using var stats = new IngestStats(meters);
        using (var spool = Open(dir, stats))
        {
            spool.TryAppend(Batch(1, seq: 1));
            spool.TryAppend(Batch(2, seq: 2));
        }

        var file = Directory.GetFiles(dir).Single();
        var good = new FileInfo(file).Length;
        using (var stream = new FileStream(file, FileMode.Append))
        {
            // A plausible length (16) and a wrong CRC, then 16 bytes.
            stream.Write([16, 0, 0, 0, 1, 2, 3, 4, .. Enumerable.Repeat((byte)0xAB, 16)]);
        }

        using var reopened = Open(dir, stats);

        Assert.That(reopened.ReadAll().Select(b => b.CommitId), Is.EqualTo(new long[] { 1, 2 }));
        Assert.That(stats.SpoolTornRecords, Is.EqualTo(1));
        Assert.That(new FileInfo(file).Length, Is.EqualTo(good));
    }

    [Test]
    public void A_full_spool_refuses_and_takes_batches_again_once_a_segment_is_removed()
    {
        var dir = Directory.CreateTempSubdirectory("spool-").FullName;
        using var meters = new TestMeterFactory();
        using var stats = new IngestStats(meters);
        var record = SpoolRecordLength(Batch(1, seq: 1));
        using var spool = Open(dir, stats, maxBytes: (2 * record) + (record / 2));

        Assert.That(spool.TryAppend(Batch(1, seq: 1)), Is.True);
        Assert.That(spool.TryAppend(Batch(2, seq: 2)), Is.True);
        Assert.That(spool.TryAppend(Batch(3, seq: 3)), Is.False);

        var taken = spool.TakeOldest()!;
        Assert.That(taken.Batches.Select(b => b.CommitId), Is.EqualTo(new long[] { 1, 2 }));
        spool.Remove(taken.Number);

        Assert.That((spool.IsEmpty, spool.Bytes), Is.EqualTo((true, 0L)));
        Assert.That(spool.TryAppend(Batch(3, seq: 3)), Is.True);
        Assert.That(spool.ReadAll().Select(b => b.CommitId), Is.EqualTo(new long[] { 3 }));
    }

    private static HistorySpool Open(string dir, IngestStats stats, long maxBytes = 1L << 30, long segmentBytes = 8 << 20) =>
        new(dir, maxBytes, stats, NullLogger<HistorySpool>.Instance, segmentBytes);

    private static int SpoolRecordLength(CommitBatch batch) => SpoolRecordCodec.Encode(batch).Length;

    private static CommitBatch Batch(long commitId, long seq)
    {
        var message = new IngestMessage("kiosk-0001", DeviceKind.UmbrellaKiosk, 4, TopicKind.Telemetry, ReadOnlySequence<byte>.Empty, Now + 7);
        message.Items.Add(new IngestItem(new Reading { Seq = seq, Ts = Now + seq, Lat = 0, Lon = 0, Fix = 3, Battery = 55, Lock = LockState.Locked })
        {
            PositionRejected = PositionReasons.NullIsland,
        });
        message.Items.Add(new IngestItem(new DeviceEvent { Seq = seq + 1000, Ts = Now + seq, Type = EventType.LockChanged, Lock = LockState.Unlocked }));
        return new CommitBatch(commitId, [message]);
    }
}
