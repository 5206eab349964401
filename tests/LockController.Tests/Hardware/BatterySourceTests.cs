using System.Globalization;
using IoTPlatform.LockController.Pi.Hardware.Battery;
using IoTPlatform.LockController.Tests.Support;

namespace IoTPlatform.LockController.Tests.Hardware;

/// <summary>The sysfs and simulated battery sources: parsing, errors counted, the last good level kept.</summary>
[TestFixture]
[SetCulture("de-DE")]
public sealed class BatterySourceTests
{
    private string _dir = null!;
    private string _file = null!;
    private RecordingLogger<BatterySource> _logger = null!;

    [SetUp]
    public void SetUp()
    {
        _dir = Directory.CreateTempSubdirectory("battery-").FullName;
        _file = Path.Combine(_dir, "voltage_now");
        _logger = new RecordingLogger<BatterySource>();
    }

    [TearDown]
    public void TearDown() => Directory.Delete(_dir, recursive: true);

    private SysfsBatterySource Sysfs(BatteryValueUnit unit) =>
        new(new BatteryOptions { Source = BatterySourceKind.Sysfs, Path = _file, Unit = unit, MinMillivolts = 6000, MaxMillivolts = 8400 }, _logger);

    [TestCase("7200\n", BatteryValueUnit.Millivolts, 50, 7200)]
    [TestCase("8400", BatteryValueUnit.Millivolts, 100, 8400)]
    [TestCase("9000", BatteryValueUnit.Millivolts, 100, 9000)]
    [TestCase("5000", BatteryValueUnit.Millivolts, 0, 5000)]
    [TestCase("7800000\n", BatteryValueUnit.Microvolts, 75, 7800)]
    [TestCase(" 87 \n", BatteryValueUnit.Percent, 87, null)]
    public async Task A_good_value_gives_percent_and_voltage(string text, BatteryValueUnit unit, int percent, int? millivolts)
    {
        await File.WriteAllTextAsync(_file, text);
        SysfsBatterySource source = Sysfs(unit);

        BatteryReading reading = await source.ReadAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reading, Is.EqualTo(new BatteryReading(percent, millivolts, null)));
            Assert.That(reading.IsFresh, Is.True);
            Assert.That(source.Errors, Is.Zero);
        }
    }

    [TestCase("garbage")]
    [TestCase("7,2")]
    [TestCase("7200 mV")]
    [TestCase("")]
    [TestCase("-5")]
    [TestCase("99999999999999999999")]
    public async Task Garbage_is_an_error_that_keeps_the_last_good_level(string garbage)
    {
        SysfsBatterySource source = Sysfs(BatteryValueUnit.Millivolts);
        await File.WriteAllTextAsync(_file, "7200");
        await source.ReadAsync(CancellationToken.None);
        await File.WriteAllTextAsync(_file, garbage);

        BatteryReading reading = await source.ReadAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(reading.Error, Is.Not.Null.And.Not.Empty);
            Assert.That(reading.Percent, Is.EqualTo(50));
            Assert.That(reading.Millivolts, Is.EqualTo(7200));
            Assert.That(source.Errors, Is.EqualTo(1));
            Assert.That(source.Reads, Is.EqualTo(2));
            Assert.That(_logger.Count(230), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_missing_file_is_an_error_logged_once_and_recovery_is_logged()
    {
        SysfsBatterySource source = Sysfs(BatteryValueUnit.Percent);

        BatteryReading first = await source.ReadAsync(CancellationToken.None);
        BatteryReading second = await source.ReadAsync(CancellationToken.None);
        await File.WriteAllTextAsync(_file, "40");
        BatteryReading third = await source.ReadAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(first.Error, Does.Contain(_file));
            Assert.That(first.Percent, Is.Null, "no good level yet");
            Assert.That(second.IsFresh, Is.False);
            Assert.That(third, Is.EqualTo(new BatteryReading(40, null, null)));
            Assert.That(source.Errors, Is.EqualTo(2));
            Assert.That(_logger.Count(230), Is.EqualTo(1), "the same error is logged once, not at every read");
            Assert.That(_logger.Count(231), Is.EqualTo(1));
        }
    }

    [Test]
    public void Parse_uses_the_invariant_culture()
    {
        Assert.That(CultureInfo.CurrentCulture.Name, Is.EqualTo("de-DE"));
        Assert.That(SysfsBatterySource.Parse("1.000", BatteryValueUnit.Millivolts).Error, Is.Not.Null, "no thousands separator");
    }

    [Test]
    public async Task The_simulated_battery_reads_what_it_is_set_to_and_can_fail()
    {
        var source = new SimulatedBatterySource(new BatteryOptions { SimulatedMillivolts = 8400 }, _logger);

        BatteryReading full = await source.ReadAsync(CancellationToken.None);
        source.Millivolts = 6240;
        BatteryReading low = await source.ReadAsync(CancellationToken.None);
        source.Failure = "gauge unplugged";
        BatteryReading failed = await source.ReadAsync(CancellationToken.None);

        using (Assert.EnterMultipleScope())
        {
            Assert.That(full.Percent, Is.EqualTo(100));
            Assert.That(low.Percent, Is.EqualTo(10));
            Assert.That(failed, Is.EqualTo(new BatteryReading(10, 6240, "gauge unplugged")));
            Assert.That(source.Errors, Is.EqualTo(1));
        }
    }
}
