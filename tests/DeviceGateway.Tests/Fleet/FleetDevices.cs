using System.Globalization;
using System.Net;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using MQTTnet;

namespace IoTPlatform.DeviceGateway.Tests.Fleet;

/// <summary>Devices that report real readings over MQTT, and reading <c>GET /api/fleet</c> answers.</summary>
public static class FleetDevices
{
    /// <summary>
    /// Registers <paramref name="id"/>, connects it and publishes one reading (QoS 1; the PUBACK means its latest
    /// state is written). The device stays connected; dispose the client to take it offline.
    /// </summary>
    public static async Task<DeviceClient> ReportAsync(
        TestGateway gateway, string id, double lat, double lon, int battery, string lockState, string kind = "bike", int? slots = null, string? slotsJson = null)
    {
        var secret = await gateway.RegisterAsync(id, kind, slots);
        var device = await DeviceClient.ConnectAsync(gateway, id, secret);
        var ts = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
        var reading = string.Create(
            CultureInfo.InvariantCulture,
            $$"""{"seq":1,"ts":{{ts}},"lat":{{lat}},"lon":{{lon}},"fix":3,"battery":{{battery}},"lock":"{{lockState}}"{{(slotsJson is null ? "" : ",\"slots\":" + slotsJson)}}}""");
        var result = await device.PublishAsync($"v1/devices/{id}/telemetry", reading);
        Assert.That(result.ReasonCode, Is.EqualTo(MqttClientPublishReasonCode.Success), $"{id}: {result.ReasonString}");
        return device;
    }

    /// <summary>The answer to <c>GET /api/fleet{query}</c>, which must be 200.</summary>
    public static async Task<JsonElement> QueryAsync(HttpClient client, string query)
    {
        ArgumentNullException.ThrowIfNull(client);
        using var response = await client.GetAsync("/api/fleet" + query);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var body = JsonDocument.Parse(text).RootElement.Clone();
        Assert.That(body.GetProperty("count").GetInt32(), Is.EqualTo(body.GetProperty("devices").GetArrayLength()), text);
        return body;
    }

    /// <summary>The ids of the devices in the answer to <c>GET /api/fleet{query}</c>, in answer order.</summary>
    public static async Task<string[]> IdsAsync(HttpClient client, string query) => Ids(await QueryAsync(client, query));

    public static string[] Ids(JsonElement answer) =>
        [.. answer.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("id").GetString()!)];
}
