using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging.Abstractions;

namespace IoTPlatform.Firmware.Simulator.Tests;

/// <summary>
/// The backend in process (embedded broker, SQLite, DuckDB) and a fleet of simulated controllers — the real firmware —
/// with a fault mix; afterwards, from the backend's own API: every reading a device got acked is stored exactly once,
/// every command ended and its ledger state agrees with the lock's actuation log, no stale or double actuation, and
/// each device's offline transitions are the disconnects and reboots injected into it.
/// Size: FLEET_DEVICES (default 200) and FLEET_SECONDS (default 45) of riding; at least one command per device per 9 s of riding (1,000 at the default size), and every fault injected once there are 1,000 commands.
/// </summary>
[TestFixture]
[Parallelizable(ParallelScope.Self)]
public sealed class FleetEndToEndTests
{
    private const string Faults = "drop-ack=0.03,duplicate-ack=0.03,delay-ack=0.02,jam=0.05,garbage-nmea=0.02,gps-jump=0.01,disconnect=0.003,reboot=0.001";

    private TestGateway _gateway = null!;

    [SetUp]
    public async Task SetUp() => _gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
    {
        // The test's own riders send a command every few seconds per device; the default limit (20 a minute) holds.
        ["Logging:LogLevel:Default"] = "Warning",
    });

    [TearDown]
    public async Task TearDown() => await _gateway.DisposeAsync();

    [Test]
    [CancelAfter(300_000)]
    public async Task A_fleet_with_faults_loses_no_reading_and_every_command_matches_its_lock(CancellationToken cancellationToken)
    {
        int devices = Setting("FLEET_DEVICES", 200), seconds = Setting("FLEET_SECONDS", 45);
        var total = Stopwatch.StartNew();
        Assert.That(FaultPlan.TryParse(Faults, out FaultPlan faults, out string? error), Is.True, error);
        var runner = new FleetRunner(new FleetOptions
        {
            Devices = devices,
            Duration = TimeSpan.FromSeconds(seconds),
            Seed = 11,
            Broker = _gateway.MqttEndPoint,
            Api = _gateway.BaseAddress,
            ApiKey = TestGateway.AdminKey,
            Faults = faults,
            Pause = TimeSpan.FromSeconds(4),
            Ride = TimeSpan.FromSeconds(5),
            ParkedIntervalSeconds = 10,
            StartParallelism = 4,
        }, NullLogger.Instance)
        {
            Progress = line => TestContext.Progress.WriteLine(line),
        };
        FleetResult result;
        try
        {
            result = await runner.RunAsync(cancellationToken);
        }
        finally
        {
            await runner.DisposeDevicesAsync();
        }
        await TestContext.Out.WriteLineAsync(result.Summary());
        using HttpClient api = _gateway.Client();

        var problems = new List<string>();
        int acked = 0, commandsSeen = 0, disconnects = 0;
        foreach (SimulatedController device in result.Devices)
        {
            // Readings: every acked seq stored, and no seq stored twice.
            long[] stored = await StoredSeqsAsync(api, device.Id, cancellationToken);
            long[] ackedSeqs = device.Ledger.AckedSeqs();
            acked += ackedSeqs.Length;
            long[] repeated = [.. stored.GroupBy(s => s).Where(g => g.Count() > 1).Select(g => g.Key)];
            long[] missing = [.. ackedSeqs.Except(stored)];
            if (repeated.Length > 0)
                problems.Add($"{device.Id}: seqs stored more than once: {string.Join(",", repeated.Take(10))}");
            if (missing.Length > 0)
                problems.Add($"{device.Id}: acked seqs not stored: {string.Join(",", missing.Take(10))}");

            // Commands: the ledger's, as the API lists them, against the lock's actuation log.
            JsonElement[] ledger = await CommandsAsync(api, device.Id, cancellationToken);
            commandsSeen += ledger.Length;
            ILookup<string, Actuation> actuations = device.Ledger.Actuations().ToLookup(a => a.CommandId, StringComparer.Ordinal);
            foreach (JsonElement command in ledger)
            {
                string id = command.GetProperty("id").GetString()!, state = command.GetProperty("state").GetString()!;
                Actuation[] moved = [.. actuations[id]];
                bool onceInTime = moved.Length == 1 && !moved[0].Stale;
                if (state is "QUEUED" or "SENT" or "DELIVERED")
                    problems.Add($"{device.Id} {id}: not ended ({state})");
                else if (state == "SUCCEEDED" && !onceInTime)
                    problems.Add($"{device.Id} {id}: SUCCEEDED but actuated {moved.Length} time(s){(moved.Any(a => a.Stale) ? ", after expiry" : "")}");
                else if (onceInTime && state is not ("SUCCEEDED" or "FAILED") && !(state == "TIMED_OUT" && device.Ledger.WasDropped(id, AckStage.Done)))
                    problems.Add($"{device.Id} {id}: actuated once before expiry, its done ack not lost, but {state}");
            }
            int ours = result.Commands.Count(c => c.DeviceId == device.Id);
            if (ours != ledger.Length)
                problems.Add($"{device.Id}: the riders made {ours} commands, the ledger has {ledger.Length}");

            // Presence: one offline transition per injected disconnect or reboot, none other while it ran.
            int offline = await OfflineTransitionsAsync(api, device.Id, result.StartedAt, result.StoppingAt, cancellationToken);
            int injected = device.Ledger.Disconnects + device.Ledger.Reboots;
            disconnects += injected;
            if (offline != injected)
                problems.Add($"{device.Id}: {offline} offline transitions, {injected} disconnects and reboots injected");
        }
        await TestContext.Out.WriteLineAsync($"{devices} devices, {commandsSeen} commands, {acked} acked readings, {disconnects} disconnects and reboots, {total.Elapsed.TotalSeconds:F0} s");

        using (Assert.EnterMultipleScope())
        {
            Assert.That(problems, Is.Empty);
            Assert.That(result.StaleActuations, Is.Zero, "stale actuations");
            Assert.That(result.DoubleActuations, Is.Zero, "double actuations");
            Assert.That(result.Devices, Has.Count.EqualTo(devices));
            Assert.That(commandsSeen, Is.GreaterThanOrEqualTo(devices * seconds / 9), "a command per device per 9 s of riding");
            if (commandsSeen >= 1000)
                Assert.That(result.Faults.Values, Has.All.GreaterThan(0), "every fault injected");
            Assert.That(result.FirmwareErrors, Is.Empty, "no error logged by any controller");
        }
    }

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int value) && value > 0 ? value : fallback;

    private static async Task<long[]> StoredSeqsAsync(HttpClient api, string id, CancellationToken cancellationToken)
    {
        JsonElement readings = await api.GetFromJsonAsync<JsonElement>($"/api/devices/{id}/telemetry?limit=50000", cancellationToken);
        JsonElement events = await api.GetFromJsonAsync<JsonElement>($"/api/devices/{id}/events?limit=50000", cancellationToken);
        return [.. readings.GetProperty("readings").EnumerateArray().Select(r => r.GetProperty("seq").GetInt64()),
            .. events.GetProperty("events").EnumerateArray().Select(e => e.GetProperty("seq").GetInt64())];
    }

    private static async Task<JsonElement[]> CommandsAsync(HttpClient api, string id, CancellationToken cancellationToken)
    {
        JsonElement body = await api.GetFromJsonAsync<JsonElement>($"/api/devices/{id}/commands?limit=1000", cancellationToken);
        return [.. body.GetProperty("commands").EnumerateArray()];
    }

    private static async Task<int> OfflineTransitionsAsync(HttpClient api, string id, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        JsonElement body = await api.GetFromJsonAsync<JsonElement>(
            $"/api/devices/{id}/presence?from={from.ToUnixTimeMilliseconds()}&to={to.ToUnixTimeMilliseconds()}&limit=1000", cancellationToken);
        return body.GetProperty("items").EnumerateArray().Count(t => !t.GetProperty("online").GetBoolean());
    }
}
