using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.Commands.StandIns;

/// <summary>
/// A real gateway per test with short command timeouts, controller stand-ins on real loopback MQTT,
/// and the HTTP calls of the command API. Any error the gateway logs fails the test, and so does a
/// stand-in whose ack could not be sent.
/// </summary>
public abstract class CommandFixture
{
    /// <summary>Generous bound for anything the backend does in the background.</summary>
    protected static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private readonly List<ControllerStandIn> _standIns = [];

    protected TestGateway Gateway { get; private set; } = null!;

    /// <summary>
    /// Fast command timing: 1 s for a <c>received</c>, 100–400 ms between attempts, 2 s for a <c>done</c>.
    /// Fixtures add or override (e.g. the rate limit).
    /// </summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Commands:AttemptTimeoutMilliseconds"] = "1000",
        ["Commands:RetryBaseDelayMilliseconds"] = "100",
        ["Commands:RetryMaxDelayMilliseconds"] = "400",
        ["Commands:DoneTimeoutSeconds"] = "2",
    };

    [SetUp]
    public async Task StartGatewayAsync()
    {
        _standIns.Clear();
        Gateway = await TestGateway.StartAsync(Settings);
    }

    [TearDown]
    public async Task StopGatewayAsync()
    {
        var faults = _standIns.SelectMany(s => s.Faults.Select(f => $"{s.DeviceId}: {f.Message}")).ToList();
        var undecodable = _standIns.SelectMany(s => s.Undecodable).ToList();
        foreach (var standIn in _standIns)
        {
            await standIn.DisposeAsync();
        }

        var errors = Gateway.Logs.Errors.ToList();
        await Gateway.DisposeAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(errors, Is.Empty, "the gateway logged errors");
            Assert.That(faults, Is.Empty, "a stand-in could not send an ack");
            Assert.That(undecodable, Is.Empty, "a stand-in got a payload that is not a v1 command");
        }
    }

    /// <summary>Registers a device and returns its (not yet connected) stand-in.</summary>
    protected async Task<ControllerStandIn> RegisterAsync(string id, StandInBehaviour behaviour = StandInBehaviour.Proper, string kind = "bike", int? slots = null)
    {
        var standIn = new ControllerStandIn(id, await Gateway.RegisterAsync(id, kind, slots), behaviour);
        _standIns.Add(standIn);
        return standIn;
    }

    /// <summary>Registers a device and connects its stand-in (subscribed before this returns).</summary>
    protected async Task<ControllerStandIn> OnlineAsync(string id, StandInBehaviour behaviour = StandInBehaviour.Proper, string kind = "bike", int? slots = null)
    {
        var standIn = await RegisterAsync(id, behaviour, kind, slots);
        await standIn.ConnectAsync(Gateway);
        return standIn;
    }

    /// <summary>A fresh Idempotency-Key.</summary>
    protected static string NewKey() => Guid.NewGuid().ToString("N");

    /// <summary><c>POST /api/devices/{id}/commands</c>; <paramref name="idempotencyKey"/> null sends no header.</summary>
    protected async Task<HttpResponseMessage> PostAsync(string deviceId, object body, string? idempotencyKey, string? apiKey = TestGateway.AdminKey, int? wait = null)
    {
        using var client = Gateway.Client(apiKey);
        var path = wait is int w ? string.Create(CultureInfo.InvariantCulture, $"/api/devices/{deviceId}/commands?wait={w}") : $"/api/devices/{deviceId}/commands";
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = JsonContent.Create(body) };
        if (idempotencyKey is not null)
        {
            request.Headers.TryAddWithoutValidation("Idempotency-Key", idempotencyKey);
        }

        var response = await client.SendAsync(request);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary>Posts a command that must be new (201 with its Location); returns the command.</summary>
    protected async Task<JsonElement> CreateAsync(string deviceId, object body, string? idempotencyKey = null, string apiKey = TestGateway.AdminKey, int? wait = null)
    {
        using var response = await PostAsync(deviceId, body, idempotencyKey ?? NewKey(), apiKey, wait);
        var command = await ReadAsync(response, HttpStatusCode.Created);
        Assert.That(LocationPath(response), Is.EqualTo($"/api/commands/{Id(command)}"), "Location of the new command");
        return command;
    }

    /// <summary>The path of the Location header (relative as sent, or the path of an absolute one).</summary>
    protected static string? LocationPath(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        var location = response.Headers.Location;
        return location is null ? null : location.IsAbsoluteUri ? location.AbsolutePath : location.OriginalString;
    }

    protected static async Task<JsonElement> ReadAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    protected async Task<JsonElement> GetCommandAsync(string commandId, string apiKey = TestGateway.AdminKey)
    {
        using var client = Gateway.Client(apiKey);
        using var response = await client.GetAsync($"/api/commands/{commandId}");
        return await ReadAsync(response, HttpStatusCode.OK);
    }

    protected async Task<HttpResponseMessage> CancelAsync(string commandId, string apiKey = TestGateway.AdminKey)
    {
        using var client = Gateway.Client(apiKey);
        var response = await client.PostAsync($"/api/commands/{commandId}/cancel", content: null);
        await response.Content.LoadIntoBufferAsync();
        return response;
    }

    /// <summary><c>GET /api/devices/{id}/commands</c> with a query (e.g. <c>?state=SENT</c>); the command list.</summary>
    protected async Task<JsonElement[]> ListAsync(string deviceId, string query = "")
    {
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        using var response = await client.GetAsync($"/api/devices/{deviceId}/commands{query}");
        var body = await ReadAsync(response, HttpStatusCode.OK);
        Assert.That(body.GetProperty("deviceId").GetString(), Is.EqualTo(deviceId));
        return [.. body.GetProperty("commands").EnumerateArray()];
    }

    /// <summary>The <c>acks</c> counters of <c>GET /api/commands/stats</c>.</summary>
    protected async Task<JsonElement> AckStatsAsync()
    {
        using var client = Gateway.Client();
        using var response = await client.GetAsync("/api/commands/stats");
        return (await ReadAsync(response, HttpStatusCode.OK)).GetProperty("acks");
    }

    protected async Task<long> AckCounterAsync(string name) => (await AckStatsAsync()).GetProperty(name).GetInt64();

    /// <summary>Polls the command until it is in <paramref name="state"/>.</summary>
    protected Task<JsonElement> WaitForStateAsync(string commandId, string state) =>
        Eventually.ValueAsync(() => GetCommandAsync(commandId), c => State(c) == state, Patience, $"command {commandId} is {state}");

    /// <summary>Polls the command until a <paramref name="state"/> entry is in its history (it may have moved on since).</summary>
    protected Task<JsonElement> WaitForHistoryAsync(string commandId, string state) =>
        Eventually.ValueAsync(() => GetCommandAsync(commandId), c => States(c).Contains(state), Patience, $"command {commandId} went through {state}");

    /// <summary>Polls the device until its stored lock state is <paramref name="lockState"/>.</summary>
    protected Task<JsonElement> WaitForDeviceLockAsync(string deviceId, string lockState) =>
        Eventually.ValueAsync(() => DeviceAsync(deviceId), d => d.TryGetProperty("lock", out var l) && l.GetString() == lockState, Patience, $"{deviceId} shows lock {lockState}");

    protected Task<JsonElement> WaitForAckCounterAsync(string name, long value) =>
        Eventually.ValueAsync(AckStatsAsync, s => s.GetProperty(name).GetInt64() == value, Patience, $"the ack counter '{name}' is {value}");

    protected async Task<JsonElement> DeviceAsync(string deviceId)
    {
        using var client = Gateway.Client(TestGateway.ReadOnlyKey);
        return await client.GetFromJsonAsync<JsonElement>($"/api/devices/{deviceId}");
    }

    /// <summary>Waits until the registry shows the device offline (after a stand-in's DISCONNECT).</summary>
    protected Task WaitOfflineAsync(string deviceId) =>
        Eventually.ValueAsync(() => DeviceAsync(deviceId), d => !d.GetProperty("online").GetBoolean(), Patience, $"{deviceId} is offline");

    /// <summary>Polls a stand-in until it has at least <paramref name="count"/> deliveries of a command.</summary>
    protected static Task<IReadOnlyList<ReceivedCommand>> WaitForDeliveriesAsync(ControllerStandIn standIn, string commandId, int count) =>
        Eventually.ValueAsync(
            () => Task.FromResult(standIn.DeliveriesOf(commandId)),
            d => d.Count >= count,
            Patience,
            $"{standIn.DeviceId} got {commandId} {count} time(s)");

    /// <summary>
    /// Proves that nothing queued before is still on its way to the device: a fresh command (that the
    /// stand-in answers properly) is posted and must succeed; MQTT delivers a session's messages in order,
    /// so anything published to the device earlier has arrived by then. Returns the sentinel's id.
    /// </summary>
    protected async Task<string> SentinelAsync(ControllerStandIn standIn, object body)
    {
        ArgumentNullException.ThrowIfNull(standIn);
        var behaviour = standIn.Behaviour;
        standIn.Behaviour = StandInBehaviour.Proper;
        var sentinel = await CreateAsync(standIn.DeviceId, body, wait: 20);
        var id = Id(sentinel);
        await WaitForStateAsync(id, "SUCCEEDED");
        await WaitForDeliveriesAsync(standIn, id, 1);
        standIn.Behaviour = behaviour;
        return id;
    }

    /// <summary>Waits until the stand-in has counted as many deliveries of the command as the ledger's <c>attempts</c>; returns that number.</summary>
    protected async Task<int> AttemptsMatchAsync(ControllerStandIn standIn, string id)
    {
        var command = await Eventually.ValueAsync(
            () => GetCommandAsync(id),
            c => Attempts(c) == standIn.DeliveriesOf(id).Count,
            Patience,
            $"attempts of {id} equal the deliveries {standIn.DeviceId} counted");
        return Attempts(command);
    }

    /// <summary>Waits until the wall clock is a little past <paramref name="time"/> (an expiry: a deadline, not a guess at how long something takes).</summary>
    protected static async Task WaitUntilPastAsync(DateTimeOffset time)
    {
        var left = time + TimeSpan.FromMilliseconds(250) - DateTimeOffset.UtcNow;
        if (left > TimeSpan.Zero)
        {
            await Task.Delay(left);
        }
    }

    protected static string Id(JsonElement command) => command.GetProperty("id").GetString()!;

    protected static string State(JsonElement command) => command.GetProperty("state").GetString()!;

    protected static int Attempts(JsonElement command) => command.GetProperty("attempts").GetInt32();

    protected static DateTimeOffset Time(JsonElement command, string field)
    {
        var text = command.GetProperty(field).GetString()!;
        var time = DateTimeOffset.Parse(text, CultureInfo.InvariantCulture);
        Assert.That(time.Offset, Is.EqualTo(TimeSpan.Zero), $"{field} must be UTC: {text}");
        return time;
    }

    /// <summary>The states of the command's history, oldest first.</summary>
    protected static string[] States(JsonElement command) =>
        [.. command.GetProperty("history").EnumerateArray().Select(h => h.GetProperty("state").GetString()!)];

    /// <summary>
    /// The path through the ledger: the history's states with a leading <c>QUEUED</c> dropped (the
    /// contract does not say whether a command for an online device is recorded as QUEUED before it is
    /// SENT) and a state repeated in a row kept once (a re-send is not a new transition).
    /// </summary>
    protected static string[] Path(JsonElement command)
    {
        var states = States(command).SkipWhile((s, i) => i == 0 && s == "QUEUED");
        var path = new List<string>();
        foreach (var state in states)
        {
            if (path.Count == 0 || path[^1] != state)
            {
                path.Add(state);
            }
        }

        return [.. path];
    }

    /// <summary>
    /// What every command answer must hold: ISO UTC times, the history timestamped in order from
    /// <c>createdAt</c> and ending in <c>state</c>, <c>attempts</c> not negative.
    /// </summary>
    protected static void AssertWellFormed(JsonElement command)
    {
        var createdAt = Time(command, "createdAt");
        var expiresAt = Time(command, "expiresAt");
        var history = command.GetProperty("history").EnumerateArray().ToList();
        var times = history.Select(h => Time(h, "at")).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(expiresAt, Is.GreaterThan(createdAt));
            Assert.That(history, Is.Not.Empty, "history");
            Assert.That(times, Is.Ordered, "history times");
            Assert.That(times, Is.All.GreaterThanOrEqualTo(createdAt.AddMilliseconds(-1)), "no transition before createdAt");
            Assert.That(States(command).LastOrDefault(), Is.EqualTo(State(command)), "the history ends in the current state");
            Assert.That(Attempts(command), Is.GreaterThanOrEqualTo(0));
        }
    }
}
