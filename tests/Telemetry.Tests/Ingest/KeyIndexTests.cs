using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Tests.Infrastructure;

namespace IoTPlatform.Telemetry.Tests.Ingest;

public sealed class KeyIndexTests
{
    private static readonly long Now = IngestRig.NowMs;

    [Test]
    public async Task A_key_evicted_from_memory_is_found_in_the_history()
    {
        await using var rig = await IngestRig.StartAsync(options: new IngestOptions { FlushDelayMilliseconds = 0, DedupKeysPerDevice = 16 });
        for (var seq = 1; seq <= 40; seq++)
        {
            await rig.PublishAsync("bike-0001", IngestRig.Reading(seq, Now - 100_000 + (seq * 1000)));
        }

        Assert.That(rig.Keys.KeysInMemory, Is.EqualTo(16));
        var (outcome, message) = await rig.PublishAsync("bike-0001", IngestRig.Reading(3, Now - 100_000 + 3000));

        Assert.That(outcome, Is.EqualTo(IngestOutcome.Accepted));
        Assert.That(message.Items.Single().IsDuplicate, Is.True);
        Assert.That(await rig.ReadingsAsync("bike-0001"), Has.Count.EqualTo(40));
    }

    [Test]
    public async Task After_a_restart_recent_keys_are_warm_and_older_ones_are_looked_up()
    {
        var dataDir = Directory.CreateTempSubdirectory("keyindex-").FullName;
        await using (var first = await IngestRig.StartAsync(dataDir))
        {
            await first.PublishAsync("bike-0001", IngestRig.Reading(1, Now - (3 * 3_600_000)));
            await first.PublishAsync("bike-0001", IngestRig.Reading(2, Now - 1000));
        }

        await using var second = await IngestRig.StartAsync(dataDir);
        Assert.That(second.Keys.KeysInMemory, Is.EqualTo(1), "only the last hour is loaded");

        var (_, old) = await second.PublishAsync("bike-0001", IngestRig.Reading(1, Now - (3 * 3_600_000)));
        var (_, recent) = await second.PublishAsync("bike-0001", IngestRig.Reading(2, Now - 1000));

        Assert.That(old.Items.Single().IsDuplicate, Is.True);
        Assert.That(recent.Items.Single().IsDuplicate, Is.True);
        Assert.That(await second.ReadingsAsync("bike-0001"), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task A_copy_sent_on_a_new_session_while_the_first_is_being_written_waits_for_it()
    {
        // Takeover: the device reconnects and re-sends a reading whose first copy is still in the commit.
        var release = new TaskCompletionSource();
        ControlledHistory history = null!;
        await using var rig = await IngestRig.StartAsync(wrap: store => history = new ControlledHistory(store) { Gate = release.Task });

        var first = rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now));
        await history.WriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now));
        Assert.That(second.IsCompleted, Is.False, "the copy waits for the first commit");

        release.SetResult();
        var (firstOutcome, _) = await first;
        var (secondOutcome, secondMessage) = await second;

        Assert.That((firstOutcome, secondOutcome), Is.EqualTo((IngestOutcome.Accepted, IngestOutcome.Accepted)));
        Assert.That(secondMessage.Items.Single().IsDuplicate, Is.True);
        Assert.That(await rig.ReadingsAsync("bike-0001"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_copy_waiting_on_a_failed_first_is_withheld_and_its_retry_is_stored()
    {
        // The store fails and the spool refuses (full): the first copy is not durable.
        var release = new TaskCompletionSource();
        ControlledHistory history = null!;
        await using var rig = await IngestRig.StartAsync(wrap: store => history = new ControlledHistory(store) { Gate = release.Task, Failing = true }, spoolMaxBytes: 1);

        var first = rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now));
        await history.WriteStarted.Task.WaitAsync(TimeSpan.FromSeconds(10));
        var second = rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now));
        release.SetResult();

        Assert.That((await first).Outcome, Is.EqualTo(IngestOutcome.Withheld));
        Assert.That((await second).Outcome, Is.EqualTo(IngestOutcome.Withheld));
        history.Failing = false;
        Assert.That((await rig.PublishAsync("bike-0001", IngestRig.Reading(1, Now))).Outcome, Is.EqualTo(IngestOutcome.Accepted));
        Assert.That(await rig.ReadingsAsync("bike-0001"), Has.Count.EqualTo(1));
    }
}
