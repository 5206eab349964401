using System.Device.Gpio;
using System.Text.Json;
using System.Text.Json.Serialization;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Hardware;
using IoTPlatform.LockController.Pi.Hardware.Battery;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Hardware;

/// <summary>Building the hardware from options: the shipped pin map, simulated mode, and a clear failure without GPIO.</summary>
[TestFixture]
public sealed class HardwareFactoryTests
{
    private static readonly JsonSerializerOptions BinderLike = new()
    {
        PropertyNameCaseInsensitive = true,
        PreferredObjectCreationHandling = JsonObjectCreationHandling.Populate,
        Converters = { new JsonStringEnumConverter() },
    };

    private RecordingLoggerFactory _loggers = null!;

    [SetUp]
    public void SetUp() => _loggers = new RecordingLoggerFactory();

    [TearDown]
    public void TearDown() => _loggers.Dispose();

    /// <summary>The Hardware section of the shipped appsettings.json, read as the configuration binder reads it.</summary>
    private static HardwareOptions ShippedOptions()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "appsettings.json");
        using JsonDocument document = JsonDocument.Parse(File.ReadAllText(path));
        return document.RootElement.GetProperty(HardwareOptions.SectionName).Deserialize<HardwareOptions>(BinderLike)!;
    }

    [Test]
    public void The_shipped_pin_map_is_the_documented_bike_and_valid()
    {
        HardwareOptions options = ShippedOptions();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(options.Mode, Is.EqualTo(HardwareMode.Gpio));
            Assert.That(options.Kind, Is.EqualTo("bike"));
            Assert.That((options.Lock.ActuatorPin, options.Lock.SensorPin), Is.EqualTo((17, 27)), "hardware/pin-map.md");
            Assert.That(options.Battery.Source, Is.EqualTo(BatterySourceKind.Ads1115));
            Assert.That(HardwareOptionsValidator.Validate(options, pinCount: 28), Is.Empty);
        }
    }

    [Test]
    public async Task The_shipped_pin_map_runs_unchanged_on_simulated_hardware()
    {
        HardwareOptions options = ShippedOptions();
        options.Mode = HardwareMode.Simulated;
        var time = new FakeTimeProvider();

        using LockHardware hardware = HardwareFactory.Create(options, time, _loggers);
        await time.PassAsync(options.Lock.Debounce * 2);
        BatteryReading battery = await hardware.Battery.ReadAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(hardware.Kind, Is.EqualTo(DeviceKind.Bike));
            Assert.That(hardware.Lock!.Sensed, Is.EqualTo(LockState.Locked));
            Assert.That(hardware.Controller.GetPinMode(17), Is.EqualTo(PinMode.Output));
            Assert.That(hardware.Controller.Read(17), Is.EqualTo(PinValue.Low));
            Assert.That(hardware.Controller.GetPinMode(27), Is.EqualTo(PinMode.InputPullUp));
            Assert.That(battery.Percent, Is.EqualTo(83), "the ADC is simulated too: 8000 mV between 6000 and 8400");
            Assert.That(_loggers.Logger.Count(200), Is.EqualTo(1));
        }
    }

    [Test]
    public void A_pin_beyond_the_simulated_controller_fails_at_start_naming_the_setting()
    {
        HardwareOptions options = TestPinMaps.Bike();
        options.Simulation.PinCount = 20;

        Assert.That(() => HardwareFactory.Create(options, new FakeTimeProvider(), _loggers),
            Throws.TypeOf<HardwareConfigurationException>().With.Message.Contains("Hardware:Lock:SensorPin = 27 does not exist"));
        Assert.That(_loggers.Logger.Entries.Count(e => e.Id.Id == 201 && e.Level == LogLevel.Critical), Is.EqualTo(1));
    }

    [Test]
    public void An_invalid_pin_map_fails_before_any_pin_is_opened()
    {
        HardwareOptions options = TestPinMaps.Kiosk(2);
        options.Slots.Clear();

        Assert.That(() => HardwareFactory.Create(options, new FakeTimeProvider(), _loggers),
            Throws.TypeOf<HardwareConfigurationException>().With.Message.Contains("Hardware:Slots"));
    }

    [Test]
    public void Gpio_mode_without_a_gpio_chip_fails_with_a_clear_message()
    {
        Assume.That(Directory.Exists("/dev") && Directory.GetFiles("/dev", "gpiochip*").Length == 0, Is.True, "this machine has GPIO");
        HardwareOptions options = TestPinMaps.Bike();
        options.Mode = HardwareMode.Gpio;

        Assert.That(() => HardwareFactory.Create(options, TimeProvider.System, _loggers),
            Throws.TypeOf<HardwareConfigurationException>()
                .With.Message.StartsWith("Hardware:Mode = gpio, but no GPIO controller could be opened")
                .And.Message.Contains("Hardware:Mode=simulated")
                .And.Property(nameof(Exception.InnerException)).Not.Null);
    }
}
