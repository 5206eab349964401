using System.Text;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent.Commands;
using IoTPlatform.LockController.Pi.Hardware;
using IoTPlatform.LockController.Pi.Hardware.Simulated;
using IoTPlatform.LockController.Tests.Hardware;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Agent.Commands;

/// <summary>The command executor on the simulated GPIO driver, with real signatures, a real store file and a real key server.</summary>
[TestFixture]
public sealed class CommandExecutorTests
{
    private const string Bike = "bike-0001";
    private const string Kiosk = "kiosk-0001";
    private static readonly DateTimeOffset Start = new(2026, 11, 22, 12, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxVirtual = TimeSpan.FromSeconds(10);

    private FakeTimeProvider _time = null!;
    private ManualTrustedClock _clock = null!;
    private RecordingLoggerFactory _loggers = null!;
    private string _dir = null!;
    private TestSigning _backend = null!;
    private KeySetServer _server = null!;
    private HttpClient _http = null!;
    private CommandKeyCache _keys = null!;
    private LockHardware _hardware = null!;
    private ExecutedCommandStore _store = null!;
    private CommandExecutor _executor = null!;
    private List<CommandAck> _acks = null!;
    private int _ids;
    private string _deviceId = Bike;

    [SetUp]
    public async Task SetUp()
    {
        _time = new FakeTimeProvider(Start);
        _clock = new ManualTrustedClock(_time);
        _loggers = new RecordingLoggerFactory();
        _dir = Directory.CreateTempSubdirectory("executor-").FullName;
        _backend = new TestSigning("k1");
        _server = new KeySetServer();
        _server.Serve(TestSigning.KeySet(_backend));
        _http = new HttpClient();
        // The key set was fetched at provisioning: the cache starts from its file, offline.
        File.WriteAllBytes(KeyFile, TestSigning.KeySet(_backend));
        _keys = new CommandKeyCache(_http, new CommandKeyCacheOptions
        {
            KeySetUri = CommandKeyCacheOptions.KeySetUriFor(_server.BaseUri),
            FilePath = KeyFile,
        }, _time, new RecordingLogger<CommandKeyCache>());
        _acks = [];
        _ids = 0;
        await BuildAsync(TestPinMaps.Bike(), Bike);
    }

    [TearDown]
    public void TearDown()
    {
        _store.Dispose();
        _hardware.Dispose();
        _keys.Dispose();
        _http.Dispose();
        _server.Dispose();
        _backend.Dispose();
        _loggers.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    private string KeyFile => Path.Combine(_dir, "command-keys.json");

    private string StoreFile => Path.Combine(_dir, "executed-commands.log");

    private SimulatedLock BikeLock => _hardware.Simulator!.GetLock(TestPinMaps.BikeActuator);

    private async Task BuildAsync(HardwareOptions options, string deviceId)
    {
        _hardware?.Dispose();
        _store?.Dispose();
        _hardware = HardwareFactory.Create(options, _time, _loggers);
        await _time.PassAsync(options.Lock.Debounce * 2);
        _deviceId = deviceId;
        _store = ExecutedCommandStore.Open(StoreFile, _time, new RecordingLogger<ExecutedCommandStore>());
        _executor = new CommandExecutor(deviceId, _hardware, _keys, _store, _clock, new RecordingLogger<CommandExecutor>());
    }

    /// <summary>A power cut and a restart: a new store over the same file and a new executor (the lock stays where it is).</summary>
    private void Restart()
    {
        _store.Dispose();
        _store = ExecutedCommandStore.Open(StoreFile, _time, new RecordingLogger<ExecutedCommandStore>());
        _executor = new CommandExecutor(_deviceId, _hardware, _keys, _store, _clock, new RecordingLogger<CommandExecutor>());
    }

    private string NextId() => $"01JDZ8XK3V9Q4S2M7N6P5R{++_ids:D4}";

    private byte[] Command(CommandAction action, int? slot = null, string? id = null, TestSigning? by = null, string? forDevice = null, TimeSpan? ttl = null) =>
        (by ?? _backend).Payload(forDevice ?? _deviceId, id ?? NextId(), action, slot, _time.GetUtcNow(), ttl ?? Ttl);

    private Task SendAck(CommandAck ack, CancellationToken ct)
    {
        lock (_acks)
            _acks.Add(ack);
        return Task.CompletedTask;
    }

    private List<CommandAck> TakeAcks()
    {
        lock (_acks)
        {
            List<CommandAck> taken = [.. _acks];
            _acks.Clear();
            return taken;
        }
    }

    /// <summary>Runs one command to its end, moving the fake clock while the lock moves.</summary>
    private async Task<List<CommandAck>> RunAsync(byte[] payload)
    {
        await _time.RunAsync(Completion(_executor.ExecuteAsync(payload, SendAck, CancellationToken.None)), MaxVirtual);
        return TakeAcks();
    }

    private static async Task<bool> Completion(Task task)
    {
        await task;
        return true;
    }

    private long NowMs => _time.GetUtcNow().ToUnixTimeMilliseconds();

    [Test]
    public async Task Unlock_acks_received_then_done_ok_with_the_sensed_state()
    {
        string id = NextId();
        long before = NowMs;

        List<CommandAck> acks = await RunAsync(Command(CommandAction.Unlock, id: id));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acks, Has.Count.EqualTo(2));
            Assert.That(acks[0], Is.EqualTo(new CommandAck { Id = id, Stage = AckStage.Received, Lock = LockState.Locked, Ts = before }));
            Assert.That(acks[1].Stage, Is.EqualTo(AckStage.Done));
            Assert.That(acks[1].Result, Is.EqualTo(AckResult.Ok));
            Assert.That(acks[1].Lock, Is.EqualTo(LockState.Unlocked));
            Assert.That(acks[1].Reason, Is.Null);
            Assert.That(acks[1].Ts, Is.GreaterThan(before), "stamped when done, after the pulse");
            Assert.That(BikeLock.IsLocked, Is.False);
            Assert.That(BikeLock.Energised, Is.EqualTo(1));
            Assert.That(_executor.Stats.Succeeded, Is.EqualTo(1));
            Assert.That(_store.TryGet(id, out ExecutedCommand? recorded), Is.True);
            Assert.That(recorded!.Acks, Is.EqualTo(acks));
            foreach (CommandAck ack in acks)
                Assert.That(PayloadValidator.Validate(ack, NowMs, null, out _), Is.True, "acks pass the backend's validator");
        }
    }

