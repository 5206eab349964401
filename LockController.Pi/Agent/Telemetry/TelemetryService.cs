using System.Threading.Channels;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Hardware;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using GnssFixRecord = IoTPlatform.LockController.Pi.Gnss.GnssFix;

namespace IoTPlatform.LockController.Pi.Agent.Telemetry;

/// <summary>
/// Turns the hardware and the GNSS fixes into readings and events, all appended to the outbox through the
/// <see cref="IRecordWriter"/>. One loop does everything in order: hardware callbacks (timer threads) and fixes only
/// post signals to it. Readings follow <see cref="TelemetrySchedule"/>; events go at once: <c>boot</c> at start,
/// <c>lock_changed</c> on a debounced sensor change (not the first settle after start), <c>jammed</c> when an
/// actuation is not confirmed, <c>motion_while_locked</c> (<see cref="MotionWatch"/>), <c>low_battery</c>
/// (<see cref="BatteryWatch"/>), <c>slot_changed</c> on a settled slot's change.
/// </summary>
public sealed class TelemetryService : BackgroundService
{
    private static readonly TimeSpan SettleLimit = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan SettlePoll = TimeSpan.FromMilliseconds(10);
    private readonly LockHardware _hardware;
    private readonly PositionFeed _positions;
    private readonly IRecordWriter _writer;
    private readonly TelemetryOptions _options;
    private readonly FirmwareInfo _firmware;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Signal> _signals = Channel.CreateUnbounded<Signal>(new UnboundedChannelOptions { SingleReader = true });
    private readonly TelemetrySchedule _schedule;
    private readonly MotionWatch _motion;
    private readonly BatteryWatch _battery;
    private readonly TimeSpan _fixMaxAge;
    private readonly TimeSpan _batteryCheck;
    private readonly Dictionary<int, SlotState> _slotStates = [];
    private readonly List<(KioskSlot Slot, EventHandler<SlotState> OnState, EventHandler<LockState> OnLock)> _slotHandlers = [];
    private LockState _lock = LockState.Unknown;
    private int? _batteryPercent;
    private long _lastBatteryRead;
    private bool _batteryRead;
    private long _readings;
    private long _events;
    private long _failed;

    /// <summary>The telemetry of <paramref name="hardware"/>, written to <paramref name="writer"/>.</summary>
    public TelemetryService(
        LockHardware hardware, PositionFeed positions, IRecordWriter writer, IOptions<TelemetryOptions> options, FirmwareInfo firmware, TimeProvider time,
        ILogger<TelemetryService> logger)
    {
        ArgumentNullException.ThrowIfNull(hardware);
        ArgumentNullException.ThrowIfNull(positions);
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(firmware);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _hardware = hardware;
        _positions = positions;
        _writer = writer;
        _options = options.Value;
        _firmware = firmware;
        _time = time;
        _logger = logger;
        _schedule = new TelemetrySchedule(_options, time);
        _motion = new MotionWatch(_options.MotionThresholdMeters);
        _battery = new BatteryWatch(_options.LowBatteryPercent, _options.LowBatteryHysteresisPercent);
        _fixMaxAge = TimeSpan.FromSeconds(_options.FixMaxAgeSeconds);
        _batteryCheck = TimeSpan.FromSeconds(_options.BatteryCheckSeconds);
    }

    /// <summary>Readings appended.</summary>
    public long Readings => Interlocked.Read(ref _readings);

    /// <summary>Events appended.</summary>
    public long Events => Interlocked.Read(ref _events);

