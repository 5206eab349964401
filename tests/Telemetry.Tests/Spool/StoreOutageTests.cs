using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Spool;
using IoTPlatform.Telemetry.Tests.Infrastructure;

namespace IoTPlatform.Telemetry.Tests.Spool;

public sealed class StoreOutageTests
{
    private static readonly long Now = IngestRig.NowMs;

    [Test]
    public async Task While_the_store_fails_publishes_are_accepted_into_the_spool_and_replayed_in_order_once_it_is_back()
    {
        ControlledHistory history = null!;
        await using var rig = await IngestRig.StartAsync(wrap: store => history = new ControlledHistory(store) { Failing = true });

        for (var seq = 1; seq <= 5; seq++)
        {
            foreach (var device in new[] { "bike-0001", "bike-0002" })
            {
                var (outcome, _) = await rig.PublishAsync(device, IngestRig.Reading(seq, Now - ((10 - seq) * 1000)));
                Assert.That(outcome, Is.EqualTo(IngestOutcome.Accepted));
            }
        }

        Assert.That(rig.Spool.Records, Is.EqualTo(10));
        Assert.That(await rig.ReadingsAsync("bike-0001"), Is.Empty);
        Assert.That(rig.Stats.Readings, Is.EqualTo(10), "spooled readings are durable: counted as stored");

        history.Failing = false;
        await Poll.UntilAsync(() => rig.Spool.IsEmpty, "the spool drains");

        var committed = new List<(string, long)>();
        await foreach (var item in rig.Store.ReadCommittedAfterAsync(0, CancellationToken.None))
        {
            committed.Add((item.DeviceId, item.Item.Key.Seq));
        }

        var expected = Enumerable.Range(1, 5).SelectMany(seq => new[] { ("bike-0001", (long)seq), ("bike-0002", (long)seq) });
        Assert.That(committed, Is.EqualTo(expected), "every item once, in commit order");
        Assert.That(rig.Stats.ReplayedBatches, Is.EqualTo(10));
        Assert.That(Directory.GetFiles(rig.Spool.FolderPath), Is.Empty, "replayed segments are deleted");

        // Back to direct writes.
        var (after, _) = await rig.PublishAsync("bike-0001", IngestRig.Reading(6, Now));
        Assert.That(after, Is.EqualTo(IngestOutcome.Accepted));
        Assert.That(await rig.ReadingsAsync("bike-0001"), Has.Count.EqualTo(6));
        Assert.That(rig.Spool.IsEmpty, Is.True);
    }

    [Test]
    public async Task A_segment_replayed_twice_stores_nothing_twice()
    {
        var dir = Directory.CreateTempSubdirectory("ingest-rig-").FullName;
        await using (var first = await IngestRig.StartAsync(dir, wrap: store => new ControlledHistory(store) { Failing = true }))
        {
            for (var seq = 1; seq <= 3; seq++)
            {
                Assert.That((await first.PublishAsync("bike-0001", IngestRig.Reading(seq, Now - 1000 + seq))).Outcome, Is.EqualTo(IngestOutcome.Accepted));
            }

            // A crash after the replay wrote the batches but before it deleted their segment.
            foreach (var batch in first.Spool.ReadAll())
            {
                await first.Store.WriteAsync(batch, CancellationToken.None);
            }
        }

        await using var second = await IngestRig.StartAsync(dir);
        await Poll.UntilAsync(() => second.Spool.IsEmpty, "the spool drains");

        Assert.That(await second.ReadingsAsync("bike-0001"), Has.Count.EqualTo(3));
        Assert.That(second.Stats.ReplayedBatches, Is.EqualTo(3));
    }

    [Test]
    public async Task A_full_spool_withholds_and_takes_publishes_again_once_drained()
    {
        ControlledHistory history = null!;
        var record = RecordLength("bike-0001", IngestRig.Reading(1, Now));
        await using var rig = await IngestRig.StartAsync(wrap: store => history = new ControlledHistory(store) { Failing = true }, spoolMaxBytes: (2 * record) + (record / 2));

        var first = await rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now - 3));
        var second = await rig.PublishAsync("bike-0001", IngestRig.Reading(2, Now - 2));
        var third = await rig.PublishAsync("bike-0001", IngestRig.Reading(3, Now - 1));

        Assert.That((first.Outcome, second.Outcome, third.Outcome), Is.EqualTo((IngestOutcome.Accepted, IngestOutcome.Accepted, IngestOutcome.Withheld)));
        Assert.That((rig.Stats.Withheld, rig.Spool.Records), Is.EqualTo((1L, 2L)));

        history.Failing = false;
        await Poll.UntilAsync(() => rig.Spool.IsEmpty, "the spool drains");
        var retried = await rig.PublishAsync("bike-0001", IngestRig.Reading(3, Now - 1));

        Assert.That(retried.Outcome, Is.EqualTo(IngestOutcome.Accepted));
        Assert.That((await rig.ReadingsAsync("bike-0001")).Select(r => r.Reading.Seq), Is.EqualTo(new long[] { 1, 2, 3 }));
    }

    [Test]
    public async Task After_a_restart_the_spooled_keys_still_deduplicate_and_the_spool_drains_in_order()
    {
        var dir = Directory.CreateTempSubdirectory("ingest-rig-").FullName;
        await using (var first = await IngestRig.StartAsync(dir, wrap: store => new ControlledHistory(store) { Failing = true }))
        {
            for (var seq = 1; seq <= 3; seq++)
            {
                await first.PublishAsync("bike-0001", IngestRig.Reading(seq, Now - 1000 + seq));
            }

            Assert.That(first.Spool.Records, Is.EqualTo(3));
        }

        // The store is back but slow: the replay is held while the device re-sends.
        var release = new TaskCompletionSource();
        await using var second = await IngestRig.StartAsync(dir, wrap: store => new ControlledHistory(store) { Gate = release.Task });
        var (resent, resentMessage) = await second.PublishAsync("bike-0001", IngestRig.Reading(2, Now - 1000 + 2));
        var (fresh, _) = await second.PublishAsync("bike-0001", IngestRig.Reading(4, Now - 1000 + 4));

        Assert.That((resent, resentMessage.Items.Single().IsDuplicate), Is.EqualTo((IngestOutcome.Accepted, true)));
        Assert.That(fresh, Is.EqualTo(IngestOutcome.Accepted));
        Assert.That(second.Spool.Records, Is.EqualTo(4), "while the spool holds batches, new ones queue behind them");

        release.SetResult();
        await Poll.UntilAsync(() => second.Spool.IsEmpty, "the spool drains");

        Assert.That((await second.ReadingsAsync("bike-0001")).Select(r => r.Reading.Seq), Is.EqualTo(new long[] { 1, 2, 3, 4 }));
    }

    private static int RecordLength(string deviceId, string readingJson)
    {
        PayloadCodec.TryDecodeReadings(System.Text.Encoding.UTF8.GetBytes(readingJson), out var readings, out _);
        var message = new IngestMessage(deviceId, DeviceKind.Bike, 0, TopicKind.Telemetry, default, Now);
        message.Items.Add(new IngestItem(readings![0]));
        return SpoolRecordCodec.Encode(new CommitBatch(1, [message])).Length;
    }
}
