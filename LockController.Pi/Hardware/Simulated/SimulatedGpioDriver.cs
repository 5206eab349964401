using System.Device.Gpio;

namespace IoTPlatform.LockController.Pi.Hardware.Simulated;

/// <summary>
/// A GPIO driver with the world modelled in memory, handed to <c>new GpioController(driver)</c> like a real one.
/// Pins behave as on a Pi: an output reads back what was written, an input with the pull-up reads high unless
/// something drives it, and every level change fires the registered pin-change callbacks (on the thread that made
/// the change: a write, or a timer of the injected <see cref="TimeProvider"/>).
/// On top: locks (<see cref="AddLock"/>) whose latch toggles when their actuator pin has been high for
/// <see cref="SimulationOptions.MinimumPulseMilliseconds"/> and whose sensor follows
/// <see cref="SimulationOptions.MechanicalDelayMilliseconds"/> later with <see cref="SimulationOptions.BounceCount"/>
/// flips; item sensors (<see cref="AddItemSensor"/>) set with <see cref="SetItemPresent"/>. Thread-safe.
/// </summary>
public sealed class SimulatedGpioDriver : GpioDriver
{
    private readonly SimulationOptions _options;
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly Dictionary<int, SimPin> _pins = [];
    private readonly Dictionary<int, SimulatedLock> _locksByActuator = [];
    private readonly Dictionary<int, bool> _itemActiveLow = [];
    private readonly List<ITimer> _timers = [];
    private long _transitions;
    private bool _disposed;

    /// <summary>A driver with <see cref="SimulationOptions.PinCount"/> pins, timed by <paramref name="time"/>.</summary>
    public SimulatedGpioDriver(SimulationOptions options, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        _options = options;
        _time = time;
    }

    /// <summary>The simulated locks.</summary>
    public IReadOnlyCollection<SimulatedLock> Locks
    {
        get
        {
            lock (_gate)
                return [.. _locksByActuator.Values];
        }
    }

    /// <summary>Level changes of all pins so far (bounces included).</summary>
    public long Transitions
    {
        get
        {
            lock (_gate)
                return _transitions;
        }
    }

    protected override int PinCount => _options.PinCount;

    /// <summary>Models a lock on <paramref name="actuatorPin"/> with its sensor contact on <paramref name="sensorPin"/>.</summary>
    public SimulatedLock AddLock(int actuatorPin, int sensorPin, bool sensorActiveLow)
    {
        List<PendingCallback> fire;
        SimulatedLock simulated;
        lock (_gate)
        {
            CheckPin(actuatorPin);
            CheckPin(sensorPin);
            simulated = new SimulatedLock(this, actuatorPin, sensorPin, sensorActiveLow, _options.StartLocked);
            if (!_locksByActuator.TryAdd(actuatorPin, simulated))
                throw new ArgumentException($"Pin {actuatorPin} already drives a simulated lock.", nameof(actuatorPin));
            fire = DriveLocked(sensorPin, simulated.SensorLevelFor(simulated.IsLocked));
        }
        Fire(fire);
        return simulated;
    }

    /// <summary>The lock whose actuator is <paramref name="actuatorPin"/>.</summary>
    public SimulatedLock GetLock(int actuatorPin)
    {
        lock (_gate)
            return _locksByActuator.TryGetValue(actuatorPin, out SimulatedLock? found)
                ? found
                : throw new ArgumentException($"No simulated lock on pin {actuatorPin}.", nameof(actuatorPin));
    }

    /// <summary>Models an item-present contact on <paramref name="pin"/> (pulling low while present when <paramref name="activeLow"/>).</summary>
    public void AddItemSensor(int pin, bool activeLow, bool present)
    {
        List<PendingCallback> fire;
        lock (_gate)
        {
            CheckPin(pin);
            _itemActiveLow[pin] = activeLow;
            fire = DriveLocked(pin, present != activeLow);
        }
        Fire(fire);
    }

    /// <summary>Puts an item in, or takes it out of, the slot whose item sensor is <paramref name="pin"/> (the contact bounces).</summary>
    public void SetItemPresent(int pin, bool present)
    {
        bool level;
        lock (_gate)
        {
            if (!_itemActiveLow.TryGetValue(pin, out bool activeLow))
                throw new ArgumentException($"No simulated item sensor on pin {pin}.", nameof(pin));
            level = present != activeLow;
        }
        DriveWithBounce(pin, level);
    }

    /// <summary>Drives an input pin to a level at once, without bounce (a generic external signal).</summary>
    public void SetInput(int pin, PinValue level)
    {
        List<PendingCallback> fire;
        lock (_gate)
        {
            CheckPin(pin);
            fire = DriveLocked(pin, level == PinValue.High);
        }
        Fire(fire);
    }

    internal void SetJammed(SimulatedLock simulated, bool jammed)
    {
        lock (_gate)
            simulated.IsJammed = jammed;
    }

