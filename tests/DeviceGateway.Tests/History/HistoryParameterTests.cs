using System.Net;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.History;

/// <summary>What every history query shares: 400s naming the parameter, 404 for an unknown device, any key may query.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class HistoryParameterTests : HistoryFixture
{
    private static readonly string[] Endpoints = ["latest", "telemetry", "events", "trips", "slots"];

    [TestCase("telemetry?from=yesterday", "from")]
    [TestCase("telemetry?to=2026-13-40", "to")]
    [TestCase("telemetry?from=2026-11-22T10:00:00Z&to=2026-11-22T09:00:00Z", "from")]
    [TestCase("telemetry?limit=0", "limit")]
    [TestCase("telemetry?limit=50001", "limit")]
    [TestCase("telemetry?limit=many", "limit")]
    [TestCase("telemetry?format=xml", "format")]
    [TestCase("events?from=1763805600000&to=1763805599999", "from")]
    [TestCase("events?limit=-1", "limit")]
    [TestCase("events?type=unlock", "type")]
    [TestCase("events?to=soon", "to")]
    [TestCase("trips?from=9999999999999999999", "from")]
    [TestCase("trips?from=2026-11-23T00:00:00Z&to=2026-11-22T00:00:00Z", "from")]
    public async Task A_bad_parameter_is_400_naming_it(string query, string field)
    {
        await Gateway.RegisterAsync("kiosk-0001", "umbrella-kiosk", 2);
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        using var response = await client.GetAsync($"/api/devices/kiosk-0001/{query}");
        Assert.That(await Problem.FieldsAsync(response), Is.EqualTo(new[] { field }));
    }

    [Test]
    public async Task Every_bad_parameter_is_named_at_once()
    {
        await Gateway.RegisterAsync("bike-0001");
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        using var response = await client.GetAsync("/api/devices/bike-0001/telemetry?from=x&to=y&limit=0&format=pdf");
        Assert.That(await Problem.FieldsAsync(response), Is.EquivalentTo(new[] { "from", "to", "limit", "format" }));
    }

    [Test]
    public async Task An_unknown_device_is_404_on_every_query()
    {
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        foreach (var endpoint in Endpoints)
        {
            using var response = await client.GetAsync($"/api/devices/bike-9999/{endpoint}");
            var problem = await Problem.ReadAsync(response, HttpStatusCode.NotFound);
            Assert.That(problem.GetProperty("detail").GetString(), Does.Contain("bike-9999"), endpoint);
        }
    }

    [TestCase(TestGateway.ReadOnlyKey)]
    [TestCase(TestGateway.MaintenanceKey)]
    [TestCase(TestGateway.OpsKey)]
    public async Task Any_key_may_query(string key)
    {
        await Gateway.RegisterAsync("kiosk-0001", "umbrella-kiosk", 2);
        using var client = Gateway.Client(key);
        foreach (var endpoint in Endpoints)
        {
            using var response = await client.GetAsync($"/api/devices/kiosk-0001/{endpoint}");
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{endpoint}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Test]
    public async Task No_key_is_401()
    {
        await Gateway.RegisterAsync("bike-0001");
        using var client = Gateway.Client(apiKey: null);
        foreach (var endpoint in Endpoints)
        {
            using var response = await client.GetAsync($"/api/devices/bike-0001/{endpoint}");
            await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        }
    }
}
