using System.Globalization;
using System.Net;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent;
using IoTPlatform.LockController.Pi.Agent.Commands;
using IoTPlatform.LockController.Pi.Agent.Mqtt;
using IoTPlatform.LockController.Pi.Gnss;
using IoTPlatform.LockController.Pi.Hardware;
using IoTPlatform.LockController.Pi.Hardware.Battery;
using IoTPlatform.LockController.Pi.Hardware.Simulated;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>
/// One lock controller: the real agent (<see cref="AgentServices.AddLockControllerAgent"/>, its own host and DI
/// container, its own data dir) on simulated GPIO, with a simulated GNSS receiver, behind its own
/// <see cref="LinkRelay"/> and <see cref="FaultyMqttClient"/>. A reboot stops the host and builds it again on the same
/// data dir, with the locks and items where they physically were.
/// </summary>
internal sealed class SimulatedController : IAsyncDisposable
{
    /// <summary>Slots of a simulated kiosk.</summary>
    public const int KioskSlots = 6;

    private const int BikeActuatorPin = 17, BikeSensorPin = 27;
    private const int MinMillivolts = 6000, MaxMillivolts = 8400;

    /// <summary>BCM pins free of the UART (14, 15) and I2C (2, 3): three per slot (actuator, lock sensor, item sensor).</summary>
    private static readonly int[] SlotPins = [4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 18, 19, 20, 21, 22, 23];

    private readonly SimulationSettings _settings;
    private readonly FleetLogs _logs;
    private readonly Random _random;
    private readonly Lock _gate = new();
    private IHost? _host;
    private bool[] _locked;
    private bool[] _items;
    private int _millivolts;

    public SimulatedController(string id, DeviceKind kind, string secret, string dataDir, Motion motion, LinkRelay relay, SimulationSettings settings, FleetLogs logs, Random random)
    {
        Id = id;
        Kind = kind;
        Secret = secret;
        DataDir = dataDir;
        Motion = motion;
        Relay = relay;
        _settings = settings;
        _logs = logs;
        _random = random;
        int locks = kind.HasSlots() ? KioskSlots : 1;
        _locked = [.. Enumerable.Repeat(true, locks)];
        _items = [.. Enumerable.Repeat(true, locks)];
        lock (random)
            _millivolts = random.Next(7000, MaxMillivolts);
    }

    public string Id { get; }

    public DeviceKind Kind { get; }

    public string Secret { get; }

    public string DataDir { get; }

    public Motion Motion { get; }

    public LinkRelay Relay { get; }

    public DeviceLedger Ledger { get; } = new();

    /// <summary>True between a start and a stop (false while rebooting).</summary>
    public bool Running => Volatile.Read(ref _host) is not null;

    /// <summary>The firmware's hardware, or null while it is down.</summary>
    public LockHardware? Hardware => _host?.Services.GetRequiredService<LockHardware>();

    /// <summary>Connected to the broker now.</summary>
    public bool Connected => _host?.Services.GetRequiredService<MqttLink>().IsConnected ?? false;

    /// <summary>The controller's clock trusts its time (commands can run).</summary>
    public bool ClockTrusted => _host?.Services.GetRequiredService<ITrustedClock>().IsTrustworthy ?? false;

