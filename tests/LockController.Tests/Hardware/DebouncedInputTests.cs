using System.Device.Gpio;
using IoTPlatform.LockController.Pi.Hardware;
using IoTPlatform.LockController.Pi.Hardware.Simulated;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Hardware;

/// <summary>Debouncing on the simulated driver's pin-change callbacks.</summary>
[TestFixture]
public sealed class DebouncedInputTests
{
    private const int Pin = 26;
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(30);

    private FakeTimeProvider _time = null!;
    private SimulationOptions _simulation = null!;
    private SimulatedGpioDriver _driver = null!;
    private GpioController _controller = null!;
    private DebouncedInput _input = null!;
    private List<PinValue> _changes = null!;

    [SetUp]
    public async Task SetUp()
    {
        _time = new FakeTimeProvider();
        _simulation = new SimulationOptions { BounceCount = 5, BounceIntervalMilliseconds = 2 };
        _driver = new SimulatedGpioDriver(_simulation, _time);
        _driver.AddItemSensor(Pin, activeLow: true, present: false);
        _controller = new GpioController(_driver);
        _input = new DebouncedInput(_controller, Pin, Debounce, _time, NullLogger.Instance);
        _changes = [];
        await _time.PassAsync(Debounce * 2);
        _input.Changed += (_, value) => _changes.Add(value);
    }

    [TearDown]
    public void TearDown()
    {
        _input.Dispose();
        _controller.Dispose();
        _driver.Dispose(); // already disposed by the controller; twice is harmless
    }

    [Test]
    public void The_pull_up_holds_the_open_contact_high()
    {
        Assert.That(_input.Value, Is.EqualTo(PinValue.High));
    }

    [Test]
    public async Task A_bouncing_contact_gives_exactly_one_debounced_change()
    {
        long edgesBefore = _input.Edges;

        _driver.SetItemPresent(Pin, present: true);
        await _time.PassAsync(Debounce * 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_input.Edges - edgesBefore, Is.EqualTo(2 * _simulation.BounceCount + 1), "every flip reached the callback");
            Assert.That(_changes, Is.EqualTo(new[] { PinValue.Low }));
            Assert.That(_input.Value, Is.EqualTo(PinValue.Low));
        }
    }

    [Test]
    public async Task The_value_changes_only_after_the_level_held_for_the_debounce_time()
    {
        _driver.SetInput(Pin, PinValue.Low);
        await _time.PassAsync(Debounce - TimeSpan.FromMilliseconds(10));
        PinValue? before = _input.Value;
        await _time.PassAsync(TimeSpan.FromMilliseconds(20));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(before, Is.EqualTo(PinValue.High));
            Assert.That(_input.Value, Is.EqualTo(PinValue.Low));
        }
    }

    [Test]
    public async Task A_glitch_shorter_than_the_debounce_time_is_ignored()
    {
        _driver.SetInput(Pin, PinValue.Low);
        await _time.PassAsync(TimeSpan.FromMilliseconds(10));
        _driver.SetInput(Pin, PinValue.High);
        await _time.PassAsync(Debounce * 3);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(_changes, Is.Empty);
            Assert.That(_input.Value, Is.EqualTo(PinValue.High));
            Assert.That(_input.Edges, Is.EqualTo(2));
        }
    }
}