    internal void MoveLatch(SimulatedLock simulated, bool locked)
    {
        lock (_gate)
        {
            if (simulated.IsLocked == locked)
                return;
            simulated.IsLocked = locked;
            simulated.Moves++;
        }
        DriveWithBounce(simulated.SensorPin, simulated.SensorLevelFor(locked));
    }

    // ---- GpioDriver ----

    protected override void OpenPin(int pinNumber)
    {
        lock (_gate)
        {
            CheckPin(pinNumber);
            SimPin pin = PinLocked(pinNumber);
            pin.Open = true;
        }
    }

    protected override void ClosePin(int pinNumber)
    {
        lock (_gate)
        {
            SimPin pin = PinLocked(pinNumber);
            pin.Open = false;
            pin.Mode = PinMode.Input;
            pin.Callbacks.Clear();
        }
    }

    protected override void SetPinMode(int pinNumber, PinMode mode) => SetMode(pinNumber, mode, null);

    protected override void SetPinMode(int pinNumber, PinMode mode, PinValue initialValue) => SetMode(pinNumber, mode, initialValue);

    protected override PinMode GetPinMode(int pinNumber)
    {
        lock (_gate)
            return PinLocked(pinNumber).Mode;
    }

    protected override bool IsPinModeSupported(int pinNumber, PinMode mode) => pinNumber >= 0 && pinNumber < PinCount;

    protected override PinValue Read(int pinNumber)
    {
        lock (_gate)
            return LevelLocked(PinLocked(pinNumber)) ? PinValue.High : PinValue.Low;
    }

    protected override void Write(int pinNumber, PinValue value)
    {
        List<PendingCallback> fire;
        lock (_gate)
        {
            SimPin pin = PinLocked(pinNumber);
            if (pin.Mode != PinMode.Output)
                throw new InvalidOperationException($"Pin {pinNumber} is not an output (mode {pin.Mode}).");
            fire = SetOutputLocked(pin, value == PinValue.High);
        }
        Fire(fire);
    }

    protected override WaitForEventResult WaitForEvent(int pinNumber, PinEventTypes eventTypes, CancellationToken cancellationToken)
    {
        using var signal = new ManualResetEventSlim();
        PinEventTypes seen = PinEventTypes.None;
        void Handler(object sender, PinValueChangedEventArgs e)
        {
            seen = e.ChangeType;
            signal.Set();
        }
        AddCallbackForPinValueChangedEvent(pinNumber, eventTypes, Handler);
        try
        {
            signal.Wait(cancellationToken);
            return new WaitForEventResult { EventTypes = seen, TimedOut = false };
        }
        catch (OperationCanceledException)
        {
            return new WaitForEventResult { EventTypes = PinEventTypes.None, TimedOut = true };
        }
        finally
        {
            RemoveCallbackForPinValueChangedEvent(pinNumber, Handler);
        }
    }

    protected override void AddCallbackForPinValueChangedEvent(int pinNumber, PinEventTypes eventTypes, PinChangeEventHandler callback)
    {
        lock (_gate)
            PinLocked(pinNumber).Callbacks.Add((eventTypes, callback));
    }

