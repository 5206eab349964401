using IoTPlatform.LockController.Pi.Hardware;
using IoTPlatform.LockController.Pi.Hardware.Battery;

namespace IoTPlatform.LockController.Tests.Hardware;

/// <summary>Each rule of the pin map check, with the message naming the setting.</summary>
[TestFixture]
public sealed class HardwareOptionsValidatorTests
{
    private static IReadOnlyList<string> Errors(HardwareOptions options, int? pinCount = 28) => HardwareOptionsValidator.Validate(options, pinCount);

    [Test]
    public void The_test_pin_maps_are_valid()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Errors(TestPinMaps.Bike()), Is.Empty);
            Assert.That(Errors(TestPinMaps.Kiosk(4)), Is.Empty);
        }
    }

    [Test]
    public void A_pin_used_twice_names_both_settings()
    {
        HardwareOptions options = TestPinMaps.Kiosk(2);
        options.Slots[1].LockSensorPin = options.Slots[0].ActuatorPin;

        Assert.That(Errors(options), Is.EqualTo(new[] { "Hardware:Slots:1:LockSensorPin = 17 is already used by Hardware:Slots:0:ActuatorPin." }));
    }

    [TestCase(28)]
    [TestCase(40)]
    [TestCase(-1)]
    public void A_pin_the_controller_does_not_have_is_rejected(int pin)
    {
        HardwareOptions options = TestPinMaps.Bike();
        options.Lock.SensorPin = pin;

        Assert.That(Errors(options), Is.EqualTo(new[] { $"Hardware:Lock:SensorPin = {pin} does not exist: the GPIO controller has pins 0..27 (BCM numbering)." }));
    }

    [Test]
    public void Before_the_controller_is_open_only_negative_pins_are_known_not_to_exist()
    {
        HardwareOptions options = TestPinMaps.Bike();
        options.Lock.SensorPin = 40;

        Assert.That(Errors(options, pinCount: null), Is.Empty);
    }

    [TestCase(14)]
    [TestCase(2)]
    public void A_pin_of_the_uart_or_i2c_bus_is_reserved(int pin)
    {
        HardwareOptions options = TestPinMaps.Bike();
        options.Lock.ActuatorPin = pin;
        HardwareOptions unreserved = TestPinMaps.Bike();
        unreserved.Lock.ActuatorPin = pin;
        unreserved.ReserveUartAndI2cPins = false;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Errors(options), Has.Count.EqualTo(1).And.One.StartsWith($"Hardware:Lock:ActuatorPin = {pin} is reserved (Hardware:ReserveUartAndI2cPins"));
            Assert.That(Errors(unreserved), Is.Empty);
        }
    }

    [Test]
    public void A_configured_reserved_pin_is_rejected()
    {
        HardwareOptions options = TestPinMaps.Bike();
        options.ReservedPins.Add(TestPinMaps.BikeSensor);

        Assert.That(Errors(options), Has.One.Contains("Hardware:Lock:SensorPin = 27 is reserved").And.Contains("Hardware:ReservedPins"));
    }

    [TestCase(new[] { 1, 3 }, "Hardware:Slots:1:N = 3: slots must be numbered 1..2, each once, without gaps.")]
    [TestCase(new[] { 0, 1 }, "Hardware:Slots:0:N = 0: slots must be numbered 1..2, each once, without gaps.")]
    [TestCase(new[] { 1, 1 }, "Hardware:Slots:1:N = 1: slots must be numbered 1..2, each once, without gaps.")]
    public void Slot_numbers_must_be_1_to_n(int[] numbers, string message)
    {
        HardwareOptions options = TestPinMaps.Kiosk(2);
        for (int i = 0; i < numbers.Length; i++)
            options.Slots[i].N = numbers[i];

        Assert.That(Errors(options), Is.EqualTo(new[] { message }));
    }

    [Test]
    public void Slots_may_be_listed_in_any_order()
    {
        HardwareOptions options = TestPinMaps.Kiosk(2);
        (options.Slots[0].N, options.Slots[1].N) = (2, 1);

        Assert.That(Errors(options), Is.Empty);
    }

    [TestCase("PulseMilliseconds")]
    [TestCase("DebounceMilliseconds")]
    [TestCase("ConfirmTimeoutMilliseconds")]
    public void Times_must_be_positive(string setting)
    {
        HardwareOptions options = TestPinMaps.Bike();
        typeof(LockOptions).GetProperty(setting)!.SetValue(options.Lock, 0);

        Assert.That(Errors(options), Is.EqualTo(new[] { $"Hardware:Lock:{setting} must be positive (is 0)." }));
    }

    [Test]
    public void A_kiosk_without_slots_is_rejected()
    {
        HardwareOptions options = TestPinMaps.Kiosk(2);
        options.Slots.Clear();

        Assert.That(Errors(options), Is.EqualTo(new[] { "Hardware:Slots: a umbrella-kiosk needs at least one slot." }));
    }

    [Test]
    public void A_kiosk_with_bike_lock_pins_is_rejected()
    {
        HardwareOptions options = TestPinMaps.Kiosk(1);
        options.Lock.ActuatorPin = 4;

        Assert.That(Errors(options), Has.One.StartsWith("Hardware:Lock:ActuatorPin is for bikes"));
    }

    [Test]
    public void A_bike_with_slots_is_rejected()
    {
        HardwareOptions options = TestPinMaps.Bike();
        options.Slots.Add(new SlotOptions { N = 1, ActuatorPin = 22, LockSensorPin = 5, ItemSensorPin = 26 });

        Assert.That(Errors(options), Is.EqualTo(new[] { "Hardware:Slots: a bike has no slots (found 1); set Hardware:Kind to a kiosk kind or remove them." }));
    }

    [Test]
    public void A_missing_pin_is_required()
    {
        HardwareOptions options = TestPinMaps.Kiosk(1);
        options.Slots[0].ItemSensorPin = null;
        HardwareOptions bike = TestPinMaps.Bike();
        bike.Lock.SensorPin = null;

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Errors(options), Is.EqualTo(new[] { "Hardware:Slots:0:ItemSensorPin is required." }));
            Assert.That(Errors(bike), Is.EqualTo(new[] { "Hardware:Lock:SensorPin is required." }));
        }
    }

    [Test]
    public void An_unknown_kind_is_rejected()
    {
        HardwareOptions options = TestPinMaps.Bike();
        options.Kind = "scooter";

        Assert.That(Errors(options), Is.EqualTo(new[] { "Hardware:Kind = 'scooter' is not one of bike, umbrella-kiosk, charger-kiosk." }));
    }

    [Test]
    public void The_battery_source_must_have_what_it_needs()
    {
        HardwareOptions sysfs = TestPinMaps.Bike();
        sysfs.Battery = new BatteryOptions { Source = BatterySourceKind.Sysfs };
        HardwareOptions adc = TestPinMaps.Bike();
        adc.Battery = new BatteryOptions { Source = BatterySourceKind.Ads1115, Channel = 4, FullScaleMillivolts = 5000, I2cAddress = 0x20, DividerRatio = 0.5 };
        HardwareOptions range = TestPinMaps.Bike();
        range.Battery = new BatteryOptions { MinMillivolts = 8400, MaxMillivolts = 6000 };

        using (Assert.EnterMultipleScope())
        {
            Assert.That(Errors(sysfs), Is.EqualTo(new[] { "Hardware:Battery:Path is required when Hardware:Battery:Source is sysfs." }));
            Assert.That(Errors(adc), Is.EqualTo(new[]
            {
                "Hardware:Battery:Channel = 4: the ADS1115 has inputs 0..3.",
                "Hardware:Battery:FullScaleMillivolts = 5000 is not one of 6144, 4096, 2048, 1024, 512, 256.",
                "Hardware:Battery:I2cAddress = 32: an ADS1115 answers at 72..75 (0x48..0x4B).",
                "Hardware:Battery:DividerRatio = 0.5 must be at least 1.",
            }));
            Assert.That(Errors(range), Has.One.StartsWith("Hardware:Battery:MinMillivolts (8400) must be at least 0 and below Hardware:Battery:MaxMillivolts (6000)"));
        }
    }

    [Test]
    public void Every_problem_is_reported_at_once()
    {
        HardwareOptions options = TestPinMaps.Bike();
        options.Lock.PulseMilliseconds = -1;
        options.Lock.SensorPin = options.Lock.ActuatorPin;

        Assert.That(() => HardwareOptionsValidator.ThrowIfInvalid(options, 28),
            Throws.TypeOf<HardwareConfigurationException>().With.Property(nameof(HardwareConfigurationException.Errors)).Count.EqualTo(2)
                .And.Message.Contains("Hardware:Lock:PulseMilliseconds").And.Message.Contains("Hardware:Lock:SensorPin = 17 is already used by Hardware:Lock:ActuatorPin"));
    }
}
