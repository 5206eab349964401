using System.Device.Gpio;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Hardware;
using IoTPlatform.LockController.Pi.Hardware.Simulated;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Hardware;

/// <summary>A bike's lock on the simulated driver: actuate, confirm by the sensor, jam.</summary>
[TestFixture]
public sealed class LockMechanismTests
{
    private static readonly TimeSpan MaxVirtual = TimeSpan.FromSeconds(10);

    private FakeTimeProvider _time = null!;
    private RecordingLoggerFactory _loggers = null!;
    private HardwareOptions _options = null!;
    private LockHardware _hardware = null!;
    private LockMechanism _lock = null!;
    private SimulatedLock _simulated = null!;

    [SetUp]
    public async Task SetUp()
    {
        _time = new FakeTimeProvider();
        _loggers = new RecordingLoggerFactory();
        _options = TestPinMaps.Bike();
        _hardware = HardwareFactory.Create(_options, _time, _loggers);
        _lock = _hardware.Lock!;
        _simulated = _hardware.Simulator!.GetLock(TestPinMaps.BikeActuator);
        await _time.PassAsync(_options.Lock.Debounce * 2);
    }

    [TearDown]
    public void TearDown()
    {
        _hardware.Dispose();
        _loggers.Dispose();
    }

    private PinValue ActuatorLevel => _hardware.Controller.Read(TestPinMaps.BikeActuator);

