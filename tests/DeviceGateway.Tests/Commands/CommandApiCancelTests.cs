using System.Net;
using IoTPlatform.DeviceGateway.Tests.Commands.StandIns;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Tests.Commands;

/// <summary><c>POST /api/commands/{id}/cancel</c>: allowed while QUEUED or SENT, 409 once the device has it or it ended.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class CommandApiCancelTests : CommandFixture
{
    [Test]
    public async Task A_SENT_command_is_CANCELLED_and_no_longer_re_sent()
    {
        var bike = await OnlineAsync("bike-0001", StandInBehaviour.Silent);
        var id = Id(await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 60 }));
        await WaitForDeliveriesAsync(bike, id, 1);

        using var response = await CancelAsync(id);

        var cancelled = await ReadAsync(response, HttpStatusCode.OK);
        AssertWellFormed(cancelled);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(State(cancelled), Is.EqualTo("CANCELLED"));
            Assert.That(Path(cancelled), Is.EqualTo(new[] { "SENT", "CANCELLED" }));
            Assert.That(State(await GetCommandAsync(id)), Is.EqualTo("CANCELLED"));
        }

        // A re-send may have been on its way while the cancel ran; after that, nothing more (longer than
        // an attempt timeout plus the largest backoff, twice).
        await Task.Delay(TimeSpan.FromSeconds(1));
        var settled = bike.DeliveriesOf(id).Count;
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.That(bike.DeliveriesOf(id), Has.Count.EqualTo(settled), "no re-send after CANCELLED");
        Assert.That(Attempts(await GetCommandAsync(id)), Is.EqualTo(settled));
    }

    [Test]
    public async Task A_QUEUED_command_is_CANCELLED_and_never_delivered_when_the_device_connects()
    {
        var bike = await RegisterAsync("bike-0001");
        var id = Id(await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 60, queueIfOffline = true }));

        using var response = await CancelAsync(id, TestGateway.OpsKey);
        var cancelled = await ReadAsync(response, HttpStatusCode.OK);
        await bike.ConnectAsync(Gateway);
        await SentinelAsync(bike, new { action = "lock" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(States(cancelled), Is.EqualTo(new[] { "QUEUED", "CANCELLED" }));
            Assert.That(bike.DeliveriesOf(id), Is.Empty);
            Assert.That(State(await GetCommandAsync(id)), Is.EqualTo("CANCELLED"));
        }
    }

    [Test]
    public async Task After_the_device_acked_received_cancel_is_409()
    {
        await OnlineAsync("bike-0001", StandInBehaviour.ReceivedOnly);
        var id = Id(await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 60 }));
        await WaitForHistoryAsync(id, "DELIVERED");

        using var response = await CancelAsync(id);

        await Problem.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.That(States(await GetCommandAsync(id)), Has.None.EqualTo("CANCELLED"));
    }

    [Test]
    public async Task An_ended_command_cannot_be_cancelled()
    {
        await OnlineAsync("bike-0001");
        var done = await CreateAsync("bike-0001", new { action = "unlock" }, wait: 20);
        Assert.That(State(done), Is.EqualTo("SUCCEEDED"));

        using var response = await CancelAsync(Id(done));

        await Problem.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.That(State(await GetCommandAsync(Id(done))), Is.EqualTo("SUCCEEDED"));
    }

    [Test]
    public async Task A_second_cancel_is_409()
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);
        var id = Id(await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 60 }));
        using (var first = await CancelAsync(id))
        {
            await ReadAsync(first, HttpStatusCode.OK);
        }

        using var second = await CancelAsync(id);

        await Problem.ReadAsync(second, HttpStatusCode.Conflict);
    }

    [Test]
    public async Task A_done_that_arrives_after_the_cancel_is_recorded_late_with_what_happened()
    {
        var bike = await OnlineAsync("bike-0001", StandInBehaviour.Silent);
        var id = Id(await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 60 }));
        var delivery = (await WaitForDeliveriesAsync(bike, id, 1))[0];
        using (var cancel = await CancelAsync(id))
        {
            await ReadAsync(cancel, HttpStatusCode.OK);
        }

        // The controller had already acted on it: the truth about the lock wins over the tidy state.
        await bike.AckDoneAsync(delivery.Command, AckResult.Ok, LockState.Unlocked);
        var late = await WaitForStateAsync(id, "SUCCEEDED");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(late.GetProperty("late").GetBoolean(), Is.True);
            Assert.That(Path(late), Is.EqualTo(new[] { "SENT", "CANCELLED", "SUCCEEDED" }));
        }

        await WaitForDeviceLockAsync("bike-0001", "unlocked");
    }

    [TestCase(TestGateway.MaintenanceKey)]
    [TestCase(TestGateway.ReadOnlyKey)]
    public async Task Only_admin_and_ops_may_cancel(string apiKey)
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);
        var id = Id(await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 60 }, apiKey: TestGateway.MaintenanceKey));

        using var response = await CancelAsync(id, apiKey);

        await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
        Assert.That(State(await GetCommandAsync(id)), Is.AnyOf("QUEUED", "SENT"));
    }
}
