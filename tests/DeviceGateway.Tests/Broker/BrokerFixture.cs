using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.Broker;

/// <summary>A real gateway per test, with the HTTP reads broker tests need; any logged error fails the test.</summary>
public abstract class BrokerFixture
{
    protected TestGateway Gateway { get; private set; } = null!;

    /// <summary>Settings for this fixture's gateway on top of <see cref="TestGateway"/>'s.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    [SetUp]
    public async Task StartGatewayAsync() => Gateway = await TestGateway.StartAsync(Settings);

    [TearDown]
    public async Task StopGatewayAsync()
    {
        var errors = Gateway.Logs.Errors.ToList();
        await Gateway.DisposeAsync();
        Assert.That(errors, Is.Empty, "the gateway logged errors");
    }

    protected async Task<JsonElement> DeviceAsync(string id)
    {
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        return await client.GetFromJsonAsync<JsonElement>($"/api/devices/{id}");
    }

    protected async Task<bool> IsOnlineAsync(string id) => (await DeviceAsync(id)).GetProperty("online").GetBoolean();

    /// <summary>The presence reasons of a device, oldest first.</summary>
    protected async Task<string[]> PresenceReasonsAsync(string id)
    {
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        var presence = await client.GetFromJsonAsync<JsonElement>($"/api/devices/{id}/presence");
        return [.. presence.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("reason").GetString()!)];
    }

    /// <summary>Waits until the device's stored presence ends with <paramref name="reason"/>.</summary>
    protected Task<string[]> PresenceEndsWithAsync(string id, string reason, TimeSpan? timeout = null) =>
        Eventually.ValueAsync(
            () => PresenceReasonsAsync(id),
            reasons => reasons.Length > 0 && reasons[^1] == reason,
            timeout ?? TimeSpan.FromSeconds(10),
            $"presence of {id} ends with '{reason}'");

    protected async Task<long> RefusalsAsync(string reason)
    {
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        var stats = await client.GetFromJsonAsync<JsonElement>("/api/broker/stats");
        return stats.GetProperty("refusals").TryGetProperty(reason, out var n) ? n.GetInt64() : 0;
    }

    protected async Task<long> DeviceRefusalsAsync(string deviceId, string reason)
    {
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        var stats = await client.GetFromJsonAsync<JsonElement>("/api/broker/stats");
        foreach (var device in stats.GetProperty("refusedDevices").EnumerateArray())
        {
            if (device.GetProperty("deviceId").GetString() == deviceId)
            {
                return device.GetProperty("reasons").TryGetProperty(reason, out var n) ? n.GetInt64() : 0;
            }
        }

        return 0;
    }
}
