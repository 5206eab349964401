using System.Collections.Concurrent;
using IoTPlatform.DeviceGateway.Commands;
using IoTPlatform.DeviceGateway.Commands.Signing;
using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.DeviceProtocol.Signing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.DeviceGateway.Tests.Commands;

/// <summary>
/// The command service's real ledger (SQLite in a temp dir), signing keys, rules and delivery loop, on a fake clock,
/// with a fake link to devices in place of the broker. <see cref="RestartAsync"/> builds them again on the same files.
/// </summary>
internal sealed class CommandRig : IAsyncDisposable
{
    private readonly ServiceProvider _metrics = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private CommandKeyStore _keys;

    public CommandRig(CommandOptions? options = null)
    {
        Options = options ?? new CommandOptions
        {
            AttemptTimeoutMilliseconds = 1000,
            RetryBaseDelayMilliseconds = 200,
            RetryMaxDelayMilliseconds = 1000,
            DoneTimeoutSeconds = 5,
            MaxPerDevicePerMinute = 5,
        };
        DataDir = Directory.CreateTempSubdirectory("iotplatform-cmd-").FullName;
        var store = new StateStore(DataDir);
        Ledger = new CommandLedger(store, new GroupedWrites(store));
        (_keys, Service, Dispatcher) = Build();
    }

    public CommandOptions Options { get; }

