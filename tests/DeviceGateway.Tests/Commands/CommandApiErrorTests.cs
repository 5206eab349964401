using System.Net;
using IoTPlatform.DeviceGateway.Tests.Commands.StandIns;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.Commands;

/// <summary>
/// What <c>POST /api/devices/{id}/commands</c> refuses: 400s naming the field, 401/403 by key and role,
/// 404 for an unknown device. The devices are online, so that no refusal is the offline rule's 409; a
/// refused request creates no command.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class CommandApiErrorTests : CommandFixture
{
    public static IEnumerable<TestCaseData> BadBodies()
    {
        yield return new TestCaseData("bike-0001", new { action = "release", slot = 1 }, "action").SetName("A bike cannot release");
        yield return new TestCaseData("bike-0001", new { action = "secure" }, "action").SetName("A bike cannot secure");
        yield return new TestCaseData("bike-0001", new { action = "open" }, "action").SetName("An unknown action");
        yield return new TestCaseData("bike-0001", new { ttlSeconds = 30 }, "action").SetName("No action");
        yield return new TestCaseData("bike-0001", new { action = "unlock", slot = 1 }, "slot").SetName("A bike command has no slot");
        yield return new TestCaseData("kiosk-0001", new { action = "unlock" }, "action").SetName("A kiosk cannot unlock");
        yield return new TestCaseData("kiosk-0001", new { action = "lock", slot = 1 }, "action").SetName("A kiosk cannot lock");
        yield return new TestCaseData("kiosk-0001", new { action = "release" }, "slot").SetName("A kiosk release needs a slot");
        yield return new TestCaseData("kiosk-0001", new { action = "secure", slot = 0 }, "slot").SetName("Slots start at 1");
        yield return new TestCaseData("kiosk-0001", new { action = "release", slot = 5 }, "slot").SetName("A slot past the kiosk's slots");
        yield return new TestCaseData("bike-0001", new { action = "unlock", ttlSeconds = 0 }, "ttlSeconds").SetName("ttlSeconds 0");
        yield return new TestCaseData("bike-0001", new { action = "unlock", ttlSeconds = 601 }, "ttlSeconds").SetName("ttlSeconds 601");
        yield return new TestCaseData("kiosk-0001", new { action = "release", slot = 2, ttlSeconds = -5 }, "ttlSeconds").SetName("ttlSeconds negative");
    }

    [TestCaseSource(nameof(BadBodies))]
    public async Task A_bad_body_is_400_naming_the_field_and_creates_nothing(string deviceId, object body, string field)
    {
        await OnlineDevicesAsync();

        using var response = await PostAsync(deviceId, body, NewKey());

        Assert.That(await Problem.FieldsAsync(response), Is.EqualTo(new[] { field }));
        Assert.That(await ListAsync(deviceId), Is.Empty);
    }

    [TestCase(1)]
    [TestCase(600)]
    public async Task The_ttl_bounds_are_accepted(int ttlSeconds)
    {
        await OnlineDevicesAsync();

        var command = await CreateAsync("bike-0001", new { action = "unlock", ttlSeconds });

        Assert.That(Time(command, "expiresAt") - Time(command, "createdAt"), Is.EqualTo(TimeSpan.FromSeconds(ttlSeconds)).Within(TimeSpan.FromSeconds(1)));
    }

    [Test]
    public async Task A_missing_Idempotency_Key_is_400_naming_it()
    {
        await OnlineDevicesAsync();

        using var response = await PostAsync("bike-0001", new { action = "unlock" }, idempotencyKey: null);

        Assert.That(await Problem.FieldsAsync(response), Is.EqualTo(new[] { "Idempotency-Key" }));
        Assert.That(await ListAsync("bike-0001"), Is.Empty);
    }

    [Test]
    public async Task An_Idempotency_Key_over_200_characters_is_400_naming_it_and_200_are_accepted()
    {
        await OnlineDevicesAsync();

        using var tooLong = await PostAsync("bike-0001", new { action = "unlock" }, new string('k', 201));
        Assert.That(await Problem.FieldsAsync(tooLong), Is.EqualTo(new[] { "Idempotency-Key" }));

        await CreateAsync("bike-0001", new { action = "unlock" }, new string('k', 200));
    }

    [Test]
    public async Task An_unknown_device_is_404()
    {
        using var response = await PostAsync("bike-9999", new { action = "unlock" }, NewKey());

        var problem = await Problem.ReadAsync(response, HttpStatusCode.NotFound);
        Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("bike-9999"));
    }

    [TestCase(null)]
    [TestCase("not-a-key")]
    public async Task No_key_or_an_unknown_key_is_401(string? apiKey)
    {
        await OnlineDevicesAsync();
        using var client = Gateway.Client(apiKey);

        using var post = await PostAsync("bike-0001", new { action = "unlock" }, NewKey(), apiKey);
        using var list = await client.GetAsync("/api/devices/bike-0001/commands");
        using var stats = await client.GetAsync("/api/commands/stats");

        await Problem.ReadAsync(post, HttpStatusCode.Unauthorized);
        await Problem.ReadAsync(list, HttpStatusCode.Unauthorized);
        await Problem.ReadAsync(stats, HttpStatusCode.Unauthorized);
        Assert.That(await ListAsync("bike-0001"), Is.Empty);
    }

    [TestCase(TestGateway.ReadOnlyKey, "bike-0001", "unlock", null)]
    [TestCase(TestGateway.ReadOnlyKey, "kiosk-0001", "release", 1)]
    [TestCase(TestGateway.MaintenanceKey, "bike-0001", "lock", null)]
    [TestCase(TestGateway.MaintenanceKey, "kiosk-0001", "secure", 1)]
    public async Task A_role_that_may_not_send_the_action_is_403(string apiKey, string deviceId, string action, int? slot)
    {
        await OnlineDevicesAsync();

        using var response = await PostAsync(deviceId, Body(action, slot), NewKey(), apiKey);

        await Problem.ReadAsync(response, HttpStatusCode.Forbidden);
        Assert.That(await ListAsync(deviceId), Is.Empty);
    }

    [TestCase(TestGateway.MaintenanceKey, "bike-0001", "unlock", null)]
    [TestCase(TestGateway.MaintenanceKey, "kiosk-0001", "release", 2)]
    [TestCase(TestGateway.OpsKey, "bike-0001", "lock", null)]
    [TestCase(TestGateway.OpsKey, "kiosk-0001", "secure", 4)]
    [TestCase(TestGateway.AdminKey, "kiosk-0001", "secure", 3)]
    public async Task A_role_that_may_send_the_action_gets_201(string apiKey, string deviceId, string action, int? slot)
    {
        await OnlineDevicesAsync();

        var command = await CreateAsync(deviceId, Body(action, slot), apiKey: apiKey);

        Assert.That(command.GetProperty("action").GetString(), Is.EqualTo(action));
    }

    /// <summary>A body with a slot only where there is one (no <c>"slot": null</c>).</summary>
    private static object Body(string action, int? slot) => slot is int n ? new { action, slot = n } : new { action };

    /// <summary>bike-0001 and kiosk-0001 (umbrella kiosk, 4 slots), online, never answering.</summary>
    private async Task OnlineDevicesAsync()
    {
        await OnlineAsync("bike-0001", StandInBehaviour.Silent);
        await OnlineAsync("kiosk-0001", StandInBehaviour.Silent, kind: "umbrella-kiosk", slots: 4);
    }
}
