using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using MQTTnet;

namespace IoTPlatform.DeviceGateway.Tests.History;

/// <summary>
/// A real gateway per test, devices that publish over real MQTT, and the HTTP reads of the history queries.
/// A PUBACK means committed, so a query right after a publish sees it. Any logged error fails the test.
/// </summary>
public abstract class HistoryFixture
{
    protected TestGateway Gateway { get; private set; } = null!;

    /// <summary>A whole second an hour ago: device times of the test's readings start here.</summary>
    protected long T0 { get; private set; }

    [SetUp]
    public async Task StartGatewayAsync()
    {
        T0 = DateTimeOffset.UtcNow.AddHours(-1).ToUnixTimeSeconds() * 1000;
        Gateway = await TestGateway.StartAsync(await GatewaySettingsAsync());
    }

    [TearDown]
    public async Task StopGatewayAsync()
    {
        var errors = Gateway.Logs.Errors.ToList();
        await Gateway.DisposeAsync();
        Assert.That(errors, Is.Empty, "the gateway logged errors");
    }

    /// <summary>Settings the gateway starts with besides the test defaults (e.g. another history store).</summary>
    protected virtual Task<IDictionary<string, string?>?> GatewaySettingsAsync() => Task.FromResult<IDictionary<string, string?>?>(null);

    /// <summary>Registers a device and connects it.</summary>
    protected async Task<DeviceClient> ConnectAsync(string id, string kind = "bike", int? slots = null) =>
        await DeviceClient.ConnectAsync(Gateway, id, await Gateway.RegisterAsync(id, kind, slots));

    /// <summary>Publishes one reading or an array of them (anonymous objects, named as on the wire) and expects the PUBACK to accept it.</summary>
    protected static Task TelemetryAsync(DeviceClient device, object payload) => PublishAsync(device, "telemetry", payload);

    /// <summary>Publishes one event or an array of them and expects the PUBACK to accept it.</summary>
    protected static Task EventsAsync(DeviceClient device, object payload) => PublishAsync(device, "events", payload);

    /// <summary>A GET with the read-only key, expecting 200; the body as JSON.</summary>
    protected async Task<JsonElement> GetAsync(string path)
    {
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        using var response = await client.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Epoch ms <paramref name="seconds"/> after <see cref="T0"/>.</summary>
    protected long At(double seconds) => T0 + (long)(seconds * 1000);

    private static async Task PublishAsync(DeviceClient device, string topic, object payload)
    {
        var result = await device.PublishAsync($"v1/devices/{device.Mqtt.Options.ClientId}/{topic}", JsonSerializer.Serialize(payload));
        Assert.That(result.ReasonCode, Is.EqualTo(MqttClientPublishReasonCode.Success), result.ReasonString);
    }
}