    [Test]
    public async Task Lock_after_unlock_is_done_ok_locked()
    {
        await RunAsync(Command(CommandAction.Unlock));

        List<CommandAck> acks = await RunAsync(Command(CommandAction.Lock));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acks.Select(a => (a.Stage, a.Result, a.Lock)), Is.EqualTo(new[]
            {
                (AckStage.Received, (AckResult?)null, LockState.Unlocked),
                (AckStage.Done, (AckResult?)AckResult.Ok, LockState.Locked),
            }));
            Assert.That(BikeLock.IsLocked, Is.True);
            Assert.That(BikeLock.Energised, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task A_jammed_lock_is_done_failed_with_lock_jammed()
    {
        BikeLock.Jam();

        List<CommandAck> acks = await RunAsync(Command(CommandAction.Unlock));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acks.Select(a => a.Stage), Is.EqualTo(new[] { AckStage.Received, AckStage.Done }));
            Assert.That(acks[1].Result, Is.EqualTo(AckResult.Failed));
            Assert.That(acks[1].Lock, Is.EqualTo(LockState.Jammed));
            Assert.That(acks[1].Reason, Is.EqualTo(RejectReasons.Jammed));
            Assert.That(BikeLock.Energised, Is.EqualTo(1), "the actuator ran once");
            Assert.That(BikeLock.IsLocked, Is.True);
            Assert.That(_executor.Stats.Failed, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_bouncing_sensor_gives_one_confirmed_result()
    {
        HardwareOptions options = TestPinMaps.Bike();
        options.Simulation.BounceCount = 6;
        options.Simulation.BounceIntervalMilliseconds = 4;
        await BuildAsync(options, Bike);
        var changes = new List<LockState>();
        _hardware.Lock!.SensedChanged += (_, s) => changes.Add(s);

        List<CommandAck> acks = await RunAsync(Command(CommandAction.Unlock));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acks.Select(a => (a.Stage, a.Result)), Is.EqualTo(new[] { (AckStage.Received, (AckResult?)null), (AckStage.Done, (AckResult?)AckResult.Ok) }));
            Assert.That(_hardware.Simulator!.Transitions, Is.GreaterThan(10), "the contact did bounce");
            Assert.That(changes, Is.EqualTo(new[] { LockState.Unlocked }), "one debounced change");
            Assert.That(_hardware.Lock.Confirmed, Is.EqualTo(1));
            Assert.That(BikeLock.Energised, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_repeated_id_gets_the_same_acks_and_no_second_actuation()
    {
        byte[] payload = Command(CommandAction.Unlock);
        List<CommandAck> first = await RunAsync(payload);
        await _time.PassAsync(TimeSpan.FromSeconds(1));

        List<CommandAck> again = await RunAsync(payload);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(again, Is.EqualTo(first), "the recorded acks, timestamps and all");
            Assert.That(BikeLock.Energised, Is.EqualTo(1));
            Assert.That(_hardware.Lock!.Actuator.Pulses, Is.EqualTo(1));
            Assert.That(_executor.Stats.Duplicates, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_repeat_while_the_first_runs_gets_received_only_and_no_actuation()
    {
        byte[] payload = Command(CommandAction.Unlock);
        Task first = _executor.ExecuteAsync(payload, SendAck, CancellationToken.None);
        // The first is pulsing now (fake time stands still).
        List<CommandAck> received = TakeAcks();

        // A repeat needs no time and no lock: it completes at once (a second actuation would wait for the first).
        Task second = _executor.ExecuteAsync(payload, SendAck, CancellationToken.None);
        bool atOnce = second.IsCompleted;
        List<CommandAck> repeat = TakeAcks();
        await _time.RunAsync(Completion(Task.WhenAll(first, second)), MaxVirtual);
        List<CommandAck> done = TakeAcks();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(received.Select(a => a.Stage), Is.EqualTo(new[] { AckStage.Received }));
            Assert.That(atOnce, Is.True);
            Assert.That(repeat, Is.EqualTo(received));
            Assert.That(done.Select(a => (a.Stage, a.Result)), Is.EqualTo(new[] { (AckStage.Done, (AckResult?)AckResult.Ok) }));
            Assert.That(BikeLock.Energised, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task An_expired_command_is_rejected_and_the_repeat_gets_the_same_answer()
    {
        byte[] payload = Command(CommandAction.Unlock, ttl: TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(6));

        List<CommandAck> acks = await RunAsync(payload);
        _time.Advance(TimeSpan.FromSeconds(1));
        List<CommandAck> again = await RunAsync(payload);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acks, Has.Count.EqualTo(1));
            Assert.That(acks[0].Stage, Is.EqualTo(AckStage.Done));
            Assert.That(acks[0].Result, Is.EqualTo(AckResult.Rejected));
            Assert.That(acks[0].Reason, Is.EqualTo(RejectReasons.Expired));
            Assert.That(acks[0].Lock, Is.EqualTo(LockState.Locked));
            Assert.That(PayloadValidator.Validate(acks[0], NowMs, null, out _), Is.True);
            Assert.That(again, Is.EqualTo(acks));
            Assert.That(BikeLock.Energised, Is.Zero);
            Assert.That(_executor.Stats.Rejected[RejectReasons.Expired], Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_command_at_its_expiry_millisecond_still_runs()
    {
        byte[] payload = Command(CommandAction.Unlock, ttl: TimeSpan.FromSeconds(5));
        _time.Advance(TimeSpan.FromSeconds(5));

        List<CommandAck> acks = await RunAsync(payload);

        Assert.That(acks.Select(a => a.Stage), Is.EqualTo(new[] { AckStage.Received, AckStage.Done }));
    }

    [Test]
    public async Task A_forged_signature_is_rejected_not_recorded_and_not_actuated()
    {
        using var forger = new TestSigning("k1");
        string id = NextId();

        List<CommandAck> acks = await RunAsync(Command(CommandAction.Unlock, id: id, by: forger));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acks.Select(a => (a.Stage, a.Result, a.Reason)), Is.EqualTo(new[] { (AckStage.Done, (AckResult?)AckResult.Rejected, (string?)RejectReasons.BadSignature) }));
            Assert.That(BikeLock.Energised, Is.Zero);
            Assert.That(_store.TryGet(id, out _), Is.False, "a forger cannot occupy a real command's id");
            Assert.That(_server.Requests, Is.Zero, "a known kid needs no refresh");
        }

        // The real command with that id still runs.
        List<CommandAck> real = await RunAsync(Command(CommandAction.Unlock, id: id));
        Assert.That(real.Select(a => a.Result), Is.EqualTo(new AckResult?[] { null, AckResult.Ok }));
    }

    [Test]
    public async Task An_unknown_kid_refreshes_the_key_set_once_and_is_rejected_when_still_unknown()
    {
        using var stranger = new TestSigning("k9");

        List<CommandAck> first = await RunAsync(Command(CommandAction.Unlock, by: stranger));
        List<CommandAck> second = await RunAsync(Command(CommandAction.Unlock, by: stranger));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Single().Reason, Is.EqualTo(RejectReasons.BadSignature));
            Assert.That(second.Single().Reason, Is.EqualTo(RejectReasons.BadSignature));
            Assert.That(_server.Requests, Is.EqualTo(1), "the second unknown kid within the interval does not ask again");
            Assert.That(_keys.Stats.UnknownKidRefreshesSkipped, Is.EqualTo(1));
            Assert.That(BikeLock.Energised, Is.Zero);
        }
    }

    [Test]
    public async Task A_command_signed_with_a_rotated_in_key_runs_after_the_refresh()
    {
        using var next = new TestSigning("k2");
        _server.Serve(TestSigning.KeySet(next, _backend));

        List<CommandAck> acks = await RunAsync(Command(CommandAction.Unlock, by: next));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acks.Select(a => a.Result), Is.EqualTo(new AckResult?[] { null, AckResult.Ok }));
            Assert.That(_server.Requests, Is.EqualTo(1));
            Assert.That(_keys.Kids, Is.EquivalentTo(new[] { "k1", "k2" }));
        }
    }

    [Test]
    public async Task Another_devices_command_is_rejected_bad_signature()
    {
        List<CommandAck> acks = await RunAsync(Command(CommandAction.Unlock, forDevice: "bike-0002"));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acks.Single().Result, Is.EqualTo(AckResult.Rejected));
            Assert.That(acks.Single().Reason, Is.EqualTo(RejectReasons.BadSignature));
            Assert.That(BikeLock.Energised, Is.Zero);
        }
    }

