using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent;
using IoTPlatform.LockController.Pi.Agent.Telemetry;
using IoTPlatform.LockController.Pi.Hardware;
using IoTPlatform.LockController.Pi.Hardware.Battery;
using IoTPlatform.LockController.Pi.Hardware.Simulated;
using IoTPlatform.LockController.Tests.Hardware;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using GnssFix = IoTPlatform.LockController.Pi.Gnss.GnssFix;
using GnssFixMode = IoTPlatform.LockController.Pi.Gnss.GnssFixMode;

namespace IoTPlatform.LockController.Tests.Agent;

/// <summary>
/// The telemetry loop on simulated hardware and fake time: boot event, the adaptive schedule, and each event rule
/// driven by the simulated lock, battery, kiosk slot and published fixes.
/// </summary>
[TestFixture]
public sealed class TelemetryServiceTests
{
    private const double Lat = 52.5200, Lon = 13.4050, MetresPerDegree = 111_195;
    private static readonly TimeSpan RealWait = TimeSpan.FromSeconds(5);

    private FakeTimeProvider _time = null!;
    private RecordingLoggerFactory _loggers = null!;
    private RecordingWriter _writer = null!;
    private PositionFeed _positions = null!;
    private LockHardware _hardware = null!;
    private TelemetryService _service = null!;
    private TelemetryOptions _options = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 23, 8, 0, 0, TimeSpan.Zero));
        _loggers = new RecordingLoggerFactory();
        _writer = new RecordingWriter(_time);
        _positions = new PositionFeed(_time);
        _options = new TelemetryOptions { MovingIntervalSeconds = 5, ParkedIntervalSeconds = 300, MotionThresholdMeters = 50, LowBatteryPercent = 20, BatteryCheckSeconds = 60 };
    }

    [TearDown]
    public async Task TearDown()
    {
        if (_service is not null)
        {
            await _service.StopAsync(CancellationToken.None);
            _service.Dispose();
        }
        _hardware?.Dispose();
        _loggers.Dispose();
    }

    private async Task StartAsync(HardwareOptions hardware)
    {
        _hardware = HardwareFactory.Create(hardware, _time, _loggers);
        _service = new TelemetryService(_hardware, _positions, _writer, Options.Create(_options), new FirmwareInfo("1.2.3", "restart"), _time,
            new RecordingLogger<TelemetryService>());
        await _service.StartAsync(CancellationToken.None);
        // Sensors settle (debounce) and the first reading goes.
        await _time.PassAsync(TimeSpan.FromMilliseconds(200));
        Assert.That(await Eventually.HoldsAsync(() => _writer.Readings.Count >= 1, RealWait), Is.True, "the first reading");
    }

    private SimulatedLock BikeLock => _hardware.Simulator!.GetLock(TestPinMaps.BikeActuator);

    private static async Task<bool> EventuallyAsync(Func<bool> condition) => await Eventually.HoldsAsync(condition, RealWait);

    [Test]
    public async Task Boot_event_first_then_a_reading_with_the_settled_lock_and_the_battery()
    {
        await StartAsync(TestPinMaps.Bike());
        object[] records = [.. _writer.Records];
        var boot = (DeviceEvent)records[0];
        Reading first = _writer.Readings[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(boot.Type, Is.EqualTo(EventType.Boot));
            Assert.That(boot.Fw, Is.EqualTo("1.2.3"));
            Assert.That(boot.Reason, Is.EqualTo("restart"));
            Assert.That(first.Lock, Is.EqualTo(LockState.Locked));
            Assert.That(first.Battery, Is.EqualTo(new BatteryOptions().ToPercent(8000)));
            Assert.That(first.Fix, Is.EqualTo(DeviceProtocol.GnssFix.None), "no GNSS fix yet");
            Assert.That(first.Lat, Is.Null);
            Assert.That(first.Slots, Is.Null, "a bike");
            Assert.That(_writer.EventsOf(EventType.LockChanged), Is.Empty, "the first settle is not a change");
        }
    }

    [Test]
    public async Task A_parked_bike_reports_every_parked_interval()
    {
        await StartAsync(TestPinMaps.Bike());
        _time.Advance(TimeSpan.FromSeconds(290));
        await Task.Delay(200);
        Assert.That(_writer.Readings, Has.Count.EqualTo(1), "not yet due at 290 s");
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.That(await EventuallyAsync(() => _writer.Readings.Count == 2), Is.True, "due at 300 s");
    }

    [Test]
    public async Task Unlocking_sends_lock_changed_at_once_and_readings_every_moving_interval()
    {
        await StartAsync(TestPinMaps.Bike());
        BikeLock.MoveByHand(locked: false);
        await _time.PassAsync(TimeSpan.FromMilliseconds(300));
        Assert.That(await EventuallyAsync(() => _writer.EventsOf(EventType.LockChanged).Count == 1), Is.True);
        Assert.That(_writer.EventsOf(EventType.LockChanged)[0].Lock, Is.EqualTo(LockState.Unlocked));
        // The first reading was taken a moment ago: the next is due 5 s after it, not 300 s.
        for (int expected = 2; expected <= 3; expected++)
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            Assert.That(await EventuallyAsync(() => _writer.Readings.Count >= expected), Is.True, $"reading {expected}");
        }
        Assert.That(_writer.Readings[^1].Lock, Is.EqualTo(LockState.Unlocked));
    }

    [Test]
    public async Task A_jammed_actuation_sends_one_jammed_event()
    {
        await StartAsync(TestPinMaps.Bike());
        BikeLock.Jam();
        LockState result = await _time.RunAsync(_hardware.Lock!.ActuateAsync(LockAction.Unlock, CancellationToken.None), TimeSpan.FromSeconds(10));
        Assert.That(result, Is.EqualTo(LockState.Jammed));
        Assert.That(await EventuallyAsync(() => _writer.EventsOf(EventType.Jammed).Count == 1), Is.True);
        DeviceEvent jammed = _writer.EventsOf(EventType.Jammed)[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(jammed.Lock, Is.EqualTo(LockState.Jammed));
            Assert.That(_writer.EventsOf(EventType.LockChanged), Is.Empty);
        }
    }

    [Test]
    public async Task A_locked_bike_carried_away_sends_motion_while_locked_once()
    {
        await StartAsync(TestPinMaps.Bike());
        _positions.Publish(Fix(Lat, Lon));
        _positions.Publish(Fix(Lat + 20 / MetresPerDegree, Lon));
        _positions.Publish(Fix(Lat + 120 / MetresPerDegree, Lon, speed: 1.5));
        _positions.Publish(Fix(Lat + 300 / MetresPerDegree, Lon, speed: 1.5));
        Assert.That(await EventuallyAsync(() => _writer.EventsOf(EventType.MotionWhileLocked).Count == 1), Is.True);
        DeviceEvent motion = _writer.EventsOf(EventType.MotionWhileLocked)[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(motion.Distance, Is.EqualTo(120).Within(1));
            Assert.That(motion.Lat, Is.EqualTo(Lat + 120 / MetresPerDegree).Within(1e-9));
            Assert.That(motion.Lock, Is.EqualTo(LockState.Locked));
            Assert.That(_service.IsActive, Is.True, "moving at 1.5 m/s: the moving interval applies while locked too");
        }
        await Task.Delay(100);
        Assert.That(_writer.EventsOf(EventType.MotionWhileLocked), Has.Count.EqualTo(1), "once per locked episode");
    }

    [Test]
    public async Task Readings_carry_the_latest_fresh_fix()
    {
        await StartAsync(TestPinMaps.Bike());
        BikeLock.MoveByHand(locked: false);
        await _time.PassAsync(TimeSpan.FromMilliseconds(300));
        _positions.Publish(Fix(Lat, Lon, speed: 4.2) with { AltitudeMsl = 34.5, CourseDeg = 87.5, Hdop = 0.9, SatellitesUsed = 9 });
        int before = _writer.Readings.Count;
        _time.Advance(TimeSpan.FromSeconds(5));
        Assert.That(await EventuallyAsync(() => _writer.Readings.Count > before), Is.True);
        Reading reading = _writer.Readings[^1];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(reading.Lat, Is.EqualTo(Lat));
            Assert.That(reading.Lon, Is.EqualTo(Lon));
            Assert.That(reading.Alt, Is.EqualTo(34.5));
            Assert.That(reading.Speed, Is.EqualTo(4.2));
            Assert.That(reading.Course, Is.EqualTo(87.5));
            Assert.That(reading.Sats, Is.EqualTo(9));
            Assert.That(reading.Fix, Is.EqualTo(DeviceProtocol.GnssFix.ThreeD));
        }
        // Older than FixMaxAgeSeconds (10): no position any more.
        _time.Advance(TimeSpan.FromSeconds(11));
        Assert.That(await EventuallyAsync(() => _writer.Readings[^1].Fix == DeviceProtocol.GnssFix.None), Is.True);
        Assert.That(_writer.Readings[^1].Lat, Is.Null);
    }

    [Test]
    public async Task A_falling_battery_sends_low_battery_once()
    {
        await StartAsync(TestPinMaps.Bike());
        var battery = (SimulatedBatterySource)_hardware.Battery;
        battery.Millivolts = 6200; // 8 %
        _time.Advance(TimeSpan.FromSeconds(61));
        Assert.That(await EventuallyAsync(() => _writer.EventsOf(EventType.LowBattery).Count == 1), Is.True, "found at the next battery check, though no reading is due");
        Assert.That(_writer.EventsOf(EventType.LowBattery)[0].Battery, Is.EqualTo(8));
        battery.Millivolts = 6150;
        _time.Advance(TimeSpan.FromSeconds(61));
        await Task.Delay(200);
        Assert.That(_writer.EventsOf(EventType.LowBattery), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_kiosk_reports_its_slots_and_a_slot_change()
    {
        await StartAsync(TestPinMaps.Kiosk(slots: 2));
        Reading first = _writer.Readings[0];
        Assert.That(first.Slots!.Select(s => (s.N, s.State)), Is.EqualTo(new[] { (1, SlotState.Occupied), (2, SlotState.Occupied) }));
        _hardware.Simulator!.SetItemPresent(26, present: false);
        await _time.PassAsync(TimeSpan.FromMilliseconds(200));
        Assert.That(await EventuallyAsync(() => _writer.EventsOf(EventType.SlotChanged).Count == 1), Is.True);
        DeviceEvent changed = _writer.EventsOf(EventType.SlotChanged)[0];
        using (Assert.EnterMultipleScope())
        {
            Assert.That(changed.Slot, Is.EqualTo(1));
            Assert.That(changed.SlotState, Is.EqualTo(SlotState.Empty));
            Assert.That(first.Lock, Is.Null, "a kiosk has no bike lock");
        }
    }

    private GnssFix Fix(double lat, double lon, double speed = 0) =>
        new(_time.GetUtcNow().TimeOfDay, _time.GetUtcNow(), lat, lon, GnssFixMode.ThreeD) { SpeedMps = speed };
}
