using IoTPlatform.LockController.Pi.Hardware.Battery;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Hardware;

/// <summary>The ADS1115 battery source against a register model of the chip.</summary>
[TestFixture]
public sealed class Ads1115BatterySourceTests
{
    private FakeTimeProvider _time = null!;
    private FakeAds1115 _chip = null!;
    private BatteryOptions _options = null!;
    private Ads1115BatterySource _source = null!;

    [SetUp]
    public void SetUp()
    {
        _time = new FakeTimeProvider();
        _chip = new FakeAds1115();
        _options = new BatteryOptions { Source = BatterySourceKind.Ads1115, Channel = 0, FullScaleMillivolts = 4096, DividerRatio = 3.0 };
        _source = new Ads1115BatterySource(_chip, _options, _time, NullLogger.Instance);
    }

    [TearDown]
    public void TearDown()
    {
        _source.Dispose();
        _chip.Dispose(); // the source disposed it already; twice is harmless
    }

    private Task<BatteryReading> ReadAsync() => _time.RunAsync(_source.ReadAsync(CancellationToken.None).AsTask(), TimeSpan.FromSeconds(1));

    [TestCase(0, 4096, 0xC383)]
    [TestCase(1, 4096, 0xD383)]
    [TestCase(3, 2048, 0xF583)]
    [TestCase(0, 6144, 0xC183)]
    public void The_config_word_starts_a_single_shot_conversion_of_one_input(int channel, int fullScale, int expected)
    {
        Assert.That(Ads1115BatterySource.BuildConfig(channel, fullScale), Is.EqualTo((ushort)expected));
    }

    [Test]
    public async Task A_conversion_is_scaled_by_the_range_and_the_divider()
    {
        // 2.6 V at the input: 2600 / 4096 × 32768 = 20800 counts; the pack is 3 × 2.6 V.
        _chip.Input = 20800;

        BatteryReading reading = await ReadAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reading, Is.EqualTo(new BatteryReading(75, 7800, null)));
            Assert.That(_chip.ConfigWrites, Is.EqualTo(new ushort[] { 0xC383 }));
        }
    }

    [Test]
    public async Task A_conversion_that_never_finishes_is_an_error()
    {
        _chip.Stuck = true;

        BatteryReading reading = await ReadAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reading.Error, Does.Contain("not ready"));
            Assert.That(_source.Errors, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_bus_error_is_an_error_that_keeps_the_last_good_level()
    {
        _chip.Input = 20800;
        await ReadAsync();
        _chip.BusError = new IOException("Remote I/O error");

        BatteryReading reading = await ReadAsync();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reading.Error, Does.Contain("Remote I/O error").And.Contain("0x48"));
            Assert.That(reading.Millivolts, Is.EqualTo(7800));
        }
    }

    [Test]
    public async Task A_negative_input_is_a_wiring_error()
    {
        _chip.Input = -200;

        BatteryReading reading = await ReadAsync();

        Assert.That(reading.Error, Does.Contain("negative"));
    }
}
