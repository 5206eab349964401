using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.EndToEnd;

/// <summary>
/// The real firmware (a child process on simulated hardware) against the real backend (in process) on loopback:
/// readings from an NMEA capture reach the history; an unlock through the HTTP API moves the simulated lock and ends
/// SUCCEEDED; a 30 s cut between the firmware and the broker loses nothing — every seq the firmware appended meanwhile
/// is stored exactly once after it reconnects.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class FirmwareEndToEndTests
{
    private const string DeviceId = "bike-e2e-0001";
    private static readonly TimeSpan Outage = TimeSpan.FromSeconds(30);

    private TestGateway _gateway = null!;
    private TcpRelay _relay = null!;
    private FirmwareProcess? _firmware;
    private string _dir = null!;

    [SetUp]
    public async Task SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("iotplatform-e2e-").FullName;
        _gateway = await TestGateway.StartAsync();
        _relay = new TcpRelay(_gateway.MqttEndPoint);
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_firmware is not null)
        {
            if (TestContext.CurrentContext.Result.Outcome.Status == NUnit.Framework.Interfaces.TestStatus.Failed)
                await TestContext.Out.WriteLineAsync($"firmware log:{Environment.NewLine}{_firmware.LogTail}");
            await _firmware.DisposeAsync();
        }
        await _relay.DisposeAsync();
        await _gateway.DisposeAsync();
        Directory.Delete(_dir, recursive: true);
    }

    [Test]
    public async Task Readings_from_an_nmea_file_an_unlock_and_a_30_s_broker_outage_that_loses_nothing()
    {
        var total = Stopwatch.StartNew();
        string secret = await _gateway.RegisterAsync(DeviceId);
        string capture = Path.Combine(_dir, "ublox-8-now.log");
        int epochs = RestampedNmea.Write(NmeaCapture("ublox-8.log"), capture, DateTimeOffset.UtcNow.AddSeconds(1));
        _firmware = FirmwareProcess.Start(
        [
            "--Hardware=simulated",
            $"--Gnss:File={capture}",
            "--Gnss:Speed=1",
            $"--Gnss:Baud={RestampedNmea.BaudForRealTime(capture, epochs)}",
            $"--Device:Id={DeviceId}",
            $"--Device:Secret={secret}",
            $"--Backend:Mqtt=127.0.0.1:{_relay.Port}",
            $"--Backend:Api={_gateway.BaseAddress}",
            $"--Agent:DataDir={Path.Combine(_dir, "firmware")}",
            "--Telemetry:MovingIntervalSeconds=1",
            "--Telemetry:ParkedIntervalSeconds=1",
            "--Mqtt:KeepAliveSeconds=5",
            "--Mqtt:ReconnectDelayMilliseconds=200",
            "--Mqtt:ReconnectMaxDelayMilliseconds=2000",
            "--Logging:LogLevel:IoTPlatform.LockController.Pi.Agent.Telemetry.TelemetryService=Debug",
        ]);
        using HttpClient api = _gateway.Client();

        // Readings with positions from the capture (ublox-8: 44.07° N, 121.31° W) are stored.
        JsonElement[] positioned = await Eventually.ValueAsync(
            async () => (await ReadingsAsync(api)).Where(r => r.TryGetProperty("lat", out JsonElement lat) && lat.ValueKind == JsonValueKind.Number).ToArray(),
            r => r.Length >= 3, TimeSpan.FromSeconds(30), "three readings with a position");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(positioned[0].GetProperty("lat").GetDouble(), Is.EqualTo(44.0689).Within(0.001));
            Assert.That(positioned[0].GetProperty("lon").GetDouble(), Is.EqualTo(-121.3142).Within(0.001));
        }

        // The GNSS time makes the firmware's clock trustworthy; then an unlock moves the simulated lock.
        await Eventually.ValueAsync(() => Task.FromResult(_firmware.Logged("Clock disciplined by GNSS")), t => t, TimeSpan.FromSeconds(20), "the GNSS clock trusted");
        using var unlock = new HttpRequestMessage(HttpMethod.Post, $"/api/devices/{DeviceId}/commands?wait=10") { Content = JsonContent.Create(new { action = "unlock" }) };
        unlock.Headers.Add("Idempotency-Key", "e2e-unlock-1");
        using HttpResponseMessage answer = await api.SendAsync(unlock);
        JsonElement command = await answer.Content.ReadFromJsonAsync<JsonElement>();
        Assert.That(command.GetProperty("state").GetString(), Is.EqualTo("SUCCEEDED"), command.ToString());
        await Eventually.ValueAsync(
            async () => (await api.GetFromJsonAsync<JsonElement>($"/api/devices/{DeviceId}")).GetProperty("lock").GetString(),
            l => l == "unlocked", TimeSpan.FromSeconds(10), "the device's lock unlocked");

        // A 30 s outage: the firmware keeps appending; after it, every seq is stored exactly once.
        long lastBeforeOutage = _firmware.AppendedSeqs.Keys.Max();
        _relay.Cut();
        await Task.Delay(Outage);
        long lastInOutage = _firmware.AppendedSeqs.Keys.Max();
        _relay.Restore();
        Assert.That(lastInOutage - lastBeforeOutage, Is.GreaterThanOrEqualTo(20), "readings were appended during the outage (one a second)");

        long[] expected = [.. _firmware.AppendedSeqs.Keys.Order()];
        long[] stored = await Eventually.ValueAsync(
            async () => await StoredSeqsAsync(api),
            s => expected.All(s.Contains), TimeSpan.FromSeconds(20), $"all {expected.Length} seqs the firmware appended, up to {expected[^1]}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stored, Is.Unique, "each seq stored once");
            Assert.That(expected, Is.EqualTo(Enumerable.Range(1, expected.Length).Select(i => (long)i)).Or.EqualTo(Enumerable.Range(0, expected.Length).Select(i => (long)i)),
                "the firmware's seqs have no gap");
            Assert.That(_relay.Connections, Is.GreaterThanOrEqualTo(2), "it reconnected");
            Assert.That(await _firmware.StopAsync(TimeSpan.FromSeconds(20)), Is.Zero, "a clean stop on SIGTERM");
            Assert.That(_firmware.Errors, Is.Empty, "no error logged by the firmware");
            Assert.That(total.Elapsed, Is.LessThan(TimeSpan.FromSeconds(90)));
        }
    }

    private static async Task<JsonElement[]> ReadingsAsync(HttpClient api)
    {
        JsonElement body = await api.GetFromJsonAsync<JsonElement>($"/api/devices/{DeviceId}/telemetry?limit=50000");
        return [.. body.GetProperty("readings").EnumerateArray()];
    }

    /// <summary>The seq of every stored reading and event, repeats included.</summary>
    private static async Task<long[]> StoredSeqsAsync(HttpClient api)
    {
        JsonElement events = await api.GetFromJsonAsync<JsonElement>($"/api/devices/{DeviceId}/events?limit=50000");
        return [.. (await ReadingsAsync(api)).Select(r => r.GetProperty("seq").GetInt64()),
            .. events.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64())];
    }

    private static string NmeaCapture(string name)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IoTPlatform.sln")))
                return Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "testdata", "nmea", name));
        }
        throw new InvalidOperationException($"No IoTPlatform.sln above {AppContext.BaseDirectory}");
    }
}
