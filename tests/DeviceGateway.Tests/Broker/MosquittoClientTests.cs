using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet.Server;
using static IoTPlatform.DeviceGateway.Tests.Infrastructure.MosquittoClient;

namespace IoTPlatform.DeviceGateway.Tests.Broker;

/// <summary>
/// The embedded broker driven by the real Debian Mosquitto clients (<c>mosquitto_pub</c>, <c>mosquitto_sub</c>
/// 2.0) over MQTT 3.1.1 and 5: device authentication, the topic ACL, stored status, refusal counters and
/// presence. The expected exit codes and wordings are what those clients print; see each case.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed partial class MosquittoClientTests
{
    private const string Bike1 = "bike-0001";
    private const string Bike2 = "bike-0002";
    private const string StatusJson = """{"online":true,"fw":"1.2.3"}""";
    private static readonly TimeSpan PresenceDeadline = TimeSpan.FromSeconds(10);

    private TestGateway _gateway = null!;
    private HttpClient _api = null!;

    [SetUp]
    public async Task StartAsync()
    {
        // Fails (does not skip) when the clients are missing: CI installs them.
        Locate(Pub);
        Locate(Sub);
        _gateway = await TestGateway.StartAsync();
        _api = _gateway.Client();
    }

    [TearDown]
    public async Task StopAsync()
    {
        _api.Dispose();
        var errors = _gateway.Logs.Errors.ToList();
        await _gateway.DisposeAsync();
        Assert.That(errors, Is.Empty, "the gateway logged errors");
    }

    [TestCase(V311)]
    [TestCase(V5)]
    public async Task A_device_with_its_secret_publishes_its_retained_status_which_is_stored(string version)
    {
        var secret = await _gateway.RegisterAsync(Bike1);

        var run = await RunAsync(Pub, [.. Device(_gateway.MqttEndPoint, version, Bike1, secret),
            "-d", "-q", "1", "-r", "-t", $"v1/devices/{Bike1}/status", "-m", StatusJson]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.ExitCode, Is.Zero, run.ToString());
            Assert.That(run.StandardOutput, Does.Contain("received CONNACK (0)"), run.ToString());
            Assert.That(run.StandardOutput, Does.Contain("received PUBACK (Mid: 1, RC:0)"), run.ToString());
        }

        var device = await _api.GetFromJsonAsync<JsonElement>($"/api/devices/{Bike1}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(device.GetProperty("deviceStatus").GetProperty("fw").GetString(), Is.EqualTo("1.2.3"));
            Assert.That(device.GetProperty("deviceStatus").GetProperty("online").GetBoolean(), Is.True);
            Assert.That(device.GetProperty("lastSeen").ValueKind, Is.EqualTo(JsonValueKind.String));
        }

        var presence = await PresenceAsync(Bike1, p => p.Any(e => e.Reason == "clean-disconnect"));
        Assert.That(presence.Select(e => (e.Online, e.Reason)), Is.EqualTo(new[] { (true, "connect"), (false, "clean-disconnect") }));
        Assert.That(await OnlineAsync(Bike1), Is.False);
    }

    /// <summary>
    /// mosquitto_pub exits with the CONNACK return code (3.1.1) or reason code (5) and prints its wording for it.
    /// Keepalive 0 cannot be tried with these clients: mosquitto_pub 2.0 itself refuses <c>-k</c> below 5
    /// ("Invalid keepalive given, it must be between 5 and 65535 inclusive.") without connecting.
    /// </summary>
    [TestCase("wrong-secret", V311, 4, "Connection Refused: bad user name or password.", "bad-secret", Bike1)]
    [TestCase("wrong-secret", V5, 0x86, "Connection error: Bad User Name or Password", "bad-secret", Bike1)]
    [TestCase("unknown-device", V311, 4, "Connection Refused: bad user name or password.", "unknown-device", "(unregistered)")]
    [TestCase("unknown-device", V5, 0x86, "Connection error: Bad User Name or Password", "unknown-device", "(unregistered)")]
    [TestCase("decommissioned", V311, 5, "Connection Refused: not authorised.", "decommissioned", Bike2)]
    [TestCase("decommissioned", V5, 0x8A, "Connection error: Banned", "decommissioned", Bike2)]
    [TestCase("client-id-not-username", V311, 2, "Connection Refused: identifier rejected.", "client-id-mismatch", "(unregistered)")]
    [TestCase("client-id-not-username", V5, 0x85, "Connection error: Client Identifier not valid", "client-id-mismatch", "(unregistered)")]
    [TestCase("invalid-client-id", V311, 2, "Connection Refused: identifier rejected.", "invalid-client-id", "(unregistered)")]
    [TestCase("invalid-client-id", V5, 0x85, "Connection error: Client Identifier not valid", "invalid-client-id", "(unregistered)")]
    [TestCase("keepalive-301", V311, 5, "Connection Refused: not authorised.", "keepalive-out-of-range", Bike1)]
    [TestCase("keepalive-301", V5, 0x83, "Connection error: Implementation specific error", "keepalive-out-of-range", Bike1)]
    public async Task A_refused_connect_fails_mosquitto_pub_with_its_reason_and_is_counted(
        string scenario, string version, int exitCode, string wording, string reason, string countedFor)
    {
        var secret1 = await _gateway.RegisterAsync(Bike1);
        var secret2 = await _gateway.RegisterAsync(Bike2);
        using (var decommission = await _api.DeleteAsync($"/api/devices/{Bike2}"))
        {
            Assert.That(decommission.IsSuccessStatusCode, Is.True);
        }

        var broker = _gateway.MqttEndPoint;
        string[] connect = scenario switch
        {
            "wrong-secret" => [.. Device(broker, version, Bike1, secret2)],
            "unknown-device" => [.. Device(broker, version, "bike-0009", secret1)],
            "decommissioned" => [.. Device(broker, version, Bike2, secret2)],
            "client-id-not-username" => [.. Device(broker, version, Bike1, secret1, clientId: "bike-0003")],
            "invalid-client-id" => [.. Device(broker, version, "Bike_0001", secret1)],
            "keepalive-301" => [.. Device(broker, version, Bike1, secret1), "-k", "301"],
            _ => throw new ArgumentOutOfRangeException(nameof(scenario), scenario, null),
        };

        var run = await RunAsync(Pub, [.. connect, "-q", "1", "-t", $"v1/devices/{Bike1}/status", "-m", StatusJson]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.ExitCode, Is.EqualTo(exitCode), run.ToString());
            Assert.That(run.StandardError, Does.Contain(wording), run.ToString());
        }

        var stats = await StatsAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(RefusalsByReason(stats), Is.EqualTo(new Dictionary<string, long> { [reason] = 1 }));
            Assert.That(RefusalsOf(stats, countedFor), Is.EqualTo(new Dictionary<string, long> { [reason] = 1 }));
            Assert.That(stats.GetProperty("connectsTotal").GetInt64(), Is.Zero);
        }
    }

    [Test]
    public async Task Over_MQTT_5_a_publish_to_another_devices_topic_gets_PUBACK_0x87_and_the_session_goes_on()
    {
        var secret = await _gateway.RegisterAsync(Bike1);
        await _gateway.RegisterAsync(Bike2);

        var run = await RunAsync(Pub, [.. Device(_gateway.MqttEndPoint, V5, Bike1, secret),
            "-d", "-q", "1", "-t", $"v1/devices/{Bike2}/telemetry", "-m", "{}"]);

        // mosquitto_pub 2.0 reports a refused QoS 1 publish as a warning (reason string on the next line) and
        // still exits 0 after a clean DISCONNECT; the exit code is its business, not the broker's.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.StandardOutput, Does.Contain("received PUBACK (Mid: 1, RC:135)"), run.ToString());
            Assert.That(run.StandardError, Does.Contain("Warning: Publish 1 failed: Not authorized."), run.ToString());
            Assert.That(run.StandardError, Does.Contain("publish-not-allowed"), "the reason string: " + run);
            Assert.That(run.StandardOutput, Does.Contain("sending DISCONNECT"), run.ToString());
        }

        Assert.That(RefusalsOf(await StatsAsync(), Bike1), Is.EqualTo(new Dictionary<string, long> { ["publish-not-allowed"] = 1 }));
        var presence = await PresenceAsync(Bike1, p => p.Any(e => !e.Online));
        Assert.That(presence[^1].Reason, Is.EqualTo("clean-disconnect"), "MQTT 5 refuses the publish, not the connection");
    }

    [Test]
    public async Task Over_MQTT_3_1_1_a_publish_to_another_devices_topic_closes_the_connection()
    {
        var secret = await _gateway.RegisterAsync(Bike1);
        await _gateway.RegisterAsync(Bike2);

        var run = await RunAsync(Pub, [.. Device(_gateway.MqttEndPoint, V311, Bike1, secret),
            "-d", "-q", "1", "-t", $"v1/devices/{Bike2}/telemetry", "-m", "{}"]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.ExitCode, Is.Not.Zero, run.ToString());
            Assert.That(run.StandardError, Does.Contain("Error: The connection was lost."), run.ToString());
            Assert.That(run.StandardOutput, Does.Not.Contain("received PUBACK"), "3.1.1 has no refusing PUBACK: " + run);
        }

        Assert.That(RefusalsOf(await StatsAsync(), Bike1), Is.EqualTo(new Dictionary<string, long> { ["publish-not-allowed"] = 1 }));
        var presence = await PresenceAsync(Bike1, p => p.Any(e => !e.Online));
        Assert.That(presence[^1].Reason, Is.EqualTo("acl-violation"));
    }

    [TestCase(V5)]
    [TestCase(V311)]
    public async Task Telemetry_to_its_own_topic_is_accepted(string version)
    {
        var secret = await _gateway.RegisterAsync(Bike1);

        var run = await RunAsync(Pub, [.. Device(_gateway.MqttEndPoint, version, Bike1, secret),
            "-d", "-q", "1", "-t", $"v1/devices/{Bike1}/telemetry", "-m", """{"seq":1,"ts":1763805600000,"battery":87}"""]);

        // Stored before the PUBACK: success on both versions.
        using (Assert.EnterMultipleScope())
        {
            Assert.That(run.ExitCode, Is.Zero, run.ToString());
            Assert.That(run.StandardOutput, Does.Contain("received PUBACK (Mid: 1, RC:0)"), run.ToString());
            Assert.That(run.StandardError, Does.Not.Contain("failed"), run.ToString());
        }

        Assert.That(RefusalsByReason(await StatsAsync()), Is.Empty);
    }

    /// <summary>mosquitto_sub prints "All subscription requests were denied." and ends by itself when every filter is refused.</summary>
    [TestCase(V311, "#", 0x80)]
    [TestCase(V5, "#", 0x87)]
    [TestCase(V311, "+/#", 0x80)]
    [TestCase(V5, "+/#", 0x87)]
    [TestCase(V311, "v1/devices/+/commands", 0x80)]
    [TestCase(V5, "v1/devices/+/commands", 0x87)]
    [TestCase(V311, "v1/devices/bike-0002/commands", 0x80)]
    [TestCase(V5, "v1/devices/bike-0002/commands", 0x87)]
    [TestCase(V311, "v1/devices/bike-0001/telemetry", 0x80)]
    [TestCase(V5, "v1/devices/bike-0001/telemetry", 0x87)]
    [TestCase(V311, "$SYS/#", 0x80)]
    [TestCase(V5, "$SYS/#", 0x87)]
    [TestCase(V311, "$share/g/v1/devices/bike-0001/commands", 0x80)]
    // MQTTnet answers $share/… itself, before any interceptor: 0x9E Shared Subscriptions not supported.
    [TestCase(V5, "$share/g/v1/devices/bike-0001/commands", 0x9E)]
    public async Task A_subscription_outside_its_own_commands_is_denied_and_counted(string version, string filter, int subAckCode)
    {
        var secret = await _gateway.RegisterAsync(Bike1);
        await _gateway.RegisterAsync(Bike2);
        var watch = Stopwatch.StartNew();

        var run = await RunAsync(Sub, [.. Device(_gateway.MqttEndPoint, version, Bike1, secret), "-d", "-q", "1", "-t", filter, "-W", "5"]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(GrantedCodes(run), Is.EqualTo(new[] { subAckCode }), run.ToString());
            Assert.That(run.StandardError, Does.Contain("All subscription requests were denied."), run.ToString());
            Assert.That(run.Output, Does.Not.Contain("Timed out"), "it ends on the SUBACK, not on -W: " + run);
            Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        }

        Assert.That(RefusalsOf(await StatsAsync(), Bike1), Is.EqualTo(new Dictionary<string, long> { ["subscribe-not-allowed"] = 1 }));
    }

    [TestCase(V311)]
    [TestCase(V5)]
    public async Task Its_own_commands_topic_is_granted_at_QoS_1(string version)
    {
        var secret = await _gateway.RegisterAsync(Bike1);

        // -W 2: mosquitto_sub waits for messages; it ends by itself ("Timed out") after two seconds.
        var run = await RunAsync(Sub, [.. Device(_gateway.MqttEndPoint, version, Bike1, secret), "-d", "-q", "1", "-t", $"v1/devices/{Bike1}/commands", "-W", "2"]);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(GrantedCodes(run), Is.EqualTo(new[] { 1 }), run.ToString());
            Assert.That(run.StandardError, Does.Not.Contain("denied"), run.ToString());
            Assert.That(run.StandardError, Does.Contain("Timed out"), run.ToString());
        }

        Assert.That(RefusalsByReason(await StatsAsync()), Is.Empty);
    }

    [TestCase(V311)]
    [TestCase(V5)]
    public async Task A_killed_session_goes_offline_at_once_as_connection_lost(string version)
    {
        var secret = await _gateway.RegisterAsync(Bike1);
        using var session = await StartCommandsSessionAsync(version, secret);

        await session.KillAsync();
        var killed = Stopwatch.StartNew();

        await PollAsync(async () => !await OnlineAsync(Bike1), PresenceDeadline, "offline after the process was killed");
        // The kernel closed the socket: the broker sees the end of the stream at once, not after the keepalive.
        Assert.That(killed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
        var presence = await PresenceAsync(Bike1, p => p.Any(e => !e.Online));
        Assert.That(presence.Select(e => (e.Online, e.Reason)), Is.EqualTo(new[] { (true, "connect"), (false, "connection-lost") }));
    }

    [TestCase(V311)]
    [TestCase(V5)]
    public async Task A_silent_session_goes_offline_after_one_and_a_half_keepalives(string version)
    {
        var secret = await _gateway.RegisterAsync(Bike1);
        using var session = await StartCommandsSessionAsync(version, secret);

        // SIGSTOP: the TCP connection stays open, but not even a PINGREQ comes any more.
        session.Pause();
        var paused = Stopwatch.StartNew();
        await PollAsync(async () => !await OnlineAsync(Bike1), TimeSpan.FromSeconds((1.5 * 5) + 5), "offline by keepalive");
        Assert.That(paused.Elapsed, Is.LessThan(TimeSpan.FromSeconds((1.5 * 5) + 3)));

        var presence = await PresenceAsync(Bike1, p => p.Any(e => !e.Online));
        var device = await _api.GetFromJsonAsync<JsonElement>($"/api/devices/{Bike1}");
        var silent = presence[^1].At - device.GetProperty("lastSeen").GetDateTimeOffset();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(presence.Select(e => (e.Online, e.Reason)), Is.EqualTo(new[] { (true, "connect"), (false, "keepalive-timeout") }));
            Assert.That(silent, Is.InRange(TimeSpan.FromSeconds(7.4), TimeSpan.FromSeconds(7.5 + 2)), "1.5 × keepalive from its last packet");
        }
    }

    /// <summary>
    /// A <c>mosquitto_sub -k 5</c> on the device's own commands, shown online once the broker has taken the
    /// subscription (the broker's own event: mosquitto_sub's stdout is block-buffered into a pipe, so its
    /// "Subscribed" line shows only when it exits).
    /// </summary>
    private async Task<RunningMosquitto> StartCommandsSessionAsync(string version, string secret)
    {
        var commands = $"v1/devices/{Bike1}/commands";
        var server = _gateway.Services.GetRequiredService<MqttServer>();
        var subscribed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Task OnSubscribed(ClientSubscribedTopicEventArgs e)
        {
            if (e.ClientId == Bike1 && e.TopicFilter.Topic == commands)
            {
                subscribed.TrySetResult();
            }

            return Task.CompletedTask;
        }

        server.ClientSubscribedTopicAsync += OnSubscribed;
        var session = Start(Sub, [.. Device(_gateway.MqttEndPoint, version, Bike1, secret), "-d", "-k", "5", "-q", "1", "-t", commands]);
        try
        {
            try
            {
                await subscribed.Task.WaitAsync(PresenceDeadline);
            }
            catch (TimeoutException)
            {
                Assert.Fail($"The broker took no subscription within {PresenceDeadline.TotalSeconds} s: {await session.KillAsync()}");
            }

            var device = await _api.GetFromJsonAsync<JsonElement>($"/api/devices/{Bike1}");
            using (Assert.EnterMultipleScope())
            {
                Assert.That(device.GetProperty("online").GetBoolean(), Is.True, "online while mosquitto_sub runs");
                Assert.That(device.GetProperty("lastSeen").ValueKind, Is.EqualTo(JsonValueKind.String));
            }

            return session;
        }
        catch
        {
            session.Dispose();
            throw;
        }
        finally
        {
            server.ClientSubscribedTopicAsync -= OnSubscribed;
        }
    }

    private async Task<bool> OnlineAsync(string deviceId) =>
        (await _api.GetFromJsonAsync<JsonElement>($"/api/devices/{deviceId}")).GetProperty("online").GetBoolean();

    /// <summary>The device's presence transitions, polled until <paramref name="complete"/> (rows are written in batches).</summary>
    private async Task<IReadOnlyList<PresenceRow>> PresenceAsync(string deviceId, Func<IReadOnlyList<PresenceRow>, bool> complete)
    {
        IReadOnlyList<PresenceRow> rows = [];
        await PollAsync(
            async () =>
            {
                var body = await _api.GetFromJsonAsync<JsonElement>($"/api/devices/{deviceId}/presence");
                rows = [.. body.GetProperty("items").EnumerateArray().Select(i => new PresenceRow(
                    i.GetProperty("at").GetDateTimeOffset(), i.GetProperty("online").GetBoolean(), i.GetProperty("reason").GetString()!))];
                return complete(rows);
            },
            PresenceDeadline,
            $"presence rows of {deviceId}");
        return rows;
    }

    private async Task<JsonElement> StatsAsync() => await _api.GetFromJsonAsync<JsonElement>("/api/broker/stats");

    private static Dictionary<string, long> RefusalsByReason(JsonElement stats) =>
        stats.GetProperty("refusals").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal);

    private static Dictionary<string, long> RefusalsOf(JsonElement stats, string deviceId) =>
        stats.GetProperty("refusedDevices").EnumerateArray()
            .Where(d => d.GetProperty("deviceId").GetString() == deviceId)
            .SelectMany(d => d.GetProperty("reasons").EnumerateObject())
            .ToDictionary(p => p.Name, p => p.Value.GetInt64(), StringComparer.Ordinal);

    /// <summary>The SUBACK codes mosquitto_sub <c>-d</c> prints: "Subscribed (mid: 1): 1" (one per filter).</summary>
    private static int[] GrantedCodes(MosquittoResult run)
    {
        var match = SubAckLine().Match(run.StandardOutput);
        return match.Success
            ? [.. match.Groups["codes"].Value.Split(',', StringSplitOptions.TrimEntries).Select(c => int.Parse(c, System.Globalization.CultureInfo.InvariantCulture))]
            : [];
    }

    private static async Task PollAsync(Func<Task<bool>> condition, TimeSpan within, string what)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > within)
            {
                Assert.Fail($"Not within {within.TotalSeconds:0.#} s: {what}");
            }

            await Task.Delay(50);
        }
    }

    [GeneratedRegex(@"Subscribed \(mid: \d+\): (?<codes>\d+(, ?\d+)*)")]
    private static partial Regex SubAckLine();

    private sealed record PresenceRow(DateTimeOffset At, bool Online, string Reason);
}
