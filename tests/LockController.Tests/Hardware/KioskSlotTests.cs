using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Hardware;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Hardware;

/// <summary>A two-slot umbrella kiosk on the simulated driver.</summary>
[TestFixture]
public sealed class KioskSlotTests
{
    private static readonly TimeSpan MaxVirtual = TimeSpan.FromSeconds(10);

    private FakeTimeProvider _time = null!;
    private HardwareOptions _options = null!;
    private LockHardware _kiosk = null!;

    [SetUp]
    public async Task SetUp()
    {
        _time = new FakeTimeProvider();
        _options = TestPinMaps.Kiosk(slots: 2);
        _kiosk = HardwareFactory.Create(_options, _time, NullLoggerFactory.Instance);
        await _time.PassAsync(_options.Lock.Debounce * 2);
    }

    [TearDown]
    public void TearDown() => _kiosk.Dispose();

    private int ItemPin(int slot) => _options.Slots[slot - 1].ItemSensorPin!.Value;

    [Test]
    public void Slots_start_secured_with_their_items()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(_kiosk.Lock, Is.Null);
            Assert.That(_kiosk.Slots.Select(s => s.Number), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(_kiosk.Slots.Select(s => s.State), Is.All.EqualTo(SlotState.Occupied));
            Assert.That(_kiosk.Slot(3), Is.Null);
            Assert.That(_kiosk.Slot(0), Is.Null);
        }
    }

    [Test]
    public async Task Release_opens_one_slot_and_the_rider_takes_the_item()
    {
        KioskSlot slot = _kiosk.Slot(1)!;

        LockState released = await _time.RunAsync(slot.ReleaseAsync(CancellationToken.None), MaxVirtual);
        SlotState afterRelease = slot.State;
        _kiosk.Simulator!.SetItemPresent(ItemPin(1), present: false);
        await _time.PassAsync(_options.Lock.Debounce * 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(released, Is.EqualTo(LockState.Unlocked));
            Assert.That(afterRelease, Is.EqualTo(SlotState.Released));
            Assert.That(slot.Item.Present, Is.False);
            Assert.That(slot.State, Is.EqualTo(SlotState.Released));
            Assert.That(_kiosk.Slot(2)!.State, Is.EqualTo(SlotState.Occupied), "the other slot did not move");
        }
    }

    [Test]
    public async Task Secure_after_the_item_left_makes_the_slot_empty_and_a_returned_item_occupied()
    {
        KioskSlot slot = _kiosk.Slot(2)!;
        await _time.RunAsync(slot.ReleaseAsync(CancellationToken.None), MaxVirtual);
        _kiosk.Simulator!.SetItemPresent(ItemPin(2), present: false);
        await _time.PassAsync(_options.Lock.Debounce * 3);

        LockState secured = await _time.RunAsync(slot.SecureAsync(CancellationToken.None), MaxVirtual);
        SlotState empty = slot.State;
        _kiosk.Simulator.SetItemPresent(ItemPin(2), present: true);
        await _time.PassAsync(_options.Lock.Debounce * 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(secured, Is.EqualTo(LockState.Locked));
            Assert.That(empty, Is.EqualTo(SlotState.Empty));
            Assert.That(slot.Item.Present, Is.True);
            Assert.That(slot.State, Is.EqualTo(SlotState.Occupied));
        }
    }

    [Test]
    public async Task A_jammed_slot_lock_is_a_fault()
    {
        KioskSlot slot = _kiosk.Slot(1)!;
        _kiosk.Simulator!.GetLock(_options.Slots[0].ActuatorPin!.Value).Jam();
        var states = new List<SlotState>();
        slot.StateChanged += (_, state) => states.Add(state);

        LockState result = await _time.RunAsync(slot.ReleaseAsync(CancellationToken.None), MaxVirtual);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(result, Is.EqualTo(LockState.Jammed));
            Assert.That(slot.State, Is.EqualTo(SlotState.Fault));
            Assert.That(states, Is.EqualTo(new[] { SlotState.Fault }));
        }
    }
}
