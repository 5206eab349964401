using System.Globalization;
using System.Net;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using IoTPlatform.Telemetry.Geo;
using static IoTPlatform.DeviceGateway.Tests.Fleet.FleetDevices;

namespace IoTPlatform.DeviceGateway.Tests.Fleet;

/// <summary>
/// <c>GET /api/fleet</c> over a small real fleet: every device registered through the API, connected over MQTT
/// and reporting a real reading through the ingest; three stay online.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class FleetQueryTests
{
    private const string Beijing = "39.9042,116.4074";

    // All active devices in id order; bike-a8 is decommissioned.
    private static readonly string[] All = ["bike-a1", "bike-a2", "bike-a3", "bike-a4", "bike-a5", "bike-a6", "bike-a7", "bike-n1", "kiosk-c1", "kiosk-u1"];
    private static readonly string[] Online = ["bike-a1", "bike-a2", "kiosk-u1"];
    private static readonly string[] Offline = ["bike-a3", "bike-a4", "bike-a5", "bike-a6", "bike-a7", "bike-n1", "kiosk-c1"];

    private static readonly Dictionary<string, (double Lat, double Lon)> Positions = new(StringComparer.Ordinal)
    {
        ["bike-a1"] = (39.9042, 116.4074),
        ["kiosk-u1"] = (39.9046, 116.4079),
        ["bike-a2"] = (39.9100, 116.4100),
        ["bike-a3"] = (39.9500, 116.4500),
        ["bike-a5"] = (-17.0, 179.9),
        ["bike-a6"] = (-17.0, -179.8),
        ["kiosk-c1"] = (59.9139, 10.7522),
        ["bike-n1"] = EastEdgeOfCircle(60, 10, 999_000),
    };

    private readonly List<DeviceClient> _connected = [];
    private TestGateway _gateway = null!;
    private HttpClient _client = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _gateway = await TestGateway.StartAsync();
        _client = _gateway.Client(TestGateway.ReadOnlyKey);

        _connected.Add(await ReportAsync(_gateway, "bike-a1", 39.9042, 116.4074, 15, "locked"));
        _connected.Add(await ReportAsync(_gateway, "bike-a2", 39.9100, 116.4100, 80, "unlocked"));
        _connected.Add(await ReportAsync(
            _gateway, "kiosk-u1", 39.9046, 116.4079, 90, "locked", "umbrella-kiosk", 4,
            """[{"n":1,"state":"occupied","item":"umb-0042"},{"n":2,"state":"empty"},{"n":3,"state":"fault"}]"""));
        await OfflineAsync(ReportAsync(_gateway, "bike-a3", 39.9500, 116.4500, 5, "jammed"));
        await OfflineAsync(ReportAsync(_gateway, "bike-a4", 0, 0, 50, "locked"));
        await OfflineAsync(ReportAsync(_gateway, "bike-a5", -17.0, 179.9, 60, "unknown"));
        await OfflineAsync(ReportAsync(_gateway, "bike-a6", -17.0, -179.8, 30, "locked"));
        await _gateway.RegisterAsync("bike-a7");
        await OfflineAsync(ReportAsync(_gateway, "bike-a8", 39.9043, 116.4075, 1, "jammed"));
        await OfflineAsync(ReportAsync(_gateway, "kiosk-c1", 59.9139, 10.7522, 100, "locked", "charger-kiosk", 2));
        var (nLat, nLon) = Positions["bike-n1"];
        await OfflineAsync(ReportAsync(_gateway, "bike-n1", nLat, nLon, 70, "unlocked"));
        using (var admin = _gateway.Client())
        using (var decommission = await admin.DeleteAsync("/api/devices/bike-a8"))
        {
            Assert.That(decommission.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        // Presence is stored by a background writer: wait until state.db has every connect and disconnect.
        await Eventually.ValueAsync(
            async () => string.Join(' ', await IdsAsync(_client, "?online=true")) + " | " + string.Join(' ', await IdsAsync(_client, "?online=false")),
            ids => ids == string.Join(' ', Online) + " | " + string.Join(' ', Offline),
            TimeSpan.FromSeconds(10),
            "the stored presence matches the connections");
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        foreach (var device in _connected)
        {
            await device.DisposeAsync();
        }

        _client.Dispose();
        var errors = _gateway.Logs.Errors.ToList();
        await _gateway.DisposeAsync();
        Assert.That(errors, Is.Empty, "the gateway logged errors");
    }

    [Test]
    public async Task Without_filters_every_active_device_comes_in_id_order_with_its_latest_state()
    {
        var answer = await QueryAsync(_client, "");
        Assert.That(Ids(answer), Is.EqualTo(All), "decommissioned bike-a8 is left out");
        Assert.That(answer.GetProperty("truncated").GetBoolean(), Is.False);

        var a1 = Device(answer, "bike-a1");
        var position = a1.GetProperty("position");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a1.GetProperty("kind").GetString(), Is.EqualTo("bike"));
            Assert.That(a1.GetProperty("online").GetBoolean(), Is.True);
            Assert.That(a1.GetProperty("lastSeen").GetDateTimeOffset(), Is.EqualTo(DateTimeOffset.UtcNow).Within(TimeSpan.FromMinutes(1)));
            Assert.That(a1.GetProperty("lock").GetString(), Is.EqualTo("locked"));
            Assert.That(a1.GetProperty("battery").GetInt32(), Is.EqualTo(15));
            Assert.That(position.GetProperty("lat").GetDouble(), Is.EqualTo(39.9042));
            Assert.That(position.GetProperty("lon").GetDouble(), Is.EqualTo(116.4074));
            Assert.That(position.GetProperty("time").GetDateTimeOffset().ToUnixTimeMilliseconds(), Is.EqualTo(position.GetProperty("ts").GetInt64()));
            Assert.That(a1.GetProperty("lastReadingAt").GetDateTimeOffset().ToUnixTimeMilliseconds(), Is.EqualTo(position.GetProperty("ts").GetInt64()));
            Assert.That(a1.TryGetProperty("slots", out _), Is.False, "bikes have no slot summary");
            Assert.That(a1.TryGetProperty("distanceMeters", out _), Is.False, "distance only with near");
        }
    }

    [Test]
    public async Task A_kiosk_has_its_slots_counted_by_state_and_slots_never_reported_are_unreported()
    {
        var answer = await QueryAsync(_client, "?kind=umbrella-kiosk");
        var slots = Device(answer, "kiosk-u1").GetProperty("slots");
        Assert.That(
            (slots.GetProperty("total").GetInt32(), slots.GetProperty("empty").GetInt32(), slots.GetProperty("occupied").GetInt32(),
             slots.GetProperty("released").GetInt32(), slots.GetProperty("fault").GetInt32(), slots.GetProperty("unreported").GetInt32()),
            Is.EqualTo((4, 1, 1, 0, 1, 1)));

        var charger = Device(await QueryAsync(_client, "?kind=charger-kiosk"), "kiosk-c1").GetProperty("slots");
        Assert.That((charger.GetProperty("total").GetInt32(), charger.GetProperty("unreported").GetInt32()), Is.EqualTo((2, 2)));
    }

    [Test]
    public async Task A_device_that_never_reported_has_explicit_nulls()
    {
        var a7 = Device(await QueryAsync(_client, ""), "bike-a7");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a7.GetProperty("online").GetBoolean(), Is.False);
            foreach (var field in new[] { "lastSeen", "lock", "battery", "position", "lastReadingAt" })
            {
                Assert.That(a7.GetProperty(field).ValueKind, Is.EqualTo(JsonValueKind.Null), field);
            }
        }
    }

    [Test]
    public async Task A_reading_at_0_0_is_stored_but_gives_no_position_and_no_bbox_match()
    {
        var a4 = Device(await QueryAsync(_client, ""), "bike-a4");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(a4.GetProperty("position").ValueKind, Is.EqualTo(JsonValueKind.Null), "0/0 fails the GPS check");
            Assert.That(a4.GetProperty("battery").GetInt32(), Is.EqualTo(50), "battery and lock of the reading are kept");
            Assert.That(a4.GetProperty("lastReadingAt").ValueKind, Is.EqualTo(JsonValueKind.String));
            Assert.That(await IdsAsync(_client, "?bbox=-1,-1,1,1"), Is.Empty);
            Assert.That(await IdsAsync(_client, "?near=0,0,100000"), Is.Empty);
        }
    }

    [TestCase("bike", new[] { "bike-a1", "bike-a2", "bike-a3", "bike-a4", "bike-a5", "bike-a6", "bike-a7", "bike-n1" })]
    [TestCase("umbrella-kiosk", new[] { "kiosk-u1" })]
    [TestCase("charger-kiosk", new[] { "kiosk-c1" })]
    public async Task Kind_keeps_that_kind(string kind, string[] expected) =>
        Assert.That(await IdsAsync(_client, "?kind=" + kind), Is.EqualTo(expected));

    [TestCase(20, new[] { "bike-a1", "bike-a3" })]
    [TestCase(16, new[] { "bike-a1", "bike-a3" })]
    [TestCase(15, new[] { "bike-a3" })]
    [TestCase(5, new string[0])]
    [TestCase(1, new string[0])]
    [TestCase(101, new[] { "bike-a1", "bike-a2", "bike-a3", "bike-a4", "bike-a5", "bike-a6", "bike-n1", "kiosk-c1", "kiosk-u1" })]
    public async Task BatteryBelow_is_strictly_below_and_skips_devices_without_a_battery(int below, string[] expected) =>
        Assert.That(await IdsAsync(_client, "?batteryBelow=" + below.ToString(CultureInfo.InvariantCulture)), Is.EqualTo(expected));

    [TestCase("locked", new[] { "bike-a1", "bike-a4", "bike-a6", "kiosk-c1", "kiosk-u1" })]
    [TestCase("unlocked", new[] { "bike-a2", "bike-n1" })]
    [TestCase("jammed", new[] { "bike-a3" })]
    [TestCase("unknown", new[] { "bike-a5" })]
    public async Task Lock_keeps_that_sensed_state(string lockState, string[] expected) =>
        Assert.That(await IdsAsync(_client, "?lock=" + lockState), Is.EqualTo(expected));

    [Test]
    public async Task Online_splits_the_fleet_by_open_connections()
    {
        var online = await QueryAsync(_client, "?online=true");
        Assert.That(Ids(online), Is.EqualTo(Online));
        Assert.That(online.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("online").GetBoolean()), Is.All.True);
        var offline = await QueryAsync(_client, "?online=false");
        Assert.That(Ids(offline), Is.EqualTo(Offline));
        Assert.That(offline.GetProperty("devices").EnumerateArray().Select(d => d.GetProperty("online").GetBoolean()), Is.All.False);
    }

    [Test]
    public async Task OfflineForSeconds_keeps_offline_devices_last_seen_long_enough_ago_or_never()
    {
        Assert.That(await IdsAsync(_client, "?offlineForSeconds=0"), Is.EqualTo(Offline));
        Assert.That(await IdsAsync(_client, "?offlineForSeconds=3600"), Is.EqualTo(new[] { "bike-a7" }), "only the never-seen device is offline for an hour");
    }

    [Test]
    public async Task Bbox_is_latitude_first_and_keeps_trusted_positions_inside()
    {
        Assert.That(await IdsAsync(_client, "?bbox=39.8,116.3,40.0,116.5"), Is.EqualTo(new[] { "bike-a1", "bike-a2", "bike-a3", "kiosk-u1" }));
        Assert.That(await IdsAsync(_client, "?bbox=39.9042,116.4074,39.9042,116.4074"), Is.EqualTo(new[] { "bike-a1" }), "edges are inside");
    }

    [Test]
    public async Task A_bbox_with_minLon_greater_than_maxLon_crosses_the_antimeridian()
    {
        Assert.That(await IdsAsync(_client, "?bbox=-18,179,-16,-179"), Is.EqualTo(new[] { "bike-a5", "bike-a6" }));
        Assert.That(await IdsAsync(_client, "?bbox=-18,-179,-16,179"), Is.Empty, "the same numbers the other way round are the rest of the world");
        Assert.That(await IdsAsync(_client, "?bbox=-18,179.95,-16,-179"), Is.EqualTo(new[] { "bike-a6" }));
    }

    [Test]
    public async Task Near_orders_by_distance_and_gives_the_great_circle_distance()
    {
        var answer = await QueryAsync(_client, $"?near={Beijing},10000");
        Assert.That(Ids(answer), Is.EqualTo(new[] { "bike-a1", "kiosk-u1", "bike-a2", "bike-a3" }));
        using (Assert.EnterMultipleScope())
        {
            foreach (var device in answer.GetProperty("devices").EnumerateArray())
            {
                var (lat, lon) = Positions[device.GetProperty("id").GetString()!];
                Assert.That(device.GetProperty("distanceMeters").GetDouble(), Is.EqualTo(GeoMath.DistanceMeters(39.9042, 116.4074, lat, lon)).Within(0.06));
            }

            Assert.That(Device(answer, "bike-a1").GetProperty("distanceMeters").GetDouble(), Is.Zero);
            Assert.That(Device(answer, "bike-a3").GetProperty("distanceMeters").GetDouble(), Is.InRange(6000, 7000));
        }

        Assert.That(await IdsAsync(_client, $"?near={Beijing},1000"), Is.EqualTo(new[] { "bike-a1", "kiosk-u1", "bike-a2" }));
        Assert.That(await IdsAsync(_client, $"?near={Beijing},1"), Is.EqualTo(new[] { "bike-a1" }));
    }

    [Test]
    public async Task Near_reaches_across_the_antimeridian()
    {
        var answer = await QueryAsync(_client, "?near=-17,180,30000");
        Assert.That(Ids(answer), Is.EqualTo(new[] { "bike-a5", "bike-a6" }));
        Assert.That(Device(answer, "bike-a6").GetProperty("distanceMeters").GetDouble(), Is.EqualTo(GeoMath.DistanceMeters(-17, 180, -17, -179.8)).Within(0.06));
        Assert.That(await IdsAsync(_client, "?near=-17,-180,15000"), Is.EqualTo(new[] { "bike-a5" }));
    }

    [Test]
    public async Task Near_finds_a_device_on_the_east_edge_of_a_large_circle_far_north()
    {
        // bike-n1 is 999 km due "east" of (60, 10), where the circle is widest: further east than a box scaled by cos(lat) reaches.
        var (lat, lon) = Positions["bike-n1"];
        var cosScaledHalfWidth = 1_000_000 / GeoMath.EarthRadiusMeters * (180 / Math.PI) / Math.Cos(Math.PI / 3);
        Assert.That(lon - 10, Is.GreaterThan(cosScaledHalfWidth), "the test needs a device outside the cos-scaled box");
        var answer = await QueryAsync(_client, "?near=60,10,1000000");
        Assert.That(Ids(answer), Is.EqualTo(new[] { "kiosk-c1", "bike-n1" }));
        Assert.That(Device(answer, "bike-n1").GetProperty("distanceMeters").GetDouble(), Is.EqualTo(GeoMath.DistanceMeters(60, 10, lat, lon)).Within(0.06));
    }

    [TestCase("?near=39.9042,116.4074,10000&online=true", new[] { "bike-a1", "kiosk-u1", "bike-a2" })]
    [TestCase("?near=39.9042,116.4074,10000&batteryBelow=20", new[] { "bike-a1", "bike-a3" })]
    [TestCase("?near=39.9042,116.4074,10000&kind=bike&online=false", new[] { "bike-a3" })]
    [TestCase("?bbox=39.8,116.3,40.0,116.5&lock=jammed", new[] { "bike-a3" })]
    [TestCase("?bbox=39.8,116.3,40.0,116.5&near=39.9042,116.4074,1000000&lock=locked", new[] { "bike-a1", "kiosk-u1" })]
    [TestCase("?bbox=-18,179,-16,-179&lock=locked", new[] { "bike-a6" })]
    [TestCase("?kind=bike&online=false&batteryBelow=61", new[] { "bike-a3", "bike-a4", "bike-a5", "bike-a6" })]
    [TestCase("?offlineForSeconds=0&kind=charger-kiosk", new[] { "kiosk-c1" })]
    [TestCase("?online=true&offlineForSeconds=0", new string[0])]
    [TestCase("?lock=locked&batteryBelow=51&online=false&kind=bike", new[] { "bike-a4", "bike-a6" })]
    public async Task Filters_combine_with_and(string query, string[] expected) =>
        Assert.That(await IdsAsync(_client, query), Is.EqualTo(expected));

    [Test]
    public async Task Limit_cuts_the_answer_and_says_it_was_truncated()
    {
        var two = await QueryAsync(_client, "?limit=2");
        Assert.That((Ids(two), two.GetProperty("count").GetInt32(), two.GetProperty("truncated").GetBoolean()), Is.EqualTo((new[] { "bike-a1", "bike-a2" }, 2, true)));

        var exact = await QueryAsync(_client, "?limit=10");
        Assert.That((Ids(exact), exact.GetProperty("truncated").GetBoolean()), Is.EqualTo((All, false)), "exactly the limit matched");
        Assert.That((await QueryAsync(_client, "?limit=9")).GetProperty("truncated").GetBoolean(), Is.True);

        var nearest = await QueryAsync(_client, $"?near={Beijing},10000&limit=2");
        Assert.That((Ids(nearest), nearest.GetProperty("truncated").GetBoolean()), Is.EqualTo((new[] { "bike-a1", "kiosk-u1" }, true)), "the nearest two, not the first two ids");
        var offline = await QueryAsync(_client, "?online=false&limit=3");
        Assert.That((Ids(offline), offline.GetProperty("truncated").GetBoolean()), Is.EqualTo((new[] { "bike-a3", "bike-a4", "bike-a5" }, true)));
    }

    [Test]
    public async Task Empty_parameters_are_no_filter()
    {
        Assert.That(await IdsAsync(_client, "?kind=&online=&bbox=&near=&limit="), Is.EqualTo(All));
    }

    [Test]
    public async Task Every_key_may_query_and_no_key_is_401()
    {
        foreach (var key in new[] { TestGateway.AdminKey, TestGateway.OpsKey, TestGateway.MaintenanceKey, TestGateway.ReadOnlyKey })
        {
            using var client = _gateway.Client(key);
            Assert.That(await IdsAsync(client, "?limit=1"), Has.Length.EqualTo(1));
        }

        using var anonymous = _gateway.Client(apiKey: null);
        using var response = await anonymous.GetAsync("/api/fleet");
        await Problem.ReadAsync(response, HttpStatusCode.Unauthorized);
        using var wrong = _gateway.Client("not-a-key-at-all-000000");
        using var refused = await wrong.GetAsync("/api/fleet");
        await Problem.ReadAsync(refused, HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task The_OpenAPI_document_lists_the_fleet_query_with_its_parameters()
    {
        using var anonymous = _gateway.Client(apiKey: null);
        var document = JsonDocument.Parse(await anonymous.GetStringAsync("/openapi/v1.json")).RootElement;
        var paths = document.GetProperty("paths");
        var path = paths.EnumerateObject().Single(p => p.Name.StartsWith("/api/fleet", StringComparison.Ordinal));
        var names = path.Value.GetProperty("get").GetProperty("parameters").EnumerateArray().Select(p => p.GetProperty("name").GetString());
        Assert.That(names, Is.EquivalentTo(new[] { "kind", "batteryBelow", "lock", "online", "offlineForSeconds", "bbox", "near", "limit" }));
    }

    /// <summary>The point of largest longitude on the circle of <paramref name="meters"/> around (lat, lon).</summary>
    private static (double Lat, double Lon) EastEdgeOfCircle(double lat, double lon, double meters)
    {
        var r = meters / GeoMath.EarthRadiusMeters;
        var phi = lat * Math.PI / 180;
        return (Math.Asin(Math.Sin(phi) / Math.Cos(r)) * 180 / Math.PI, lon + (Math.Asin(Math.Sin(r) / Math.Cos(phi)) * 180 / Math.PI));
    }

    private static JsonElement Device(JsonElement answer, string id) =>
        answer.GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("id").GetString() == id);

    private static async Task OfflineAsync(Task<DeviceClient> connected)
    {
        var device = await connected;
        await device.DisposeAsync();
    }
}
