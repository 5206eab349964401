using IoTPlatform.DeviceGateway.Commands;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.DeviceProtocol.Signing;

namespace IoTPlatform.DeviceGateway.Tests.Commands;

/// <summary>
/// The ledger's rules and the delivery loop on a fake clock: retries of the same command, expiry, the done deadline,
/// late acks, queued commands, cancel, idempotency, the rate limit, restarts and jams.
/// </summary>
public sealed class CommandRulesTests
{
    private static readonly TimeSpan Long = TimeSpan.FromSeconds(120);
    private CommandRig _rig = null!;

    [SetUp]
    public async Task SetUp()
    {
        _rig = new CommandRig();
        await _rig.StartAsync();
    }

    [TearDown]
    public async Task TearDown() => await _rig.DisposeAsync();

    [Test]
    public async Task A_device_that_never_acks_gets_the_same_signed_command_again_with_growing_pauses_until_it_expires_and_never_after()
    {
        _rig.Link.Connect();
        var command = await _rig.CreateAsync(ttlSeconds: 20);

        await _rig.RunUntilStateAsync(command.Id, CommandState.Expired, Long);
        var sent = _rig.Link.Sent.ToArray();
        var ended = await _rig.GetAsync(command.Id);
        await _rig.AdvanceAsync(TimeSpan.FromSeconds(10));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(sent, Has.Length.GreaterThanOrEqualTo(5), "re-sent while it could still be delivered");
            Assert.That(sent.Select(s => Convert.ToBase64String(s.Payload)).Distinct().Count(), Is.EqualTo(1), "every attempt is the same bytes: same id, same signature");
            Assert.That(_rig.Link.Sent, Has.Count.EqualTo(sent.Length), "nothing is sent after expiresAt");
            Assert.That(ended.Attempts, Is.EqualTo(sent.Length));
            Assert.That(ended.Reason, Is.EqualTo("not received before expiresAt"));
            Assert.That(ended.History.Select(h => h.State), Is.EqualTo(new[] { CommandState.Queued, CommandState.Sent, CommandState.Expired }));
            Assert.That(_rig.Dispatcher.Running, Is.Zero);
        }