    [Test]
    public async Task On_an_unsynchronised_clock_a_command_is_rejected_clock_unsynced()
    {
        _clock.Trusted = false;
        byte[] payload = Command(CommandAction.Unlock);

        List<CommandAck> acks = await RunAsync(payload);
        _clock.Trusted = true;
        List<CommandAck> again = await RunAsync(payload);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acks.Single().Result, Is.EqualTo(AckResult.Rejected));
            Assert.That(acks.Single().Reason, Is.EqualTo(RejectReasons.ClockUnsynced));
            Assert.That(again, Is.EqualTo(acks), "recorded: the backend already has REJECTED");
            Assert.That(BikeLock.Energised, Is.Zero);
        }
    }

    [Test]
    public async Task A_power_cut_between_recording_and_actuating_is_answered_from_the_sensor_without_actuating()
    {
        string id = NextId();
        byte[] payload = Command(CommandAction.Unlock, id: id);
        using var power = new CancellationTokenSource();
        // The power goes as the received ack is handed over: recorded, not yet actuated.
        Task Cut(CommandAck ack, CancellationToken ct)
        {
            power.Cancel();
            ct.ThrowIfCancellationRequested();
            return Task.CompletedTask;
        }
        Assert.That(async () => await _executor.ExecuteAsync(payload, Cut, power.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(BikeLock.Energised, Is.Zero);

        Restart();
        List<CommandAck> acks = await RunAsync(payload);
        List<CommandAck> again = await RunAsync(payload);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acks.Select(a => a.Stage), Is.EqualTo(new[] { AckStage.Received, AckStage.Done }));
            Assert.That(acks[1].Result, Is.EqualTo(AckResult.Failed));
            Assert.That(acks[1].Reason, Is.EqualTo(ExecutorReasons.Interrupted));
            Assert.That(acks[1].Lock, Is.EqualTo(LockState.Locked), "what the sensor says");
            Assert.That(BikeLock.Energised, Is.Zero, "never actuated after the restart");
            Assert.That(again, Is.EqualTo(acks));
            Assert.That(_executor.Stats.Interrupted, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_power_cut_after_the_motor_ran_is_answered_ok_from_the_sensor()
    {
        string id = NextId();
        byte[] payload = Command(CommandAction.Unlock, id: id);
        // Recorded, then the motor ran, then the power went before the outcome was written.
        _store.RecordAccepted(PayloadCodec.TryDecodeCommand(payload, out DeviceCommand? command, out _) ? command : throw new InvalidOperationException(),
            new CommandAck { Id = id, Stage = AckStage.Received, Lock = LockState.Locked, Ts = NowMs });
        BikeLock.MoveByHand(locked: false);
        await _time.PassAsync(TimeSpan.FromMilliseconds(200));

        Restart();
        await _executor.ResolveInterruptedAsync(SendAck, CancellationToken.None);
        List<CommandAck> resolved = TakeAcks();
        List<CommandAck> repeat = await RunAsync(payload);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(resolved.Select(a => (a.Stage, a.Result, a.Lock)), Is.EqualTo(new[] { (AckStage.Done, (AckResult?)AckResult.Ok, LockState.Unlocked) }));
            Assert.That(repeat.Select(a => a.Stage), Is.EqualTo(new[] { AckStage.Received, AckStage.Done }));
            Assert.That(repeat[1], Is.EqualTo(resolved[0]));
            Assert.That(BikeLock.Energised, Is.Zero);
        }
    }

    [Test]
    public async Task A_kiosk_releases_and_secures_a_slot()
    {
        await BuildAsync(TestPinMaps.Kiosk(slots: 2), Kiosk);

        List<CommandAck> released = await RunAsync(Command(CommandAction.Release, slot: 2));
        List<CommandAck> secured = await RunAsync(Command(CommandAction.Secure, slot: 2));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(released.Select(a => (a.Stage, a.Result, a.Lock, a.Slot)), Is.EqualTo(new[]
            {
                (AckStage.Received, (AckResult?)null, LockState.Locked, (int?)2),
                (AckStage.Done, (AckResult?)AckResult.Ok, LockState.Unlocked, (int?)2),
            }));
            Assert.That(secured[1].Result, Is.EqualTo(AckResult.Ok));
            Assert.That(secured[1].Lock, Is.EqualTo(LockState.Locked));
            Assert.That(_hardware.Slot(2)!.Lock.Actuator.Pulses, Is.EqualTo(2));
            Assert.That(_hardware.Slot(1)!.Lock.Actuator.Pulses, Is.Zero);
        }
    }

    [Test]
    public async Task A_kiosk_rejects_a_slot_it_has_not_and_a_bike_action()
    {
        await BuildAsync(TestPinMaps.Kiosk(slots: 2), Kiosk);

        List<CommandAck> badSlot = await RunAsync(Command(CommandAction.Release, slot: 5));
        List<CommandAck> unsupported = await RunAsync(Command(CommandAction.Unlock));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(badSlot.Single().Reason, Is.EqualTo(RejectReasons.BadSlot));
            Assert.That(badSlot.Single().Slot, Is.EqualTo(5));
            Assert.That(badSlot.Single().Lock, Is.EqualTo(LockState.Unknown));
            Assert.That(unsupported.Single().Reason, Is.EqualTo(RejectReasons.Unsupported));
            Assert.That(_hardware.Slots.Sum(s => s.Lock.Actuator.Pulses), Is.Zero);
        }
    }

    [Test]
    public async Task A_bike_rejects_a_kiosk_action_as_unsupported()
    {
        List<CommandAck> acks = await RunAsync(Command(CommandAction.Release, slot: 1));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(acks.Single().Reason, Is.EqualTo(RejectReasons.Unsupported));
            Assert.That(BikeLock.Energised, Is.Zero);
        }
    }

    [Test]
    public async Task An_undecodable_payload_is_counted_and_not_acked()
    {
        await _executor.ExecuteAsync(Encoding.UTF8.GetBytes("{\"id\": 42"), SendAck, CancellationToken.None);
        await _executor.ExecuteAsync(Encoding.UTF8.GetBytes("[1,2]"), SendAck, CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(TakeAcks(), Is.Empty);
            Assert.That(_executor.Stats.Undecodable, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task An_invalid_command_with_an_id_is_rejected_naming_the_problem()
    {
        string sig = new string('A', 86) + "==";
        string json = $$"""{"id":"cmd-1","action":"unlock","slot":1,"issuedAt":{{NowMs}},"expiresAt":{{NowMs + 30000}},"kid":"k1","sig":"{{sig}}"}""";

        await _executor.ExecuteAsync(Encoding.UTF8.GetBytes(json), SendAck, CancellationToken.None);

        CommandAck ack = TakeAcks().Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ack.Id, Is.EqualTo("cmd-1"));
            Assert.That(ack.Result, Is.EqualTo(AckResult.Rejected));
            Assert.That(ack.Reason, Is.EqualTo(RejectReasons.BadSlot), "unlock takes no slot");
            Assert.That(_executor.Stats.Invalid, Is.EqualTo(1));
            Assert.That(_store.TryGet("cmd-1", out _), Is.False);
        }
    }

    [Test]
    public async Task A_failing_ack_sender_does_not_stop_the_command_and_the_repeat_gets_the_acks()
    {
        byte[] payload = Command(CommandAction.Unlock);
        Task Broken(CommandAck ack, CancellationToken ct) => throw new IOException("broker gone");

        await _time.RunAsync(Completion(_executor.ExecuteAsync(payload, Broken, CancellationToken.None)), MaxVirtual);
        List<CommandAck> repeat = await RunAsync(payload);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_executor.Stats.AckSendFailures, Is.EqualTo(2));
            Assert.That(BikeLock.Energised, Is.EqualTo(1));
            Assert.That(repeat.Select(a => a.Result), Is.EqualTo(new AckResult?[] { null, AckResult.Ok }));
        }
    }
}