    protected override void RemoveCallbackForPinValueChangedEvent(int pinNumber, PinChangeEventHandler callback)
    {
        lock (_gate)
            PinLocked(pinNumber).Callbacks.RemoveAll(c => c.Handler == callback);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            List<ITimer> timers;
            lock (_gate)
            {
                _disposed = true;
                timers = [.. _timers];
                _timers.Clear();
            }
            foreach (ITimer timer in timers)
                timer.Dispose();
        }
        base.Dispose(disposing);
    }

    // ---- the model ----

    private void SetMode(int pinNumber, PinMode mode, PinValue? initialValue)
    {
        List<PendingCallback> fire = [];
        lock (_gate)
        {
            SimPin pin = PinLocked(pinNumber);
            if (mode == PinMode.Output)
            {
                bool before = LevelLocked(pin);
                pin.Mode = mode;
                if (initialValue is { } v)
                    pin.Output = v == PinValue.High;
                fire = ChangedLocked(pin, before);
                if (!before && pin.Output)
                    OnEnergisedLocked(pinNumber);
            }
            else
            {
                bool before = LevelLocked(pin);
                pin.Mode = mode;
                fire = ChangedLocked(pin, before);
            }
        }
        Fire(fire);
    }

    private List<PendingCallback> SetOutputLocked(SimPin pin, bool high)
    {
        bool before = LevelLocked(pin);
        pin.Output = high;
        List<PendingCallback> fire = ChangedLocked(pin, before);
        if (!before && high)
            OnEnergisedLocked(pin.Number);
        return fire;
    }

    /// <summary>An actuator went high: if it still is after the minimum pulse, its latch moves (unless jammed).</summary>
    private void OnEnergisedLocked(int actuatorPin)
    {
        if (!_locksByActuator.TryGetValue(actuatorPin, out SimulatedLock? simulated))
            return;
        simulated.Energised++;
        int pulse = simulated.Energised;
        After(TimeSpan.FromMilliseconds(_options.MinimumPulseMilliseconds), () =>
        {
            lock (_gate)
            {
                // Released early or energised again since: this pulse was too short.
                if (pulse != simulated.Energised || !_pins[actuatorPin].Output || simulated.IsJammed)
                    return;
            }
            After(TimeSpan.FromMilliseconds(_options.MechanicalDelayMilliseconds), () =>
            {
                bool target;
                lock (_gate)
                {
                    if (simulated.IsJammed)
                        return;
                    simulated.IsLocked = !simulated.IsLocked;
                    simulated.Moves++;
                    target = simulated.IsLocked;
                }
                DriveWithBounce(simulated.SensorPin, simulated.SensorLevelFor(target));
            });
        });
    }

    /// <summary>Drives <paramref name="pinNumber"/> to <paramref name="final"/> through BounceCount flips, one every BounceInterval.</summary>
    private void DriveWithBounce(int pinNumber, bool final)
    {
        List<PendingCallback> fire;
        int flips = _options.BounceIntervalMilliseconds > 0 ? _options.BounceCount * 2 : 0;
        int generation;
        lock (_gate)
        {
            SimPin pin = PinLocked(pinNumber);
            pin.Generation++;
            generation = pin.Generation;
            fire = DriveLocked(pinNumber, final);
        }
        Fire(fire);

        // Each flip is scheduled from the one before, so the flips cannot run out of order on a real clock
        // (separate timers 2 ms apart can) and the contact always settles at the final level.
        void Flip(int k)
        {
            if (k > flips)
                return;
            bool level = k % 2 == 0 ? final : !final;
            After(TimeSpan.FromMilliseconds(_options.BounceIntervalMilliseconds), () =>
            {
                List<PendingCallback> bounce;
                lock (_gate)
                {
                    // A newer movement of this contact replaces the rest of this bounce.
                    if (_pins[pinNumber].Generation != generation)
                        return;
                    bounce = DriveLocked(pinNumber, level);
                }
                Fire(bounce);
                Flip(k + 1);
            });
        }

        Flip(1);
    }

    private void After(TimeSpan delay, Action action)
    {
        if (delay <= TimeSpan.Zero)
        {
            action();
            return;
        }
        lock (_gate)
        {
            if (_disposed)
                return;
            ITimer? timer = null;
            timer = _time.CreateTimer(_ =>
            {
                lock (_gate)
                {
                    if (_disposed)
                        return;
                    _timers.Remove(timer!);
                }
                timer!.Dispose();
                action();
            }, null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
            _timers.Add(timer);
            timer.Change(delay, Timeout.InfiniteTimeSpan);
        }
    }

    private List<PendingCallback> DriveLocked(int pinNumber, bool level)
    {
        SimPin pin = PinLocked(pinNumber);
        bool before = LevelLocked(pin);
        pin.Driven = level;
        return ChangedLocked(pin, before);
    }

    private List<PendingCallback> ChangedLocked(SimPin pin, bool before)
    {
        bool after = LevelLocked(pin);
        if (after == before)
            return [];
        _transitions++;
        PinEventTypes type = after ? PinEventTypes.Rising : PinEventTypes.Falling;
        return [.. pin.Callbacks.Where(c => pin.Open && (c.Types & type) != 0).Select(c => new PendingCallback(c.Handler, new PinValueChangedEventArgs(type, pin.Number)))];
    }

    private static bool LevelLocked(SimPin pin) => pin.Mode switch
    {
        PinMode.Output => pin.Output,
        PinMode.InputPullUp => pin.Driven ?? true,
        _ => pin.Driven ?? false,
    };

    private void Fire(List<PendingCallback> callbacks)
    {
        foreach (PendingCallback callback in callbacks)
            callback.Handler(this, callback.Args);
    }

    private SimPin PinLocked(int pinNumber)
    {
        CheckPin(pinNumber);
        if (!_pins.TryGetValue(pinNumber, out SimPin? pin))
        {
            pin = new SimPin(pinNumber);
            _pins[pinNumber] = pin;
        }
        return pin;
    }

    private void CheckPin(int pinNumber)
    {
        if (pinNumber < 0 || pinNumber >= PinCount)
            throw new ArgumentOutOfRangeException(nameof(pinNumber), pinNumber, $"The simulated controller has pins 0..{PinCount - 1}.");
    }

    private readonly record struct PendingCallback(PinChangeEventHandler Handler, PinValueChangedEventArgs Args);

    private sealed class SimPin(int number)
    {
        public int Number { get; } = number;

        public bool Open { get; set; }

        public PinMode Mode { get; set; } = PinMode.Input;

        public bool Output { get; set; }

        public bool? Driven { get; set; }

        public int Generation { get; set; }

        public List<(PinEventTypes Types, PinChangeEventHandler Handler)> Callbacks { get; } = [];
    }
}