        // Attempt timeout 1 s, then jittered exponential pauses from 200 ms up to 1 s: in 20 s, 8 to 20 sends.
        Assert.That(sent, Has.Length.InRange(8, 20));
        using var verifier = new CommandVerifier(_rig.KeySet.Keys);
        Assert.That(verifier.Verify(sent[0].Command, CommandRig.FakeLink.Device).IsValid, Is.True, "signed with the served key");
    }

    [Test]
    public async Task Received_stops_the_resends_and_done_ok_succeeds_with_the_device_lock_reported()
    {
        _rig.Link.Connect();
        var command = await _rig.CreateAsync();
        await _rig.RunUntilAsync(() => Task.FromResult(!_rig.Link.Sent.IsEmpty), Long, "the first send");

        Assert.That(await _rig.AckAsync(command.Id, AckStage.Received), Is.True);
        var sentWhenReceived = _rig.Link.Sent.Count;
        await _rig.AdvanceAsync(TimeSpan.FromSeconds(3));
        Assert.That(_rig.Link.Sent, Has.Count.EqualTo(sentWhenReceived), "no re-send once the device acked received");

        Assert.That(await _rig.AckAsync(command.Id, AckStage.Done, AckResult.Ok, LockState.Unlocked), Is.True);
        var done = await _rig.GetAsync(command.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(done.State, Is.EqualTo(CommandState.Succeeded));
            Assert.That(done.Late, Is.False);
            Assert.That(done.History.Select(h => h.State), Is.EqualTo(new[] { CommandState.Queued, CommandState.Sent, CommandState.Delivered, CommandState.Succeeded }));
            Assert.That(_rig.Effects.Locks, Is.EqualTo(new[] { (CommandRig.FakeLink.Device, LockState.Unlocked) }));
            Assert.That(_rig.Stats.AcksOf(CommandStats.AckKinds.Accepted), Is.EqualTo(2));
        }
    }

    [Test]
    public async Task Received_without_done_times_out_and_a_done_after_that_moves_it_to_what_happened_marked_late()
    {
        _rig.Link.Connect();
        var command = await _rig.CreateAsync();
        await _rig.RunUntilAsync(() => Task.FromResult(!_rig.Link.Sent.IsEmpty), Long, "the first send");
        await _rig.AckAsync(command.Id, AckStage.Received);

        await _rig.AdvanceAsync(TimeSpan.FromSeconds(4));
        Assert.That((await _rig.GetAsync(command.Id)).State, Is.EqualTo(CommandState.Delivered), "still within the 5 s done timeout");
        await _rig.RunUntilStateAsync(command.Id, CommandState.TimedOut, TimeSpan.FromSeconds(3));

        Assert.That(await _rig.AckAsync(command.Id, AckStage.Done, AckResult.Ok), Is.True);
        var late = await _rig.GetAsync(command.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(late.State, Is.EqualTo(CommandState.Succeeded));
            Assert.That(late.Late, Is.True);
            Assert.That(late.History.Select(h => h.State), Is.EqualTo(new[] { CommandState.Queued, CommandState.Sent, CommandState.Delivered, CommandState.TimedOut, CommandState.Succeeded }));
            Assert.That(_rig.Stats.AcksOf(CommandStats.AckKinds.Late), Is.EqualTo(1));
        }

        Assert.That(await _rig.AckAsync(command.Id, AckStage.Done, AckResult.Ok), Is.True);
        Assert.That(_rig.Stats.AcksOf(CommandStats.AckKinds.Duplicate), Is.EqualTo(1), "a second done changes nothing and is counted");
    }

    [Test]
    public async Task A_received_after_EXPIRED_revives_the_command_whose_done_deadline_then_runs_again()
    {
        _rig.Link.Connect();
        var command = await _rig.CreateAsync(ttlSeconds: 3);
        await _rig.RunUntilStateAsync(command.Id, CommandState.Expired, TimeSpan.FromSeconds(10));

        Assert.That(await _rig.AckAsync(command.Id, AckStage.Received), Is.True);
        var revived = await _rig.GetAsync(command.Id);
        Assert.That(revived.State, Is.EqualTo(CommandState.Delivered));
        Assert.That(revived.Late, Is.True);
        Assert.That(revived.Reason, Is.EqualTo("received after EXPIRED"));

        // A loop watches it again: without a done it times out like any delivered command.
        await _rig.RunUntilStateAsync(command.Id, CommandState.TimedOut, TimeSpan.FromSeconds(10));
        Assert.That(await _rig.AckAsync(command.Id, AckStage.Done, AckResult.Ok), Is.True);
        var done = await _rig.GetAsync(command.Id);
        Assert.That(done.History.Select(h => h.State), Is.EqualTo(new[]
        {
            CommandState.Queued, CommandState.Sent, CommandState.Expired, CommandState.Delivered, CommandState.TimedOut, CommandState.Succeeded,
        }));
        Assert.That(done.Late, Is.True);
    }

    [Test]
    public async Task A_queued_command_is_sent_when_the_device_subscribes_before_expiry()
    {
        var command = await _rig.CreateAsync(ttlSeconds: 30, queueIfOffline: true);
        await _rig.AdvanceAsync(TimeSpan.FromSeconds(10));
        Assert.That(_rig.Link.Sent, Is.Empty);
        Assert.That((await _rig.GetAsync(command.Id)).State, Is.EqualTo(CommandState.Queued));

        _rig.Link.Connect();
        await _rig.RunUntilStateAsync(command.Id, CommandState.Sent, TimeSpan.Zero, stepMs: 0);
        Assert.That(_rig.Link.SentTo().Select(c => c.Id), Is.EqualTo(new[] { command.Id }));
    }

    [Test]
    public async Task A_queued_command_expires_unsent_when_the_device_comes_back_too_late()
    {
        var command = await _rig.CreateAsync(ttlSeconds: 5, queueIfOffline: true);
        await _rig.RunUntilStateAsync(command.Id, CommandState.Expired, TimeSpan.FromSeconds(10));
        _rig.Link.Connect();
        await _rig.AdvanceAsync(TimeSpan.FromSeconds(2));

        var expired = await _rig.GetAsync(command.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_rig.Link.Sent, Is.Empty, "never sent late");
            Assert.That(expired.Attempts, Is.Zero);
            Assert.That(expired.Reason, Is.EqualTo("never sent before expiresAt"));
        }
    }

    [Test]
    public async Task An_offline_device_without_queueIfOffline_gets_no_command()
    {
        var result = await _rig.CreateResultAsync();
        Assert.That(result.Outcome, Is.EqualTo(CreateOutcome.Offline));
        Assert.That(await _rig.Ledger.OpenCommandsAsync(CancellationToken.None), Is.Empty);
    }

    [Test]
    public async Task A_device_that_drops_mid_delivery_gets_it_again_after_it_resubscribes()
    {
        _rig.Link.Connect();
        var command = await _rig.CreateAsync(ttlSeconds: 60);
        await _rig.RunUntilAsync(() => Task.FromResult(!_rig.Link.Sent.IsEmpty), Long, "the first send");
        _rig.Link.Disconnect();
        await _rig.AdvanceAsync(TimeSpan.FromSeconds(10));
        var whileAway = _rig.Link.Sent.Count;

        _rig.Link.Connect();
        await _rig.RunUntilAsync(() => Task.FromResult(_rig.Link.Sent.Count > whileAway), TimeSpan.Zero, "a send right after the device subscribed again, without waiting out a pause", stepMs: 0);
        Assert.That(_rig.Link.SentTo().Select(c => c.Id).Distinct(), Is.EqualTo(new[] { command.Id }));
    }

    [Test]
    public async Task Cancel_works_until_the_device_acks_received()
    {
        var queued = await _rig.CreateAsync(queueIfOffline: true);
        var cancelled = await _rig.Service.CancelAsync(queued.Id, "ops-team", CancellationToken.None);
        Assert.That(cancelled!.Value.Cancelled, Is.True);
        Assert.That(cancelled.Value.Command.Reason, Is.EqualTo("cancelled by ops-team"));
        _rig.Link.Connect();
        await _rig.AdvanceAsync(TimeSpan.FromSeconds(2));
        Assert.That(_rig.Link.Sent, Is.Empty, "a cancelled command is not sent");

        var delivered = await _rig.CreateAsync();
        await _rig.RunUntilAsync(() => Task.FromResult(!_rig.Link.Sent.IsEmpty), Long, "the first send");
        await _rig.AckAsync(delivered.Id, AckStage.Received);
        var refused = await _rig.Service.CancelAsync(delivered.Id, "ops-team", CancellationToken.None);
        Assert.That(refused!.Value.Cancelled, Is.False);
        Assert.That(refused.Value.Command.State, Is.EqualTo(CommandState.Delivered));
        Assert.That(await _rig.Service.CancelAsync("01NOSUCHCOMMAND0000000000", "ops-team", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task The_same_key_gives_the_same_command_and_a_different_request_with_it_is_refused()
    {
        _rig.Link.Connect();
        var first = await _rig.CreateResultAsync(key: "ride-42");
        var again = await _rig.CreateResultAsync(key: "ride-42");
        var other = await _rig.CreateResultAsync(action: "lock", key: "ride-42");
        var otherDevice = await _rig.CreateResultAsync(key: "ride-42", device: "bike-0002", queueIfOffline: true);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Outcome, Is.EqualTo(CreateOutcome.Created));
            Assert.That(again.Outcome, Is.EqualTo(CreateOutcome.Repeated));
            Assert.That(again.Command!.Id, Is.EqualTo(first.Command!.Id));
            Assert.That(other.Outcome, Is.EqualTo(CreateOutcome.KeyReused));
            Assert.That(otherDevice.Outcome, Is.EqualTo(CreateOutcome.Created), "keys are per device");
            Assert.That(_rig.Stats.Created, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task More_than_the_limit_within_a_minute_is_refused_and_allowed_again_a_minute_later()
    {
        _rig.Link.Connect();
        for (var i = 0; i < _rig.Options.MaxPerDevicePerMinute; i++)
        {
            await _rig.CreateAsync(key: $"k{i}");
        }

        Assert.That((await _rig.CreateResultAsync(key: "one-too-many")).Outcome, Is.EqualTo(CreateOutcome.RateLimited));
        Assert.That((await _rig.CreateResultAsync(key: "k0")).Outcome, Is.EqualTo(CreateOutcome.Repeated), "a repeat is not a new command");
        _rig.Time.Advance(TimeSpan.FromSeconds(61));
        Assert.That((await _rig.CreateResultAsync(key: "one-too-many")).Outcome, Is.EqualTo(CreateOutcome.Created));
    }

    [Test]
    public async Task After_a_restart_an_open_command_resumes_and_one_that_expired_meanwhile_ends_unsent()
    {
        _rig.Link.Connect();
        var open = await _rig.CreateAsync(ttlSeconds: 120);
        await _rig.RunUntilAsync(() => Task.FromResult(!_rig.Link.Sent.IsEmpty), Long, "the first send");
        _rig.Link.Disconnect();
        var queued = await _rig.CreateAsync(ttlSeconds: 10, queueIfOffline: true);
        await _rig.Dispatcher.StopAsync(CancellationToken.None);

        _rig.Time.Advance(TimeSpan.FromSeconds(30)); // the backend is down
        await _rig.RestartAsync();
        _rig.Link.Connect();
        await _rig.RunUntilStateAsync(queued.Id, CommandState.Expired, TimeSpan.Zero, stepMs: 0);
        var before = _rig.Link.Sent.Count;
        await _rig.RunUntilAsync(() => Task.FromResult(_rig.Link.Sent.Count > before), TimeSpan.FromSeconds(5), "the open command sent again");
        await _rig.AckAsync(open.Id, AckStage.Received);
        await _rig.AckAsync(open.Id, AckStage.Done, AckResult.Ok);

        using (Assert.EnterMultipleScope())
        {
            Assert.That((await _rig.GetAsync(open.Id)).State, Is.EqualTo(CommandState.Succeeded));
            Assert.That(_rig.Link.SentTo().Select(c => c.Id).Distinct(), Is.EqualTo(new[] { open.Id }), "the expired one was never sent");
        }
    }

    [Test]
    public async Task A_jam_fails_the_command_and_is_recorded_and_when_the_history_cannot_take_it_the_ack_is_not_taken()
    {
        _rig.Link.Connect();
        var command = await _rig.CreateAsync();
        await _rig.RunUntilAsync(() => Task.FromResult(!_rig.Link.Sent.IsEmpty), Long, "the first send");
        await _rig.AckAsync(command.Id, AckStage.Received);

        _rig.Effects.HistoryDown = true;
        Assert.That(await _rig.AckAsync(command.Id, AckStage.Done, AckResult.Failed, LockState.Jammed, "jammed"), Is.False, "PUBACK withheld: the device re-sends");
        Assert.That((await _rig.GetAsync(command.Id)).State, Is.EqualTo(CommandState.Delivered));

        _rig.Effects.HistoryDown = false;
        Assert.That(await _rig.AckAsync(command.Id, AckStage.Done, AckResult.Failed, LockState.Jammed, "jammed"), Is.True);
        var failed = await _rig.GetAsync(command.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed.State, Is.EqualTo(CommandState.Failed));
            Assert.That(failed.Reason, Is.EqualTo("jammed"));
            Assert.That(_rig.Effects.Jams, Is.EqualTo(new[] { command.Id }));
            Assert.That(_rig.Effects.Locks.Single().Lock, Is.EqualTo(LockState.Jammed));
        }
    }

    [Test]
    public async Task A_rejection_keeps_the_devices_reason()
    {
        _rig.Link.Connect();
        var command = await _rig.CreateAsync();
        await _rig.RunUntilAsync(() => Task.FromResult(!_rig.Link.Sent.IsEmpty), Long, "the first send");
        await _rig.AckAsync(command.Id, AckStage.Done, AckResult.Rejected, LockState.Locked, RejectReasons.ClockUnsynced);

        var rejected = await _rig.GetAsync(command.Id);
        Assert.That(rejected.State, Is.EqualTo(CommandState.Rejected));
        Assert.That(rejected.Reason, Is.EqualTo(RejectReasons.ClockUnsynced));
    }

    [Test]
    public async Task Acks_for_unknown_ids_or_another_devices_command_are_counted_and_change_nothing()
    {
        _rig.Link.Connect();
        var command = await _rig.CreateAsync();
        Assert.That(await _rig.AckAsync("01NOSUCHCOMMAND0000000000", AckStage.Received), Is.True);
        Assert.That(await _rig.AckAsync(command.Id, AckStage.Done, AckResult.Ok, device: "bike-0002"), Is.True);

        Assert.That(_rig.Stats.AcksOf(CommandStats.AckKinds.Unknown), Is.EqualTo(2));
        Assert.That((await _rig.GetAsync(command.Id)).State, Is.Not.EqualTo(CommandState.Succeeded));
    }
}
