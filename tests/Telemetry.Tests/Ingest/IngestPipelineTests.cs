using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Tests.Infrastructure;

namespace IoTPlatform.Telemetry.Tests.Ingest;

public sealed class IngestPipelineTests
{
    private static readonly long Now = IngestRig.NowMs;

    [Test]
    public async Task A_reading_is_stored_once_although_sent_three_times()
    {
        await using var rig = await IngestRig.StartAsync();
        for (var i = 0; i < 3; i++)
        {
            var (outcome, _) = await rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now));
            Assert.That(outcome, Is.EqualTo(IngestOutcome.Accepted));
        }

        Assert.That(await rig.ReadingsAsync("bike-0001"), Has.Count.EqualTo(1));
        Assert.That(rig.Stats.Duplicates, Is.EqualTo(2));
    }

    [Test]
    public async Task The_same_seq_with_a_new_ts_is_a_new_reading()
    {
        // A re-flashed controller restarts seq, but its ts moves on: not a duplicate.
        await using var rig = await IngestRig.StartAsync();
        await rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now - 60_000));
        await rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now));

        Assert.That(await rig.ReadingsAsync("bike-0001"), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Keys_are_per_device()
    {
        await using var rig = await IngestRig.StartAsync();
        await rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now));
        await rig.PublishAsync("bike-0002", IngestRig.Reading(1, Now));

        Assert.That(await rig.ReadingsAsync("bike-0002"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_backlog_array_keeps_its_timestamps_and_repeats_inside_it_are_stored_once()
    {
        await using var rig = await IngestRig.StartAsync();
        var backlog = $"[{IngestRig.Reading(3, Now - 30_000)},{IngestRig.Reading(1, Now - 50_000)},{IngestRig.Reading(2, Now - 40_000)},{IngestRig.Reading(1, Now - 50_000)}]";

        var (outcome, _) = await rig.PublishAsync("bike-0001", backlog);

        var stored = await rig.ReadingsAsync("bike-0001");
        Assert.That(outcome, Is.EqualTo(IngestOutcome.Accepted));
        Assert.That(stored.Select(r => (r.Reading.Seq, r.Reading.Ts)), Is.EqualTo(new[] { (1L, Now - 50_000), (2L, Now - 40_000), (3L, Now - 30_000) }));
    }

    [Test]
    public async Task A_malformed_payload_is_rejected_and_counted_and_the_next_one_is_stored()
    {
        await using var rig = await IngestRig.StartAsync();

        var (bad, _) = await rig.PublishAsync("bike-0001", """{"seq": "one", "ts": 1}""");
        var (truncated, _) = await rig.PublishAsync("bike-0001", """{"seq": 1, "ts": """);
        var (good, _) = await rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now));

        Assert.That(bad, Is.EqualTo(IngestOutcome.Rejected));
        Assert.That(truncated, Is.EqualTo(IngestOutcome.Rejected));
        Assert.That(good, Is.EqualTo(IngestOutcome.Accepted));
        Assert.That(rig.Stats.RejectedByReason(), Is.EqualTo(new Dictionary<string, long> { ["malformed-json"] = 1, ["wrong-type"] = 1 }));
        Assert.That(rig.Stats.TopRejectedDevices(10).Single().DeviceId, Is.EqualTo("bike-0001"));
    }

    [Test]
    public async Task One_invalid_reading_in_a_backlog_is_refused_alone()
    {
        await using var rig = await IngestRig.StartAsync();
        var backlog = $"[{IngestRig.Reading(1, Now - 2000)},{IngestRig.Reading(2, Now - 1000, battery: 140)},{IngestRig.Reading(3, Now)}]";

        var (outcome, message) = await rig.PublishAsync("bike-0001", backlog);

        Assert.That(outcome, Is.EqualTo(IngestOutcome.Accepted));
        Assert.That(message.Items[1].RejectedReason, Is.EqualTo(ValidationReasons.BatteryOutOfRange));
        Assert.That((await rig.ReadingsAsync("bike-0001")).Select(r => r.Reading.Seq), Is.EqualTo(new[] { 1L, 3L }));
        Assert.That(rig.Stats.RejectedByReason()[ValidationReasons.BatteryOutOfRange], Is.EqualTo(1));
    }

    [Test]
    public async Task A_payload_of_only_invalid_items_is_rejected()
    {
        await using var rig = await IngestRig.StartAsync();

        var (outcome, _) = await rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now + 3_600_000));

        Assert.That(outcome, Is.EqualTo(IngestOutcome.Rejected));
        Assert.That(rig.Stats.RejectedByReason()[ValidationReasons.TsInFuture], Is.EqualTo(1));
    }

    [Test]
    public async Task A_reading_with_an_untrusted_position_is_stored_with_the_reason()
    {
        await using var rig = await IngestRig.StartAsync();

        await rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now, lat: 0, lon: 0, battery: 55, lockState: "unlocked"));

        var stored = (await rig.ReadingsAsync("bike-0001")).Single();
        Assert.That(stored.PositionRejected, Is.EqualTo(PositionReasons.NullIsland));
        Assert.That(stored.Reading.Battery, Is.EqualTo(55));
        Assert.That(stored.Reading.Lock, Is.EqualTo(LockState.Unlocked));
        Assert.That(rig.Stats.PositionsRejectedByReason()[PositionReasons.NullIsland], Is.EqualTo(1));
    }

    [Test]
    public async Task Events_are_stored_and_share_the_devices_keys()
    {
        await using var rig = await IngestRig.StartAsync();
        var lockChanged = $$"""{"seq":7,"ts":{{Now}},"type":"lock_changed","lock":"unlocked"}""";

        var (first, _) = await rig.PublishAsync("bike-0001", lockChanged, TopicKind.Events);
        var (again, _) = await rig.PublishAsync("bike-0001", lockChanged, TopicKind.Events);

        var events = await rig.Store.EventsAsync("bike-0001", long.MinValue, long.MaxValue, null, 100, CancellationToken.None);
        Assert.That((first, again), Is.EqualTo((IngestOutcome.Accepted, IngestOutcome.Accepted)));
        Assert.That(events.Single().Event, Is.EqualTo(new DeviceEvent { Seq = 7, Ts = Now, Type = EventType.LockChanged, Lock = LockState.Unlocked }));
        Assert.That(rig.Stats.Events, Is.EqualTo(1));
    }

    [Test]
    public async Task When_the_store_fails_and_the_spool_is_full_the_publish_is_withheld_and_the_retry_is_stored()
    {
        ControlledHistory history = null!;
        await using var rig = await IngestRig.StartAsync(wrap: store => history = new ControlledHistory(store) { Failing = true }, spoolMaxBytes: 1);

        var (withheld, _) = await rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now));
        history.Failing = false;
        var (retried, message) = await rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now));

        Assert.That(withheld, Is.EqualTo(IngestOutcome.Withheld));
        Assert.That(retried, Is.EqualTo(IngestOutcome.Accepted));
        Assert.That(message.Items.Single().IsDuplicate, Is.False, "the failed attempt's reservation was released");
        Assert.That(await rig.ReadingsAsync("bike-0001"), Has.Count.EqualTo(1));
        Assert.That((rig.Stats.CommitFailures, rig.Stats.Withheld), Is.EqualTo((1L, 1L)));
    }

    [Test]
    public async Task Concurrent_publishers_share_commits()
    {
        await using var rig = await IngestRig.StartAsync(options: new IngestOptions { FlushDelayMilliseconds = 0 });
        const int devices = 50;
        const int perDevice = 20;

        await Task.WhenAll(Enumerable.Range(0, devices).Select(d => Task.Run(async () =>
        {
            for (var seq = 1; seq <= perDevice; seq++)
            {
                var (outcome, _) = await rig.PublishAsync($"bike-{d:0000}", IngestRig.Reading(seq, Now - ((perDevice - seq) * 1000)));
                Assert.That(outcome, Is.EqualTo(IngestOutcome.Accepted));
            }
        })));

        Assert.That(rig.Stats.Readings, Is.EqualTo(devices * perDevice));
        Assert.That(rig.Stats.Commits, Is.LessThan(devices * perDevice / 4), "readings of many devices share a commit");
    }
}
