using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Commands.StandIns;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.Commands;

/// <summary>The ledger is in the state store: open commands resume or end correctly after the backend restarts.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class CommandDeliveryRestartTests : CommandFixture
{
    [Test]
    public async Task An_open_SENT_command_resumes_after_a_restart_under_its_id_and_signature_and_succeeds()
    {
        var bike = await OnlineAsync("bike-0001", StandInBehaviour.Silent);
        var id = Id(await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 60 }));
        var first = (await WaitForDeliveriesAsync(bike, id, 1))[0].Command;
        await WaitForStateAsync(id, "SENT"); // the ledger records SENT just after the publish: the device may be first

        var oldLogs = Gateway.Logs;
        await Gateway.RestartAsync();
        Assert.That(oldLogs.Errors, Is.Empty, "the gateway logged errors before or while it stopped");
        bike.Behaviour = StandInBehaviour.Proper;
        await bike.ConnectAsync(Gateway);

        var done = await WaitForStateAsync(id, "SUCCEEDED");
        var attempts = await AttemptsMatchAsync(bike, id);

        var resent = bike.DeliveriesOf(id).Where(d => d.Connection == 2).Select(d => d.Command).ToList();
        AssertWellFormed(done);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(resent, Is.Not.Empty, "re-sent after the restart");
            Assert.That(resent, Is.All.EqualTo(first), "the same id and signature as before the restart");
            Assert.That(Path(done), Is.EqualTo(new[] { "SENT", "DELIVERED", "SUCCEEDED" }));
            Assert.That(attempts, Is.EqualTo(bike.DeliveriesOf(id).Count), "attempts count the deliveries before and after the restart");
            Assert.That((await ListAsync("bike-0001")).Select(Id), Is.EqualTo(new[] { id }), "still one command");
        }

        await WaitForDeviceLockAsync("bike-0001", "unlocked");
    }

    [Test]
    public async Task A_DELIVERED_command_still_times_out_after_a_restart()
    {
        var bike = await OnlineAsync("bike-0001", StandInBehaviour.ReceivedOnly);
        var id = Id(await CreateAsync("bike-0001", new { action = "lock", ttlSeconds = 60 }));
        await WaitForHistoryAsync(id, "DELIVERED");

        await Gateway.RestartAsync();
        await bike.ConnectAsync(Gateway);
        var timedOut = await WaitForStateAsync(id, "TIMED_OUT");

        AssertWellFormed(timedOut);
        Assert.That(Path(timedOut), Is.EqualTo(new[] { "SENT", "DELIVERED", "TIMED_OUT" }));
    }

    [Test]
    public async Task A_queued_command_whose_expiry_passes_during_the_restart_is_EXPIRED_and_never_delivered()
    {
        var bike = await RegisterAsync("bike-0001");
        await OnlineAsync("bike-0002", StandInBehaviour.Silent);
        var queued = await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 1, queueIfOffline = true });
        var id = Id(queued);
        var expiresAt = Time(queued, "expiresAt");
        Assert.That(State(queued), Is.EqualTo("QUEUED"));

        // A restart alone is quicker than the shortest ttl (1 s). A long poll on another command is in
        // flight while the host stops, and Kestrel drains it before it stops: the downtime lasts past the expiry.
        var longPoll = PostAsync("bike-0002", new { action = "unlock", ttlSeconds = 60 }, NewKey(), wait: 3);
        await WaitForAnyCommandAsync("bike-0002");
        await Gateway.RestartAsync();
        var upAgain = DateTimeOffset.UtcNow;
        (await longPoll).Dispose();
        TestContext.Out.WriteLine($"back up {(upAgain - expiresAt).TotalMilliseconds:0} ms after the expiry");
        Assert.That(upAgain, Is.GreaterThan(expiresAt), "the expiry passed while the backend was down");
        await WaitUntilPastAsync(expiresAt);
        await bike.ConnectAsync(Gateway);
        var expired = await WaitForStateAsync(id, "EXPIRED");
        await SentinelAsync(bike, new { action = "lock" });

        AssertWellFormed(expired);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(States(expired), Is.EqualTo(new[] { "QUEUED", "EXPIRED" }));
            Assert.That(Attempts(expired), Is.Zero);
            Assert.That(bike.DeliveriesOf(id), Is.Empty, "an expired command is never sent");
        }
    }

    private Task<JsonElement[]> WaitForAnyCommandAsync(string deviceId) =>
        Eventually.ValueAsync(() => ListAsync(deviceId), l => l.Length > 0, Patience, $"{deviceId} has a command");
}
