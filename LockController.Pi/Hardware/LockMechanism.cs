using System.Device.Gpio;
using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Hardware;

/// <summary>
/// One lock (a bike's, or a kiosk slot's) as the rest of the firmware sees it: an actuator and a debounced lock
/// sensor. <see cref="ActuateAsync"/> pulses the actuator unless the sensor already reports the commanded state,
/// then waits up to the confirm timeout after the pulse for the sensor to report it. When it does not, the lock is
/// <see cref="LockState.Jammed"/>: that is returned, counted, logged, and <see cref="Sensed"/> stays jammed until the
/// sensor next changes or an actuation is confirmed.
/// </summary>
public sealed class LockMechanism : IDisposable
{
    private readonly LockActuator _actuator;
    private readonly DebouncedInput _sensor;
    private readonly bool _activeLow;
    private readonly TimeSpan _confirmTimeout;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _stateGate = new();
    private TaskCompletionSource<LockState>? _waiter;
    private LockState _waitingFor;
    private bool _jammed;
    private long _actuations;
    private long _confirmed;
    private long _jams;
    private long _alreadyThere;

    /// <summary>A lock over its actuator and sensor (owned: disposed with it).</summary>
    /// <param name="name">How logs name it: <c>lock</c>, <c>slot 3</c>.</param>
    /// <param name="actuator">The actuator.</param>
    /// <param name="sensor">The lock sensor.</param>
    /// <param name="sensorActiveLow">True when the sensor reads low while locked.</param>
    /// <param name="confirmTimeout">How long after the pulse the sensor has to confirm.</param>
    /// <param name="time">The clock.</param>
    /// <param name="logger">The log.</param>
    public LockMechanism(string name, LockActuator actuator, DebouncedInput sensor, bool sensorActiveLow, TimeSpan confirmTimeout, TimeProvider time, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(actuator);
        ArgumentNullException.ThrowIfNull(sensor);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(confirmTimeout, TimeSpan.Zero);
        Name = name;
        _actuator = actuator;
        _sensor = sensor;
        _activeLow = sensorActiveLow;
        _confirmTimeout = confirmTimeout;
        _time = time;
        _logger = logger;
        _sensor.Changed += OnSensorChanged;
    }

    /// <summary>How logs name this lock.</summary>
    public string Name { get; }

    /// <summary>The actuator (its pin and pulse counters).</summary>
    public LockActuator Actuator => _actuator;

    /// <summary>The lock sensor (its pin and edge counters).</summary>
    public DebouncedInput Sensor => _sensor;

    /// <summary>
    /// What the sensor says: <see cref="LockState.Locked"/> or <see cref="LockState.Unlocked"/>;
    /// <see cref="LockState.Unknown"/> until the sensor has settled after start; <see cref="LockState.Jammed"/>
    /// after an actuation the sensor did not confirm, until the sensor changes.
    /// </summary>
    public LockState Sensed
    {
        get
        {
            lock (_stateGate)
                return _jammed ? LockState.Jammed : FromSensor(_sensor.Value);
        }
    }

    /// <summary>Actuations that pulsed the actuator.</summary>
    public long Actuations => Interlocked.Read(ref _actuations);

    /// <summary>Actuations the sensor confirmed in time.</summary>
    public long Confirmed => Interlocked.Read(ref _confirmed);

    /// <summary>Actuations the sensor did not confirm in time (reported <see cref="LockState.Jammed"/>).</summary>
    public long Jams => Interlocked.Read(ref _jams);

    /// <summary>Actuations not pulsed because the sensor already reported the commanded state.</summary>
    public long AlreadyThere => Interlocked.Read(ref _alreadyThere);

    /// <summary>Raised when <see cref="Sensed"/> changes (from the sensor or to <see cref="LockState.Jammed"/>).</summary>
    public event EventHandler<LockState>? SensedChanged;

    /// <summary>
    /// Moves the lock to the state <paramref name="action"/> asks for and returns what the sensor then says: the
    /// commanded state, or <see cref="LockState.Jammed"/> when the sensor has not confirmed it within the confirm
    /// timeout after the pulse. One actuation runs at a time; others wait. Cancellation stops the pulse (the pin
    /// goes low) or the wait and throws.
    /// </summary>
    public async Task<LockState> ActuateAsync(LockAction action, CancellationToken cancellationToken)
    {
        LockState target = action == LockAction.Unlock ? LockState.Unlocked : LockState.Locked;
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            TaskCompletionSource<LockState> waiter;
            lock (_stateGate)
            {
                if (!_jammed && FromSensor(_sensor.Value) == target)
                {
                    Interlocked.Increment(ref _alreadyThere);
                    Log.LockAlreadyThere(_logger, Name, target);
                    return target;
                }
                waiter = new TaskCompletionSource<LockState>(TaskCreationOptions.RunContinuationsAsynchronously);
                _waiter = waiter;
                _waitingFor = target;
            }
            try
            {
                Interlocked.Increment(ref _actuations);
                await _actuator.PulseAsync(cancellationToken).ConfigureAwait(false);
                try
                {
                    await waiter.Task.WaitAsync(_confirmTimeout, _time, cancellationToken).ConfigureAwait(false);
                }
                catch (TimeoutException)
                {
                    return Jam(target);
                }
            }
            finally
            {
                lock (_stateGate)
                    _waiter = null;
            }
            Interlocked.Increment(ref _confirmed);
            Log.LockConfirmed(_logger, Name, target);
            return target;
        }
        finally
        {
            _gate.Release();
        }
    }

    private LockState Jam(LockState target)
    {
        bool changed;
        LockState sensor;
        lock (_stateGate)
        {
            sensor = FromSensor(_sensor.Value);
            if (sensor == target)
            {
                // Confirmed in the instant the timeout fired.
                return target;
            }
            changed = !_jammed;
            _jammed = true;
        }
        Interlocked.Increment(ref _jams);
        Log.LockJammed(_logger, Name, target, sensor, _confirmTimeout.TotalMilliseconds);
        if (changed)
            SensedChanged?.Invoke(this, LockState.Jammed);
        return LockState.Jammed;
    }

    private void OnSensorChanged(object? sender, PinValue value)
    {
        LockState state = FromSensor(value);
        lock (_stateGate)
        {
            // Any settled change of the sensor is news about the lock: a jam is over once it moves.
            _jammed = false;
            if (_waiter is not null && state == _waitingFor)
                _waiter.TrySetResult(state);
        }
        Log.LockSensed(_logger, Name, state);
        SensedChanged?.Invoke(this, state);
    }

    private LockState FromSensor(PinValue? value) => value switch
    {
        null => LockState.Unknown,
        { } v => (v == PinValue.Low) == _activeLow ? LockState.Locked : LockState.Unlocked,
    };

    /// <summary>Leaves the actuator low and releases both pins.</summary>
    public void Dispose()
    {
        _sensor.Changed -= OnSensorChanged;
        _actuator.Dispose();
        _sensor.Dispose();
        _gate.Dispose();
    }
}