    public string DataDir { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));

    public FakeLink Link { get; } = new();

    public RecordingEffects Effects { get; } = new();

    public CommandLedger Ledger { get; }

    public CommandService Service { get; private set; }

    public CommandDispatcher Dispatcher { get; private set; }

    public CommandStats Stats { get; private set; } = null!;

    public CommandSigningKeySet KeySet => _keys.KeySet;

    public long NowMs => Time.GetUtcNow().ToUnixTimeMilliseconds();

    public async Task StartAsync() => await Dispatcher.StartAsync(CancellationToken.None);

    public async Task<CommandRecord> CreateAsync(string action = "unlock", string? key = null, int? ttlSeconds = 30, bool queueIfOffline = false, string device = FakeLink.Device)
    {
        var result = await CreateResultAsync(action, key, ttlSeconds, queueIfOffline, device);
        Assert.That(result.Outcome, Is.EqualTo(CreateOutcome.Created));
        return result.Command!;
    }

    public Task<CreateResult> CreateResultAsync(string action = "unlock", string? key = null, int? ttlSeconds = 30, bool queueIfOffline = false, string device = FakeLink.Device)
    {
        Assert.That(WireNames.TryParseCommandAction(action, out var parsed), Is.True);
        return Service.CreateAsync(device, parsed, new CommandRequest(action, null, ttlSeconds, queueIfOffline), key ?? Guid.NewGuid().ToString(), "ops-team", CancellationToken.None);
    }

    public async Task<CommandRecord> GetAsync(string id) => (await Ledger.GetAsync(id, CancellationToken.None))!;

    public Task<bool> AckAsync(string id, AckStage stage, AckResult? result = null, LockState lockState = LockState.Unlocked, string? reason = null, string device = FakeLink.Device) =>
        Service.ApplyAckAsync(device, new CommandAck { Id = id, Stage = stage, Result = result, Lock = lockState, Reason = reason, Ts = NowMs }, CancellationToken.None);

    /// <summary>
    /// Advances the fake clock in small steps (letting the loops run in between) until <paramref name="done"/> holds; with
    /// <paramref name="stepMs"/> 0 the clock stands still (what must happen without any time passing, e.g. on an event).
    /// </summary>
    public async Task RunUntilAsync(Func<Task<bool>> done, TimeSpan maxFakeTime, string what, int stepMs = 50)
    {
        var end = Time.GetUtcNow() + maxFakeTime;
        var realDeadline = DateTime.UtcNow + TimeSpan.FromSeconds(stepMs > 0 ? 30 : 10);
        while (!await done())
        {
            if ((stepMs > 0 && Time.GetUtcNow() >= end) || DateTime.UtcNow > realDeadline)
            {
                Assert.Fail(stepMs > 0 ? $"Within {maxFakeTime.TotalSeconds:0.#} s of fake time: {what}." : $"With the clock standing still: {what}.");
            }

            if (stepMs > 0)
            {
                Time.Advance(TimeSpan.FromMilliseconds(stepMs));
            }

            await Task.Delay(3);
        }
    }

    public Task RunUntilStateAsync(string id, CommandState state, TimeSpan maxFakeTime, int stepMs = 50) =>
        RunUntilAsync(async () => (await GetAsync(id)).State == state, maxFakeTime, $"command {id} reaches {state.ToWireName()}", stepMs);

    /// <summary>Advances fake time by <paramref name="span"/> in steps, whatever happens.</summary>
    public async Task AdvanceAsync(TimeSpan span, int stepMs = 50)
    {
        for (var t = 0; t < span.TotalMilliseconds; t += stepMs)
        {
            Time.Advance(TimeSpan.FromMilliseconds(stepMs));
            await Task.Delay(3);
        }
    }

    /// <summary>Stops the delivery loop and builds service and loop again over the same ledger and keys (a restart).</summary>
    public async Task RestartAsync()
    {
        await Dispatcher.StopAsync(CancellationToken.None);
        Dispatcher.Dispose();
        Service.Dispose();
        _keys.Dispose();
        (_keys, Service, Dispatcher) = Build();
        await StartAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await Dispatcher.StopAsync(CancellationToken.None);
        Dispatcher.Dispose();
        Service.Dispose();
        _keys.Dispose();
        Stats.Dispose();
        await _metrics.DisposeAsync();
        StateStore.ReleasePooledConnections();
        Directory.Delete(DataDir, recursive: true);
    }

    private (CommandKeyStore, CommandService, CommandDispatcher) Build()
    {
        var keys = new CommandKeyStore(new CommandSigningOptions(), DataDir, DataDir, Time, NullLogger<CommandKeyStore>.Instance);
        Stats = new CommandStats(_metrics.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
        var service = new CommandService(Ledger, keys, Link, Effects, Stats, Microsoft.Extensions.Options.Options.Create(Options), Time, NullLogger<CommandService>.Instance);
        var dispatcher = new CommandDispatcher(service, Ledger, Link, Time, NullLogger<CommandDispatcher>.Instance);
        return (keys, service, dispatcher);
    }

    /// <summary>A device link the test steers: online, subscribed, and every payload "sent" to the device.</summary>
    internal sealed class FakeLink : ICommandLink
    {
        public const string Device = "bike-0001";

        private readonly ConcurrentDictionary<string, bool> _online = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, bool> _subscribed = new(StringComparer.Ordinal);

        public event Action<string>? Subscribed;

        public ConcurrentQueue<(string Device, DeviceCommand Command, byte[] Payload)> Sent { get; } = new();

        public bool IsOnline(string deviceId) => _online.GetValueOrDefault(deviceId);

        public bool IsSubscribed(string deviceId) => _subscribed.GetValueOrDefault(deviceId);

        public void Connect(string deviceId = Device, bool subscribe = true)
        {
            _online[deviceId] = true;
            if (subscribe)
            {
                _subscribed[deviceId] = true;
                Subscribed?.Invoke(deviceId);
            }
        }

        public void Disconnect(string deviceId = Device)
        {
            _online[deviceId] = false;
            _subscribed[deviceId] = false;
        }

        public IReadOnlyList<DeviceCommand> SentTo(string deviceId = Device) => [.. Sent.Where(s => s.Device == deviceId).Select(s => s.Command)];

        public ValueTask<bool> SendAsync(string deviceId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
        {
            if (!IsSubscribed(deviceId))
            {
                return ValueTask.FromResult(false);
            }

            Assert.That(PayloadCodec.TryDecodeCommand(payload.Span, out var command, out var error), Is.True, () => $"the payload decodes as a command: {error}");
            Sent.Enqueue((deviceId, command!, payload.ToArray()));
            return ValueTask.FromResult(true);
        }
    }

    /// <summary>Records what the acks did to the device; <see cref="HistoryDown"/> makes storing a jam fail.</summary>
    internal sealed class RecordingEffects : ICommandEffects
    {
        public ConcurrentQueue<(string Device, LockState Lock)> Locks { get; } = new();

        public ConcurrentQueue<string> Jams { get; } = new();

        public bool HistoryDown { get; set; }

        public Task LockReportedAsync(string deviceId, CommandAck ack, CancellationToken cancellationToken)
        {
            Locks.Enqueue((deviceId, ack.Lock));
            return Task.CompletedTask;
        }

        public Task<bool> RecordJamAsync(CommandRecord command, CommandAck ack, CancellationToken cancellationToken)
        {
            if (HistoryDown)
            {
                return Task.FromResult(false);
            }

            Jams.Enqueue(command.Id);
            return Task.FromResult(true);
        }
    }
}
