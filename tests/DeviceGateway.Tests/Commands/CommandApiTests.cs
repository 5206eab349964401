using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Commands.StandIns;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.Commands;

/// <summary>The command API's answers: the command as JSON, idempotency, <c>?wait</c>, the list, the offline rule and the stats.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class CommandApiTests : CommandFixture
{
    [Test]
    public async Task A_new_command_is_201_with_its_Location_and_the_command_as_the_contract_shows_it()
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);

        using var response = await PostAsync("bike-0001", new { action = "unlock", ttlSeconds = 45 }, NewKey());
        var command = await ReadAsync(response, HttpStatusCode.Created);

        var id = Id(command);
        var names = command.EnumerateObject().Select(p => p.Name).ToList();
        AssertWellFormed(command);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(LocationPath(response), Is.EqualTo($"/api/commands/{id}"));
            Assert.That(id, Is.Not.Empty);
            Assert.That(command.GetProperty("deviceId").GetString(), Is.EqualTo("bike-0001"));
            Assert.That(command.GetProperty("action").GetString(), Is.EqualTo("unlock"));
            Assert.That(State(command), Is.AnyOf("QUEUED", "SENT"));
            Assert.That(command.GetProperty("requestedBy").GetString(), Is.EqualTo("admin"));
            Assert.That(Time(command, "expiresAt") - Time(command, "createdAt"), Is.EqualTo(TimeSpan.FromSeconds(45)).Within(TimeSpan.FromSeconds(1)));
            Assert.That(names, Is.SupersetOf(new[] { "id", "deviceId", "action", "state", "requestedBy", "createdAt", "expiresAt", "attempts", "history" }));
            Assert.That(names, Has.None.AnyOf("slot", "reason", "late"), "null fields are omitted (a bike command has no slot)");
        }

        var read = await GetCommandAsync(id, TestGateway.ReadOnlyKey);
        Assert.That((Id(read), read.GetProperty("requestedBy").GetString()), Is.EqualTo((id, "admin")), "any key may read a command");
    }

    [Test]
    public async Task The_default_ttl_is_30_seconds()
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);

        var command = await CreateAsync("bike-0001", new { action = "lock" });

        Assert.That(Time(command, "expiresAt") - Time(command, "createdAt"), Is.EqualTo(TimeSpan.FromSeconds(30)).Within(TimeSpan.FromSeconds(1)));
    }

    [TestCase(TestGateway.OpsKey, "ops-team", "lock")]
    [TestCase(TestGateway.MaintenanceKey, "crew-7", "unlock")]
    public async Task RequestedBy_is_the_name_of_the_key(string apiKey, string name, string action)
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);

        var command = await CreateAsync("bike-0001", new { action }, apiKey: apiKey);

        Assert.That(command.GetProperty("requestedBy").GetString(), Is.EqualTo(name));
    }

    [Test]
    public async Task A_repeated_Idempotency_Key_is_200_with_the_same_command_and_no_second_delivery()
    {
        var bike = await OnlineAsync("bike-0001");
        var key = NewKey();
        var first = await CreateAsync("bike-0001", new { action = "unlock" }, key, wait: 20);

        using var repeat = await PostAsync("bike-0001", new { action = "unlock" }, key, wait: 20);
        var again = await ReadAsync(repeat, HttpStatusCode.OK);
        var sentinel = await SentinelAsync(bike, new { action = "lock" });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Id(again), Is.EqualTo(Id(first)));
            Assert.That(State(again), Is.EqualTo("SUCCEEDED"));
            Assert.That(bike.Deliveries.Select(d => d.Command.Id).Distinct(), Is.EquivalentTo(new[] { Id(first), sentinel }), "one command delivered for the key");
            Assert.That((await ListAsync("bike-0001")).Select(Id), Is.EqualTo(new[] { Id(first), sentinel }));
        }
    }

    [Test]
    public async Task A_repeated_key_while_the_command_is_open_answers_the_same_command()
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);
        var key = NewKey();
        var first = await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 60 }, key);

        using var repeat = await PostAsync("bike-0001", new { action = "unlock", ttlSeconds = 60 }, key);

        var again = await ReadAsync(repeat, HttpStatusCode.OK);
        Assert.That((Id(again), Time(again, "createdAt")), Is.EqualTo((Id(first), Time(first, "createdAt"))));
        Assert.That(await ListAsync("bike-0001"), Has.Length.EqualTo(1));
    }

    [Test]
    public async Task A_reused_key_with_another_body_is_422_and_creates_nothing()
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);
        var key = NewKey();
        var first = await CreateAsync("bike-0001", new { action = "unlock" }, key);

        using var other = await PostAsync("bike-0001", new { action = "lock" }, key);

        await Problem.ReadAsync(other, HttpStatusCode.UnprocessableEntity);
        Assert.That((await ListAsync("bike-0001")).Select(Id), Is.EqualTo(new[] { Id(first) }));
    }

    [Test]
    public async Task The_same_key_for_another_device_is_another_command()
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);
        await OnlineAsync("bike-0002", StandInBehaviour.Silent);
        var key = NewKey();

        var one = await CreateAsync("bike-0001", new { action = "unlock" }, key);
        var two = await CreateAsync("bike-0002", new { action = "unlock" }, key);

        Assert.That(Id(two), Is.Not.EqualTo(Id(one)));
        Assert.That(two.GetProperty("deviceId").GetString(), Is.EqualTo("bike-0002"));
    }

    [Test]
    public async Task Wait_answers_with_the_command_as_it_is_when_the_wait_runs_out()
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);

        var command = await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds = 60 }, wait: 1);

        Assert.That(State(command), Is.EqualTo("SENT"), "not ended: sent, no ack");
    }

    [Test]
    public async Task An_offline_device_is_409_device_offline_and_nothing_is_recorded()
    {
        await RegisterAsync("bike-0001");

        using var response = await PostAsync("bike-0001", new { action = "unlock" }, NewKey());

        var problem = await Problem.ReadAsync(response, HttpStatusCode.Conflict);
        Assert.That(problem.GetProperty("title").GetString(), Is.EqualTo("device offline"));
        Assert.That(await ListAsync("bike-0001"), Is.Empty);
    }

    [Test]
    public async Task An_offline_device_with_queueIfOffline_gets_a_QUEUED_command()
    {
        await RegisterAsync("kiosk-0001", kind: "charger-kiosk", slots: 6);

        var command = await CreateAsync("kiosk-0001", new { action = "release", slot = 6, queueIfOffline = true });

        using (Assert.EnterMultipleScope())
        {
            Assert.That(State(command), Is.EqualTo("QUEUED"));
            Assert.That(States(command), Is.EqualTo(new[] { "QUEUED" }));
            Assert.That(command.GetProperty("slot").GetInt32(), Is.EqualTo(6));
            Assert.That(Attempts(command), Is.Zero);
        }
    }

    [Test]
    public async Task Unknown_command_ids_are_404()
    {
        using var client = Gateway.Client();
        using var get = await client.GetAsync("/api/commands/01JDZ8XK3V9Q4S2M7N6P5R4T3W");
        using var cancel = await client.PostAsync("/api/commands/01JDZ8XK3V9Q4S2M7N6P5R4T3W/cancel", content: null);

        await Problem.ReadAsync(get, HttpStatusCode.NotFound);
        await Problem.ReadAsync(cancel, HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_list_is_oldest_first_and_filters_by_time_and_state()
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);
        var commands = new List<JsonElement>();
        foreach (var action in new[] { "unlock", "lock", "unlock" })
        {
            commands.Add(await CreateAsync("bike-0001", new { action, ttlSeconds = 120 }));
            await Task.Delay(20); // distinct createdAt milliseconds, so that a time bound falls between two commands
        }

        using (var cancelled = await CancelAsync(Id(commands[1])))
        {
            await ReadAsync(cancelled, HttpStatusCode.OK);
        }

        var ids = commands.Select(Id).ToArray();
        var second = Time(commands[1], "createdAt");
        var fromIso = Uri.EscapeDataString(second.ToString("O", CultureInfo.InvariantCulture));
        var beforeSecondMs = (second.ToUnixTimeMilliseconds() - 1).ToString(CultureInfo.InvariantCulture);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await ListAsync("bike-0001")).Select(Id), Is.EqualTo(ids));
            Assert.That((await ListAsync("bike-0001", $"?from={fromIso}")).Select(Id), Is.EqualTo(ids[1..]), "from (ISO) is inclusive");
            Assert.That((await ListAsync("bike-0001", $"?to={beforeSecondMs}")).Select(Id), Is.EqualTo(ids[..1]), "to as epoch ms");
            Assert.That((await ListAsync("bike-0001", "?state=CANCELLED")).Select(Id), Is.EqualTo(new[] { ids[1] }));
            Assert.That((await ListAsync("bike-0001", "?state=SENT")).Select(Id), Is.EqualTo(new[] { ids[0], ids[2] }));
        }
    }

    [Test]
    public async Task The_list_refuses_an_unknown_state_naming_state_and_an_unknown_device_with_404()
    {
        await RegisterAsync("bike-0001");
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);

        using var badState = await client.GetAsync("/api/devices/bike-0001/commands?state=OPENED");
        using var unknown = await client.GetAsync("/api/devices/bike-9999/commands");

        Assert.That(await Problem.FieldsAsync(badState), Is.EqualTo(new[] { "state" }));
        await Problem.ReadAsync(unknown, HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_stats_count_the_five_kinds_of_ack()
    {
        using var client = Gateway.Client();

        var stats = await client.GetFromJsonAsync<JsonElement>("/api/commands/stats");

        var acks = stats.GetProperty("acks");
        foreach (var name in new[] { "accepted", "malformed", "unknown", "duplicate", "late" })
        {
            Assert.That(acks.GetProperty(name).GetInt64(), Is.Zero, name);
        }
    }

    [Test]
    public async Task The_stats_count_what_a_command_went_through_and_the_broker_counts_its_sends()
    {
        await OnlineAsync("bike-0001");
        var command = await CreateAsync("bike-0001", new { action = "unlock" }, wait: 20);
        Assert.That(State(command), Is.EqualTo("SUCCEEDED"));
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);

        var stats = await client.GetFromJsonAsync<JsonElement>("/api/commands/stats");
        var broker = await client.GetFromJsonAsync<JsonElement>("/api/broker/stats");

        var attempts = command.GetProperty("attempts").GetInt64();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stats.GetProperty("created").GetInt64(), Is.EqualTo(1));
            Assert.That(stats.GetProperty("attempts").GetInt64(), Is.EqualTo(attempts));
            Assert.That(stats.GetProperty("statesEntered").GetProperty("SUCCEEDED").GetInt64(), Is.EqualTo(1));
            Assert.That(stats.GetProperty("acks").GetProperty("accepted").GetInt64(), Is.EqualTo(2), "received and done");
            Assert.That(broker.GetProperty("commandSends").GetProperty("sent").GetInt64(), Is.EqualTo(attempts));
            Assert.That(broker.GetProperty("commandSends").GetProperty("notSubscribed").GetInt64(), Is.Zero);
        }
    }
}