    [Test]
    public void The_sensor_is_unknown_until_it_has_held_for_the_debounce_time()
    {
        using var hardware = HardwareFactory.Create(TestPinMaps.Bike(), new FakeTimeProvider(), _loggers);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(hardware.Lock!.Sensed, Is.EqualTo(LockState.Unknown));
            Assert.That(_lock.Sensed, Is.EqualTo(LockState.Locked), "settled after the debounce time");
        }
    }

    [Test]
    public async Task Unlock_pulses_the_actuator_and_the_sensor_confirms_unlocked()
    {
        var seen = new List<LockState>();
        _lock.SensedChanged += (_, state) => seen.Add(state);

        LockState result = await _time.RunAsync(_lock.ActuateAsync(LockAction.Unlock, CancellationToken.None), MaxVirtual);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(LockState.Unlocked));
            Assert.That(_lock.Sensed, Is.EqualTo(LockState.Unlocked));
            Assert.That(_simulated.IsLocked, Is.False);
            Assert.That(_simulated.Energised, Is.EqualTo(1));
            Assert.That(ActuatorLevel, Is.EqualTo(PinValue.Low));
            Assert.That(_lock.Actuations, Is.EqualTo(1));
            Assert.That(_lock.Confirmed, Is.EqualTo(1));
            Assert.That(_lock.Jams, Is.Zero);
            Assert.That(seen, Is.EqualTo(new[] { LockState.Unlocked }), "one debounced change despite the bouncing contact");
        }
    }

    [Test]
    public async Task Lock_after_unlock_is_confirmed_locked()
    {
        await _time.RunAsync(_lock.ActuateAsync(LockAction.Unlock, CancellationToken.None), MaxVirtual);

        LockState result = await _time.RunAsync(_lock.ActuateAsync(LockAction.Lock, CancellationToken.None), MaxVirtual);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(LockState.Locked));
            Assert.That(_simulated.IsLocked, Is.True);
            Assert.That(_simulated.Energised, Is.EqualTo(2));
            Assert.That(_lock.Confirmed, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task A_lock_already_in_the_commanded_state_is_not_pulsed()
    {
        LockState result = await _time.RunAsync(_lock.ActuateAsync(LockAction.Lock, CancellationToken.None), MaxVirtual);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(LockState.Locked));
            Assert.That(_simulated.Energised, Is.Zero, "a toggling latch pulsed now would open");
            Assert.That(_lock.AlreadyThere, Is.EqualTo(1));
            Assert.That(_lock.Actuations, Is.Zero);
        }
    }

    [Test]
    public async Task A_jammed_lock_reports_jammed_after_the_confirm_timeout_with_the_actuator_low()
    {
        _simulated.Jam();
        long start = _time.GetTimestamp();

        LockState result = await _time.RunAsync(_lock.ActuateAsync(LockAction.Unlock, CancellationToken.None), MaxVirtual);

        TimeSpan took = _time.GetElapsedTime(start);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(LockState.Jammed));
            Assert.That(took, Is.GreaterThanOrEqualTo(_options.Lock.Pulse + _options.Lock.ConfirmTimeout));
            Assert.That(ActuatorLevel, Is.EqualTo(PinValue.Low));
            Assert.That(_simulated.Energised, Is.EqualTo(1), "the actuator ran");
            Assert.That(_simulated.IsLocked, Is.True, "the latch did not move");
            Assert.That(_lock.Sensed, Is.EqualTo(LockState.Jammed));
            Assert.That(_lock.Jams, Is.EqualTo(1));
            Assert.That(_loggers.Logger.Entries.Count(e => e.Id.Id == 221 && e.Level == LogLevel.Warning), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_jam_ends_when_the_sensor_moves_again()
    {
        _simulated.Jam();
        await _time.RunAsync(_lock.ActuateAsync(LockAction.Unlock, CancellationToken.None), MaxVirtual);

        // A mechanic frees the latch and opens it by hand.
        _simulated.Free();
        _simulated.MoveByHand(locked: false);
        await _time.PassAsync(_options.Lock.Debounce * 3);

        Assert.That(_lock.Sensed, Is.EqualTo(LockState.Unlocked));
    }

    [Test]
    public async Task A_pulse_shorter_than_the_mechanism_needs_is_a_jam()
    {
        _hardware.Dispose();
        HardwareOptions options = TestPinMaps.Bike();
        options.Lock.PulseMilliseconds = 50;
        options.Simulation.MinimumPulseMilliseconds = 100;
        _hardware = HardwareFactory.Create(options, _time, _loggers);
        await _time.PassAsync(options.Lock.Debounce * 2);

        LockState result = await _time.RunAsync(_hardware.Lock!.ActuateAsync(LockAction.Unlock, CancellationToken.None), MaxVirtual);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(LockState.Jammed));
            Assert.That(_hardware.Simulator!.GetLock(TestPinMaps.BikeActuator).IsLocked, Is.True);
        }
    }

    [Test]
    public async Task Cancelling_during_the_pulse_leaves_the_actuator_low()
    {
        using var cts = new CancellationTokenSource();
        Task<LockState> actuation = _lock.ActuateAsync(LockAction.Unlock, cts.Token);
        await _time.PassAsync(TimeSpan.FromMilliseconds(20));
        PinValue during = ActuatorLevel;

        await cts.CancelAsync();

        Assert.That(async () => await actuation, Throws.InstanceOf<OperationCanceledException>());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(during, Is.EqualTo(PinValue.High));
            Assert.That(ActuatorLevel, Is.EqualTo(PinValue.Low));
            Assert.That(_lock.Actuator.Interrupted, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Two_actuations_run_one_after_the_other()
    {
        Task<LockState> first = _lock.ActuateAsync(LockAction.Unlock, CancellationToken.None);
        Task<LockState> second = _lock.ActuateAsync(LockAction.Lock, CancellationToken.None);

        LockState[] results = await _time.RunAsync(Task.WhenAll(first, second), MaxVirtual);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(results, Is.EqualTo(new[] { LockState.Unlocked, LockState.Locked }));
            Assert.That(_simulated.Energised, Is.EqualTo(2));
            Assert.That(ActuatorLevel, Is.EqualTo(PinValue.Low));
        }
    }

    [Test]
    public async Task Disposing_during_a_pulse_drops_the_actuator_before_the_latch_can_move()
    {
        Task pulse = _lock.Actuator.PulseAsync(CancellationToken.None);
        await _time.PassAsync(TimeSpan.FromMilliseconds(20));
        PinValue during = ActuatorLevel;

        _lock.Actuator.Dispose();
        await _time.PassAsync(TimeSpan.FromMilliseconds(500));
        await _time.RunAsync(pulse.ContinueWith(t => t.Status, TaskScheduler.Default), MaxVirtual);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(during, Is.EqualTo(PinValue.High));
            Assert.That(pulse.Status, Is.EqualTo(TaskStatus.RanToCompletion), "the pulse ends quietly");
            Assert.That(_hardware.Controller.IsPinOpen(TestPinMaps.BikeActuator), Is.False);
            Assert.That(_simulated.Moves, Is.Zero, "the pin went low before the minimum pulse");
            Assert.That(_simulated.IsLocked, Is.True);
        }
    }
}
