using IoTPlatform.DeviceGateway.Tests.Commands.StandIns;

namespace IoTPlatform.DeviceGateway.Tests.Commands;

/// <summary><c>queueIfOffline</c>: a controller that is offline, then reconnects before or after the command's expiry.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class CommandDeliveryQueueTests : CommandFixture
{
    [Test]
    public async Task A_controller_back_before_expiry_gets_its_queued_command_on_the_new_connection_and_it_succeeds()
    {
        var bike = await OnlineAsync("bike-0001");
        await bike.DisconnectAsync();
        await WaitOfflineAsync("bike-0001");

        var queued = await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 60, queueIfOffline = true });
        var id = Id(queued);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(State(queued), Is.EqualTo("QUEUED"));
            Assert.That(Attempts(queued), Is.Zero);
            Assert.That(bike.Deliveries, Is.Empty);
        }

        await bike.ConnectAsync(Gateway);
        var done = await WaitForStateAsync(id, "SUCCEEDED");

        AssertWellFormed(done);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(States(done), Is.EqualTo(new[] { "QUEUED", "SENT", "DELIVERED", "SUCCEEDED" }));
            Assert.That(bike.DeliveriesOf(id).Select(d => d.Connection), Is.Not.Empty.And.All.EqualTo(2), "delivered on the reconnection");
        }

        Assert.That(await AttemptsMatchAsync(bike, id), Is.GreaterThanOrEqualTo(1));
        await WaitForDeviceLockAsync("bike-0001", "unlocked");
    }

    [Test]
    public async Task A_controller_back_after_expiry_never_gets_the_queued_command_and_it_is_EXPIRED()
    {
        var bike = await OnlineAsync("bike-0001");
        await bike.DisconnectAsync();
        await WaitOfflineAsync("bike-0001");

        var queued = await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 1, queueIfOffline = true });
        var id = Id(queued);
        Assert.That(State(queued), Is.EqualTo("QUEUED"));
        await WaitUntilPastAsync(Time(queued, "expiresAt"));

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
}
