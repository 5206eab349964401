using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using IoTPlatform.Broker;
using IoTPlatform.DeviceGateway.Devices;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace IoTPlatform.DeviceGateway.Tests;

/// <summary>The device registry through the real HTTP host on a free loopback port.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class RegistryApiTests
{
    private TestGateway _gateway = null!;

    [SetUp]
    public async Task StartAsync() => _gateway = await TestGateway.StartAsync();

    [TearDown]
    public async Task StopAsync()
    {
        var errors = _gateway.Logs.Errors.ToList();
        await _gateway.DisposeAsync();
        Assert.That(errors, Is.Empty, "the gateway logged errors");
    }

    [Test]
    public async Task Health_is_200_and_the_OpenAPI_document_lists_the_device_endpoints()
    {
        using var anonymous = _gateway.Client(apiKey: null);
        using var health = await anonymous.GetAsync("/health");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var openApi = await anonymous.GetFromJsonAsync<JsonElement>("/openapi/v1.json");
        var paths = openApi.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.That(paths, Is.SupersetOf(new[] { "/api/devices", "/api/devices/{id}", "/api/devices/{id}/secret" }));
    }

    [Test]
    public async Task Registering_a_bike_returns_201_with_a_256_bit_secret_shown_once()
    {
        using var client = _gateway.Client();
        using var response = await client.PostAsJsonAsync("/api/devices", new { id = "bike-0001", kind = "bike" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo("/api/devices/bike-0001"));

        var created = await response.Content.ReadFromJsonAsync<JsonElement>();
        var secret = created.GetProperty("secret").GetString()!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(created.GetProperty("id").GetString(), Is.EqualTo("bike-0001"));
            Assert.That(created.GetProperty("kind").GetString(), Is.EqualTo("bike"));
            Assert.That(created.GetProperty("status").GetString(), Is.EqualTo("active"));
            Assert.That(created.TryGetProperty("slots", out _), Is.False, "bikes have no slots");
            Assert.That(System.Buffers.Text.Base64Url.DecodeFromChars(secret), Has.Length.EqualTo(32));
        }

        var shown = await client.GetFromJsonAsync<JsonElement>("/api/devices/bike-0001");
        Assert.That(shown.TryGetProperty("secret", out _), Is.False, "the secret is shown only once");
        Assert.That(await VerifyAsync("bike-0001", secret), Is.EqualTo(DeviceAuthResult.Accepted));
    }

    [Test]
    public async Task Secrets_are_stored_only_as_keyed_hashes()
    {
        var secret = await _gateway.RegisterAsync("bike-0042");
        var database = await File.ReadAllBytesAsync(Path.Combine(_gateway.DataDir, "state.db"));
        var wal = Path.Combine(_gateway.DataDir, "state.db-wal");
        var everything = File.Exists(wal) ? [.. database, .. await File.ReadAllBytesAsync(wal)] : database;
        Assert.That(Encoding.ASCII.GetString(everything), Does.Not.Contain(secret));
    }

    [TestCase("umbrella-kiosk", 1)]
    [TestCase("charger-kiosk", 64)]
    public async Task Kiosks_are_registered_with_their_slots(string kind, int slots)
    {
        using var client = _gateway.Client();
        using var response = await client.PostAsJsonAsync("/api/devices", new { id = "kiosk-001", kind, slots });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var shown = await client.GetFromJsonAsync<JsonElement>("/api/devices/kiosk-001");
        Assert.That(shown.GetProperty("slots").GetInt32(), Is.EqualTo(slots));
        Assert.That(shown.GetProperty("kind").GetString(), Is.EqualTo(kind));
    }

    [TestCase("umbrella-kiosk", null)]
    [TestCase("umbrella-kiosk", 0)]
    [TestCase("charger-kiosk", 65)]
    [TestCase("charger-kiosk", -3)]
    [TestCase("bike", 2)]
    public async Task Wrong_slots_for_the_kind_are_400_naming_slots(string kind, int? slots)
    {
        using var client = _gateway.Client();
        using var response = await client.PostAsJsonAsync("/api/devices", new { id = "dev-001", kind, slots });
        Assert.That(await Problem.FieldsAsync(response), Is.EqualTo(new[] { "slots" }));
    }

    [TestCase("")]
    [TestCase("ab")]
    [TestCase("-bike")]
    [TestCase("Bike-0001")]
    [TestCase("bike_0001")]
    [TestCase("bike 0001")]
    [TestCase("bike/0001")]
    [TestCase("bïke-0001")]
    [TestCase("a0123456789012345678901234567890123456789012345678901234567890123")]
    public async Task A_bad_id_is_400_naming_id(string id)
    {
        using var client = _gateway.Client();
        using var response = await client.PostAsJsonAsync("/api/devices", new { id, kind = "bike" });
        Assert.That(await Problem.FieldsAsync(response), Is.EqualTo(new[] { "id" }));
    }

    [Test]
    public async Task The_longest_and_shortest_ids_are_accepted()
    {
        await _gateway.RegisterAsync("a12");
        await _gateway.RegisterAsync("a" + new string('-', 62) + "z");
    }

    [TestCase("{\"id\":\"bike-0001\"}")]
    [TestCase("{\"id\":\"bike-0001\",\"kind\":\"scooter\"}")]
    [TestCase("{\"id\":\"bike-0001\",\"kind\":\"Bike\"}")]
    public async Task A_missing_or_unknown_kind_is_400_naming_kind(string body)
    {
        using var client = _gateway.Client();
        using var response = await client.PostAsync("/api/devices", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.That(await Problem.FieldsAsync(response), Is.EqualTo(new[] { "kind" }));
    }

    [TestCase("{", "body")]
    [TestCase("[]", "body")]
    [TestCase("\"bike\"", "body")]
    [TestCase("{\"id\":5,\"kind\":\"bike\"}", "id")]
    [TestCase("{\"id\":\"bike-0001\",\"kind\":\"umbrella-kiosk\",\"slots\":\"x\"}", "slots")]
    [TestCase("{\"id\":\"bike-0001\",\"kind\":\"umbrella-kiosk\",\"slots\":1e400}", "slots")]
    [TestCase("{\"id\":\"bike-0001\",\"kind\":\"umbrella-kiosk\",\"slots\":99999999999}", "slots")]
    [TestCase("", "body")]
    public async Task Unreadable_bodies_are_400_problems_naming_the_field(string body, string field)
    {
        using var client = _gateway.Client();
        using var response = await client.PostAsync("/api/devices", new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.That(await Problem.FieldsAsync(response), Is.EqualTo(new[] { field }));
    }

    [Test]
    public async Task Deeply_nested_json_is_a_400_not_a_crash()
    {
        using var client = _gateway.Client();
        var body = "{\"id\":" + new string('[', 100_000) + new string(']', 100_000) + "}";
        using var response = await client.PostAsync("/api/devices", new StringContent(body, Encoding.UTF8, "application/json"));
        await Problem.ReadAsync(response, HttpStatusCode.BadRequest);
        using var health = await client.GetAsync("/health");
        Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Unknown_fields_in_the_body_are_ignored()
    {
        using var client = _gateway.Client();
        using var response = await client.PostAsync(
            "/api/devices",
            new StringContent("{\"id\":\"bike-0007\",\"kind\":\"bike\",\"colour\":\"red\",\"extra\":{\"a\":[1,2]}}", Encoding.UTF8, "application/json"));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    [Test]
    public async Task A_duplicate_id_is_409_and_so_is_the_id_of_a_decommissioned_device()
    {
        await _gateway.RegisterAsync("bike-0001");
        using var client = _gateway.Client();
        using (var again = await client.PostAsJsonAsync("/api/devices", new { id = "bike-0001", kind = "charger-kiosk", slots = 4 }))
        {
            await Problem.ReadAsync(again, HttpStatusCode.Conflict);
        }

        using (var delete = await client.DeleteAsync("/api/devices/bike-0001"))
        {
            Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        using var reuse = await client.PostAsJsonAsync("/api/devices", new { id = "bike-0001", kind = "bike" });
        await Problem.ReadAsync(reuse, HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Requests_without_a_valid_key_are_401()
    {
        using (var anonymous = _gateway.Client(apiKey: null))
        using (var response = await anonymous.GetAsync("/api/devices"))
        {
            await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        }

        using var wrong = _gateway.Client("not-a-key-at-all-000000");
        using (var response = await wrong.PostAsJsonAsync("/api/devices", new { id = "bike-0001", kind = "bike" }))
        {
            await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        }

        using (var response = await wrong.GetAsync("/api/devices/bike-0001"))
        {
            await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        }

        Assert.That(_gateway.Logs.Entries.Any(e => e.Message.Contains("Refused API key", StringComparison.Ordinal)), Is.True);
    }

    [TestCase(TestGateway.OpsKey)]
    [TestCase(TestGateway.MaintenanceKey)]
    [TestCase(TestGateway.ReadOnlyKey)]
    public async Task Only_admin_keys_manage_devices_but_every_key_may_query(string key)
    {
        await _gateway.RegisterAsync("bike-0001");
        using var client = _gateway.Client(key);

        using (var create = await client.PostAsJsonAsync("/api/devices", new { id = "bike-0002", kind = "bike" }))
        {
            await Problem.ReadAsync(create, HttpStatusCode.Forbidden);
        }

        using (var rotate = await client.PostAsync("/api/devices/bike-0001/secret", null))
        {
            await Problem.ReadAsync(rotate, HttpStatusCode.Forbidden);
        }

        using (var delete = await client.DeleteAsync("/api/devices/bike-0001"))
        {
            await Problem.ReadAsync(delete, HttpStatusCode.Forbidden);
        }

        using (var list = await client.GetAsync("/api/devices"))
        {
            Assert.That(list.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var shown = await client.GetFromJsonAsync<JsonElement>("/api/devices/bike-0001");
        Assert.That(shown.GetProperty("status").GetString(), Is.EqualTo("active"));
    }

    [Test]
    public async Task Listing_pages_through_every_device_in_id_order_and_filters_by_kind()
    {
        var ids = new[] { "bike-0003", "bike-0001", "kiosk-0001", "bike-0002", "bike-0005", "kiosk-0002", "bike-0004" };
        foreach (var id in ids)
        {
            await (id.StartsWith("kiosk", StringComparison.Ordinal) ? _gateway.RegisterAsync(id, "umbrella-kiosk", 8) : _gateway.RegisterAsync(id));
        }

        using var client = _gateway.Client(TestGateway.ReadOnlyKey);
        var seen = new List<string>();
        string? after = null;
        var pages = 0;
        do
        {
            var page = await client.GetFromJsonAsync<JsonElement>($"/api/devices?limit=2{(after is null ? "" : "&after=" + after)}");
            var items = page.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()!).ToList();
            Assert.That(items, Has.Count.LessThanOrEqualTo(2));
            seen.AddRange(items);
            after = page.TryGetProperty("next", out var next) ? next.GetString() : null;
            pages++;
        }
        while (after is not null);

        Assert.That(seen, Is.EqualTo(ids.Order(StringComparer.Ordinal)));
        Assert.That(pages, Is.EqualTo(4));

        var bikes = await client.GetFromJsonAsync<JsonElement>("/api/devices?kind=bike");
        var bikeKinds = bikes.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("kind").GetString()).ToList();
        Assert.That(bikeKinds, Has.Count.EqualTo(5).And.All.EqualTo("bike"));
        var kiosks = await client.GetFromJsonAsync<JsonElement>("/api/devices?kind=umbrella-kiosk");
        Assert.That(kiosks.GetProperty("items").GetArrayLength(), Is.EqualTo(2));
    }

    [Test]
    public async Task Decommissioned_devices_are_listed_only_when_asked_for()
    {
        await _gateway.RegisterAsync("bike-0001");
        await _gateway.RegisterAsync("bike-0002");
        using var client = _gateway.Client();
        using (await client.DeleteAsync("/api/devices/bike-0001"))
        {
        }

        var active = await client.GetFromJsonAsync<JsonElement>("/api/devices");
        Assert.That(active.GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetString()), Is.EqualTo(new[] { "bike-0002" }));
        var all = await client.GetFromJsonAsync<JsonElement>("/api/devices?includeDecommissioned=true");
        Assert.That(all.GetProperty("items").GetArrayLength(), Is.EqualTo(2));
    }

    [TestCase("kind=scooter", "kind")]
    [TestCase("limit=0", "limit")]
    [TestCase("limit=1001", "limit")]
    [TestCase("limit=ten", "limit")]
    [TestCase("includeDecommissioned=perhaps", "includeDecommissioned")]
    public async Task Bad_list_parameters_are_400_naming_the_parameter(string query, string field)
    {
        using var client = _gateway.Client();
        using var response = await client.GetAsync("/api/devices?" + query);
        Assert.That(await Problem.FieldsAsync(response), Is.EqualTo(new[] { field }));
    }

    [Test]
    public async Task Rotating_a_secret_issues_a_new_one_and_the_old_one_stops_working()
    {
        var old = await _gateway.RegisterAsync("bike-0001");
        using var client = _gateway.Client();
        using var response = await client.PostAsync("/api/devices/bike-0001/secret", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var rotated = await response.Content.ReadFromJsonAsync<JsonElement>();
        var fresh = rotated.GetProperty("secret").GetString()!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fresh, Is.Not.EqualTo(old));
            Assert.That(rotated.GetProperty("secretRotatedAt").GetDateTimeOffset(), Is.GreaterThanOrEqualTo(rotated.GetProperty("createdAt").GetDateTimeOffset()));
            Assert.That(await VerifyAsync("bike-0001", old), Is.EqualTo(DeviceAuthResult.BadSecret));
            Assert.That(await VerifyAsync("bike-0001", fresh), Is.EqualTo(DeviceAuthResult.Accepted));
        }
    }

    [Test]
    public async Task Rotating_is_404_for_an_unknown_device_and_409_for_a_decommissioned_one()
    {
        await _gateway.RegisterAsync("bike-0001");
        using var client = _gateway.Client();
        using (var unknown = await client.PostAsync("/api/devices/bike-9999/secret", null))
        {
            await Problem.ReadAsync(unknown, HttpStatusCode.NotFound);
        }

        using (await client.DeleteAsync("/api/devices/bike-0001"))
        {
        }

        using var gone = await client.PostAsync("/api/devices/bike-0001/secret", null);
        await Problem.ReadAsync(gone, HttpStatusCode.Conflict);
    }

    [Test]
    public async Task A_decommissioned_device_is_refused_but_its_record_is_kept()
    {
        var secret = await _gateway.RegisterAsync("bike-0001");
        using var client = _gateway.Client();
        using var response = await client.DeleteAsync("/api/devices/bike-0001");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(body.GetProperty("status").GetString(), Is.EqualTo("decommissioned"));

        Assert.That(await VerifyAsync("bike-0001", secret), Is.EqualTo(DeviceAuthResult.Decommissioned));
        var shown = await client.GetFromJsonAsync<JsonElement>("/api/devices/bike-0001");
        Assert.That(shown.GetProperty("decommissionedAt").GetDateTimeOffset(), Is.EqualTo(body.GetProperty("decommissionedAt").GetDateTimeOffset()));

        using var again = await client.DeleteAsync("/api/devices/bike-0001");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "decommissioning twice leaves it decommissioned");
        using var unknown = await client.DeleteAsync("/api/devices/bike-9999");
        await Problem.ReadAsync(unknown, HttpStatusCode.NotFound);
        using var missing = await client.GetAsync("/api/devices/bike-9999");
        await Problem.ReadAsync(missing, HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Unknown_devices_and_wrong_secrets_are_told_apart()
    {
        var secret = await _gateway.RegisterAsync("bike-0001");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await VerifyAsync("bike-0002", secret), Is.EqualTo(DeviceAuthResult.UnknownDevice));
            Assert.That(await VerifyAsync("bike-0001", secret + "x"), Is.EqualTo(DeviceAuthResult.BadSecret));
            Assert.That(await VerifyAsync("bike-0001", ""), Is.EqualTo(DeviceAuthResult.BadSecret));
        }
    }

    [Test]
    public async Task Everything_survives_a_restart()
    {
        var kept = await _gateway.RegisterAsync("bike-0001");
        var rotatedFrom = await _gateway.RegisterAsync("kiosk-0001", "charger-kiosk", 12);
        var decommissioned = await _gateway.RegisterAsync("bike-0002");
        string rotatedTo;
        using (var client = _gateway.Client())
        {
            using var rotate = await client.PostAsync("/api/devices/kiosk-0001/secret", null);
            rotatedTo = (await rotate.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("secret").GetString()!;
            using var delete = await client.DeleteAsync("/api/devices/bike-0002");
        }

        await _gateway.RestartAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(await VerifyAsync("bike-0001", kept), Is.EqualTo(DeviceAuthResult.Accepted));
            Assert.That(await VerifyAsync("kiosk-0001", rotatedFrom), Is.EqualTo(DeviceAuthResult.BadSecret));
            Assert.That(await VerifyAsync("kiosk-0001", rotatedTo), Is.EqualTo(DeviceAuthResult.Accepted));
            Assert.That(await VerifyAsync("bike-0002", decommissioned), Is.EqualTo(DeviceAuthResult.Decommissioned));
        }

        using var after = _gateway.Client();
        var kiosk = await after.GetFromJsonAsync<JsonElement>("/api/devices/kiosk-0001");
        Assert.That(kiosk.GetProperty("slots").GetInt32(), Is.EqualTo(12));
        var all = await after.GetFromJsonAsync<JsonElement>("/api/devices?includeDecommissioned=true");
        Assert.That(all.GetProperty("items").GetArrayLength(), Is.EqualTo(3));
    }

    private async Task<DeviceAuthResult> VerifyAsync(string id, string secret) =>
        await _gateway.Services.GetRequiredService<DeviceRegistry>().VerifySecretAsync(id, secret, CancellationToken.None);
}