    /// <summary>Readings and events that could not be appended (invalid, or the outbox failed).</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>True while the device counts as active (not locked, a slot open, or moving): readings every <see cref="TelemetryOptions.MovingIntervalSeconds"/>.</summary>
    public bool IsActive
    {
        get
        {
            if (_hardware.Lock is { } bikeLock && bikeLock.Sensed != LockState.Locked)
                return true;
            if (_hardware.Slots.Any(s => s.State == SlotState.Released))
                return true;
            return _positions.Fresh(_fixMaxAge)?.SpeedMps >= _options.MovingSpeedMps;
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        Subscribe();
        try
        {
            await AppendEventAsync(new DeviceEvent { Seq = 0, Ts = 0, Type = EventType.Boot, Fw = _firmware.Version, Reason = _firmware.BootReason }, stoppingToken).ConfigureAwait(false);
            await WaitForSensorsAsync(stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                while (_signals.Reader.TryRead(out Signal? signal))
                    await HandleAsync(signal, stoppingToken).ConfigureAwait(false);
                if (!_batteryRead || _time.GetElapsedTime(_lastBatteryRead) >= _batteryCheck)
                    await ReadBatteryAsync(stoppingToken).ConfigureAwait(false);
                if (_schedule.DueIn(IsActive) == TimeSpan.Zero)
                {
                    await TakeReadingAsync(stoppingToken).ConfigureAwait(false);
                    _schedule.Taken();
                }
                TimeSpan batteryDue = _batteryCheck - _time.GetElapsedTime(_lastBatteryRead);
                TimeSpan wait = TimeSpan.FromTicks(Math.Max(0, Math.Min(_schedule.DueIn(IsActive).Ticks, batteryDue.Ticks)));
                await WaitAsync(wait, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            Unsubscribe();
        }
    }

    /// <summary>Until the lock sensors have settled after start (a few debounce times), so that the first reading says locked or unlocked rather than unknown; at most <see cref="SettleLimit"/>.</summary>
    private async Task WaitForSensorsAsync(CancellationToken cancellationToken)
    {
        long start = _time.GetTimestamp();
        while ((_hardware.Lock?.Sensed == LockState.Unknown || _hardware.Slots.Any(s => s.Lock.Sensed == LockState.Unknown || s.Item.Present is null))
            && _time.GetElapsedTime(start) < SettleLimit)
        {
            await Task.Delay(SettlePoll, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task WaitAsync(TimeSpan wait, CancellationToken cancellationToken)
    {
        if (wait <= TimeSpan.Zero)
            return;
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task delay = Task.Delay(wait, _time, either.Token);
        Task signal = _signals.Reader.WaitToReadAsync(either.Token).AsTask();
        await Task.WhenAny(delay, signal).ConfigureAwait(false);
        await either.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private async Task HandleAsync(Signal signal, CancellationToken cancellationToken)
    {
        switch (signal)
        {
            case LockSignal(LockState state):
                await OnLockAsync(state, cancellationToken).ConfigureAwait(false);
                break;
            case SlotLockSignal(int slot, LockState.Jammed):
                await AppendEventAsync(new DeviceEvent { Seq = 0, Ts = 0, Type = EventType.Jammed, Slot = slot, Lock = LockState.Jammed, Reason = "not-confirmed" }, cancellationToken).ConfigureAwait(false);
                break;
            case SlotSignal(int slot, SlotState state, bool settled):
                await OnSlotAsync(slot, state, settled, cancellationToken).ConfigureAwait(false);
                break;
            case FixSignal(GnssFixRecord fix):
                if (_motion.OnFix(fix.Latitude, fix.Longitude) is { } distance)
                {
                    await AppendEventAsync(new DeviceEvent
                    {
                        Seq = 0, Ts = 0, Type = EventType.MotionWhileLocked, Lock = LockState.Locked, Distance = Math.Round(distance, 1), Lat = fix.Latitude, Lon = fix.Longitude,
                    }, cancellationToken).ConfigureAwait(false);
                }
                break;
            default:
                break;
        }
    }

    private async Task OnLockAsync(LockState state, CancellationToken cancellationToken)
    {
        LockState previous = _lock;
        _lock = state;
        if (state == LockState.Locked)
        {
            GnssFixRecord? fix = _positions.Fresh(_fixMaxAge);
            _motion.Locked(fix?.Latitude, fix?.Longitude);
        }
        else if (state == LockState.Unlocked)
        {
            _motion.Unlocked();
        }
        if (state == LockState.Jammed)
        {
            if (previous != LockState.Jammed)
                await AppendEventAsync(new DeviceEvent { Seq = 0, Ts = 0, Type = EventType.Jammed, Lock = LockState.Jammed, Reason = "not-confirmed" }, cancellationToken).ConfigureAwait(false);
        }
        else if (state != previous && state != LockState.Unknown && previous != LockState.Unknown)
        {
            // The first settle after start is not a change: the boot event and the first reading carry it.
            await AppendEventAsync(new DeviceEvent { Seq = 0, Ts = 0, Type = EventType.LockChanged, Lock = state }, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task OnSlotAsync(int slot, SlotState state, bool settled, CancellationToken cancellationToken)
    {
        if (!settled)
            return;
        if (!_slotStates.TryGetValue(slot, out SlotState previous))
        {
            // First settled state after start: not a change.
            _slotStates[slot] = state;
            return;
        }
        if (previous == state)
            return;
        _slotStates[slot] = state;
        await AppendEventAsync(new DeviceEvent { Seq = 0, Ts = 0, Type = EventType.SlotChanged, Slot = slot, SlotState = state }, cancellationToken).ConfigureAwait(false);
    }

    private async Task ReadBatteryAsync(CancellationToken cancellationToken)
    {
        Hardware.Battery.BatteryReading level = await _hardware.Battery.ReadAsync(cancellationToken).ConfigureAwait(false);
        _batteryRead = true;
        _lastBatteryRead = _time.GetTimestamp();
        _batteryPercent = level.Percent;
        if (level.Percent is { } percent && _battery.OnLevel(percent))
            await AppendEventAsync(new DeviceEvent { Seq = 0, Ts = 0, Type = EventType.LowBattery, Battery = percent }, cancellationToken).ConfigureAwait(false);
    }

    private async Task TakeReadingAsync(CancellationToken cancellationToken)
    {
        await ReadBatteryAsync(cancellationToken).ConfigureAwait(false);
        GnssFixRecord? fix = _positions.Fresh(_fixMaxAge);
        var draft = new Reading
        {
            Seq = 0,
            Ts = 0,
            Lat = fix?.Latitude,
            Lon = fix?.Longitude,
            Alt = fix?.AltitudeMsl,
            Speed = fix?.SpeedMps,
            Course = fix?.CourseDeg is { } course ? course % 360.0 : null,
            Hdop = fix?.Hdop,
            Sats = fix?.SatellitesUsed,
            Fix = fix is null ? DeviceProtocol.GnssFix.None : fix.Mode == Gnss.GnssFixMode.ThreeD ? DeviceProtocol.GnssFix.ThreeD : DeviceProtocol.GnssFix.TwoD,
            Battery = _batteryPercent,
            Lock = _hardware.Lock?.Sensed,
            Slots = _hardware.Kind.HasSlots() ? [.. _hardware.Slots.Select(s => new SlotReading { N = s.Number, State = s.State })] : null,
        };
        if (await AppendAsync(() => _writer.AppendAsync(draft, cancellationToken)).ConfigureAwait(false) is { } reading)
        {
            Interlocked.Increment(ref _readings);
            if (_logger.IsEnabled(LogLevel.Debug))
            {
                bool active = IsActive;
                Log.ReadingAppended(_logger, reading.Seq, reading.Fix ?? 0, active);
            }
        }
    }

    private async Task AppendEventAsync(DeviceEvent draft, CancellationToken cancellationToken)
    {
        if (await AppendAsync(() => _writer.AppendAsync(draft, cancellationToken)).ConfigureAwait(false) is { } appended)
        {
            Interlocked.Increment(ref _events);
            string type = appended.Type.ToWireName();
            Log.EventAppended(_logger, type, appended.Seq);
        }
    }

    private async Task<T?> AppendAsync<T>(Func<ValueTask<T?>> append)
        where T : class
    {
        try
        {
            T? appended = await append().ConfigureAwait(false);
            if (appended is null)
                Interlocked.Increment(ref _failed);
            return appended;
        }
        catch (IOException e)
        {
            // The outbox could not write (disk full, card failing): this record is lost, the loop goes on.
            Interlocked.Increment(ref _failed);
            Log.AppendFailed(_logger, typeof(T).Name, e);
            return null;
        }
    }

    private void Subscribe()
    {
        _positions.FixArrived += OnFix;
        if (_hardware.Lock is { } bikeLock)
        {
            bikeLock.SensedChanged += OnLockSensed;
            Post(new LockSignal(bikeLock.Sensed));
        }
        foreach (KioskSlot slot in _hardware.Slots)
        {
            int number = slot.Number;
            EventHandler<SlotState> onState = (_, state) => Post(new SlotSignal(number, state, IsSettled(slot)));
            EventHandler<LockState> onLock = (_, state) => Post(new SlotLockSignal(number, state));
            slot.StateChanged += onState;
            slot.Lock.SensedChanged += onLock;
            _slotHandlers.Add((slot, onState, onLock));
            Post(new SlotSignal(number, slot.State, IsSettled(slot)));
        }
    }

    private void Unsubscribe()
    {
        _positions.FixArrived -= OnFix;
        if (_hardware.Lock is { } bikeLock)
            bikeLock.SensedChanged -= OnLockSensed;
        foreach ((KioskSlot slot, EventHandler<SlotState> onState, EventHandler<LockState> onLock) in _slotHandlers)
        {
            slot.StateChanged -= onState;
            slot.Lock.SensedChanged -= onLock;
        }
        _slotHandlers.Clear();
    }

    private static bool IsSettled(KioskSlot slot) => slot.Lock.Sensed != LockState.Unknown && slot.Item.Present is not null;

    private void OnLockSensed(object? sender, LockState state) => Post(new LockSignal(state));

    private void OnFix(object? sender, GnssFixRecord fix) => Post(new FixSignal(fix));

    private void Post(Signal signal) => _signals.Writer.TryWrite(signal);

    private abstract record Signal;

    private sealed record LockSignal(LockState State) : Signal;

    private sealed record SlotLockSignal(int Slot, LockState State) : Signal;

    private sealed record SlotSignal(int Slot, SlotState State, bool Settled) : Signal;

    private sealed record FixSignal(GnssFixRecord Fix) : Signal;
}