    /// <summary>The battery, in percent of its range.</summary>
    public int BatteryPercent => (Volatile.Read(ref _millivolts) - MinMillivolts) * 100 / (MaxMillivolts - MinMillivolts);

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        IHost host = Build();
        try
        {
            // Resolved before the start, so the actuation log sees the first command.
            host.Services.GetRequiredService<CommandExecutor>().Actuating += OnActuating;
            await host.StartAsync(cancellationToken).ConfigureAwait(false);
            Restore(host.Services.GetRequiredService<LockHardware>());
        }
        catch
        {
            host.Dispose();
            throw;
        }
        Volatile.Write(ref _host, host);
    }

    /// <summary>Power off (the host stops), a moment dark, power on again on the same data dir.</summary>
    public async Task RebootAsync(CancellationToken cancellationToken)
    {
        Ledger.Rebooted();
        await StopAsync().ConfigureAwait(false);
        await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        await StartAsync(cancellationToken).ConfigureAwait(false);
    }

    public async Task StopAsync()
    {
        IHost? host = Interlocked.Exchange(ref _host, null);
        if (host is null)
            return;
        Remember(host.Services.GetRequiredService<LockHardware>());
        using var budget = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await host.StopAsync(budget.Token).ConfigureAwait(false);
        }
        finally
        {
            host.Services.GetRequiredService<CommandExecutor>().Actuating -= OnActuating;
            host.Dispose();
        }
    }

    /// <summary>Drains (ridden: faster) or charges the battery by one second's worth; a crew swaps an empty bike's pack.</summary>
    public void TickBattery()
    {
        int mv = Volatile.Read(ref _millivolts);
        mv = Kind.HasSlots() ? Math.Min(MaxMillivolts, mv + 4) : mv - (Motion.Moving ? 6 : 1);
        if (mv < MinMillivolts + 300)
            mv = MaxMillivolts;
        Volatile.Write(ref _millivolts, mv);
        if (Hardware?.Battery is SimulatedBatterySource battery)
            battery.Millivolts = mv;
    }

    /// <summary>The simulated lock of the bike, or of slot <paramref name="slot"/>.</summary>
    public SimulatedLock? LockOf(int? slot) =>
        Hardware?.Simulator?.GetLock(slot is int n ? SlotPins[3 * (n - 1)] : BikeActuatorPin);

    /// <summary>An item put into or taken out of slot <paramref name="slot"/>.</summary>
    public void SetItem(int slot, bool present)
    {
        lock (_gate)
            _items[slot - 1] = present;
        Hardware?.Simulator?.SetItemPresent(SlotPins[(3 * (slot - 1)) + 2], present);
    }

    /// <summary>Whether slot <paramref name="slot"/> holds an item (as the simulator put it).</summary>
    public bool HasItem(int slot)
    {
        lock (_gate)
            return _items[slot - 1];
    }

    private void OnActuating(object? sender, DeviceCommand command)
    {
        Ledger.Actuated(new Actuation(command.Id, command.Action, command.Slot, DateTimeOffset.UtcNow, DateTimeOffset.FromUnixTimeMilliseconds(command.ExpiresAt)));
        double draw;
        lock (_random)
            draw = _random.NextDouble();
        if (draw < _settings.Faults.Rate(FaultPlan.Jam) && LockOf(command.Slot) is { } simulated)
        {
            _settings.Counters.Count(FaultPlan.Jam);
            simulated.Jam();
            _ = FreeLaterAsync(simulated);
        }
    }

    private static async Task FreeLaterAsync(SimulatedLock simulated)
    {
        await Task.Delay(TimeSpan.FromSeconds(3)).ConfigureAwait(false);
        simulated.Free();
    }

    private void Remember(LockHardware hardware)
    {
        SimulatedGpioDriver? driver = hardware.Simulator;
        if (driver is null)
            return;
        lock (_gate)
        {
            for (int i = 0; i < _locked.Length; i++)
                _locked[i] = driver.GetLock(Kind.HasSlots() ? SlotPins[3 * i] : BikeActuatorPin).IsLocked;
        }
    }

    private void Restore(LockHardware hardware)
    {
        SimulatedGpioDriver? driver = hardware.Simulator;
        if (driver is null)
            return;
        lock (_gate)
        {
            for (int i = 0; i < _locked.Length; i++)
            {
                SimulatedLock simulated = driver.GetLock(Kind.HasSlots() ? SlotPins[3 * i] : BikeActuatorPin);
                if (simulated.IsLocked != _locked[i])
                    simulated.MoveByHand(_locked[i]);
                if (Kind.HasSlots() && !_items[i])
                    driver.SetItemPresent(SlotPins[(3 * i) + 2], false);
            }
        }
        if (hardware.Battery is SimulatedBatterySource battery)
            battery.Millivolts = Volatile.Read(ref _millivolts);
    }

    private IHost Build()
    {
        var settings = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["Hardware:Mode"] = "simulated",
            ["Hardware:Kind"] = Kind.ToWireName(),
            ["Hardware:Battery:Source"] = "simulated",
            ["Hardware:Battery:SimulatedMillivolts"] = Volatile.Read(ref _millivolts).ToString(CultureInfo.InvariantCulture),
            ["Device:Id"] = Id,
            ["Device:Secret"] = Secret,
            ["Backend:Mqtt"] = $"127.0.0.1:{Relay.EndPoint.Port}",
            ["Backend:Api"] = _settings.Api.ToString(),
            ["Agent:DataDir"] = DataDir,
            ["Telemetry:MovingIntervalSeconds"] = _settings.MovingIntervalSeconds.ToString(CultureInfo.InvariantCulture),
            ["Telemetry:ParkedIntervalSeconds"] = _settings.ParkedIntervalSeconds.ToString(CultureInfo.InvariantCulture),
            ["Telemetry:BatteryCheckSeconds"] = "10",
            ["Mqtt:KeepAliveSeconds"] = "15",
            ["Mqtt:ReconnectDelayMilliseconds"] = "300",
            ["Mqtt:ReconnectMaxDelayMilliseconds"] = "3000",
        };
        if (Kind.HasSlots())
        {
            for (int i = 0; i < KioskSlots; i++)
            {
                string slot = $"Hardware:Slots:{i}:";
                settings[slot + "N"] = (i + 1).ToString(CultureInfo.InvariantCulture);
                settings[slot + "ActuatorPin"] = SlotPins[3 * i].ToString(CultureInfo.InvariantCulture);
                settings[slot + "LockSensorPin"] = SlotPins[(3 * i) + 1].ToString(CultureInfo.InvariantCulture);
                settings[slot + "ItemSensorPin"] = SlotPins[(3 * i) + 2].ToString(CultureInfo.InvariantCulture);
            }
        }
        else
        {
            settings["Hardware:Lock:ActuatorPin"] = BikeActuatorPin.ToString(CultureInfo.InvariantCulture);
            settings["Hardware:Lock:SensorPin"] = BikeSensorPin.ToString(CultureInfo.InvariantCulture);
        }

        Directory.CreateDirectory(DataDir);
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ContentRootPath = DataDir });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddProvider(_logs.For(Id));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.Services.AddLockControllerAgent();
        builder.Services.AddSingleton<IGnssConnection>(new SimulatedGnssConnection(Motion, _settings.Faults, _settings.Counters, _random, TimeProvider.System));
        builder.Services.AddSingleton<IMqttClient>(_ => new FaultyMqttClient(
            new MqttClientFactory().CreateMqttClient(), Ledger, _settings.Faults, _settings.Counters, _random, TimeProvider.System));
        return builder.Build();
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await Relay.DisposeAsync().ConfigureAwait(false);
    }
}

/// <summary>What every controller of a run shares.</summary>
internal sealed record SimulationSettings(Uri Api, FaultPlan Faults, FaultCounters Counters, int MovingIntervalSeconds, int ParkedIntervalSeconds);
