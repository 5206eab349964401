using System.Globalization;
using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Tests.Gnss;

/// <summary>
/// Every capture against gpsd's own output, both ways: each epoch where gpsd's last TPV has a fix
/// (mode ≥ 2) has our fix with the same latitude and longitude (1e-6°) at the same UTC time of day; each of
/// our fixes is at an epoch where gpsd's last TPV has mode ≥ 2 (none where gpsd had mode 1 or no TPV).
/// </summary>
[TestFixture]
public sealed class GpsdComparisonTests
{
    private const double Tolerance = 1e-6;

    [Test]
    public void All_18_captures_and_their_gpsd_output_are_there()
    {
        string[] logs = TestData.NmeaCaptures().Select(c => (string)c.Arguments[0]!).ToArray();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(logs, Has.Length.EqualTo(18));
            Assert.That(logs.Where(l => !File.Exists(TestData.Nmea(l + ".chk"))), Is.Empty);
        }
    }

    [TestCaseSource(typeof(TestData), nameof(TestData.NmeaCaptures))]
    public void Fixes_match_gpsd(string capture) => CompareWithGpsd(capture, chunkSize: 4096);

    [TestCaseSource(typeof(TestData), nameof(TestData.NmeaCaptures))]
    public void Fixes_match_gpsd_under_a_foreign_culture_and_byte_by_byte_reads(string capture)
    {
        CultureInfo saved = CultureInfo.CurrentCulture;
        CultureInfo savedUi = CultureInfo.CurrentUICulture;
        try
        {
            CultureInfo.CurrentCulture = CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("de-DE");
            Assert.That((1.5).ToString(CultureInfo.CurrentCulture), Is.EqualTo("1,5"), "de-DE must really be in force");
            CompareWithGpsd(capture, chunkSize: 1);
        }
        finally
        {
            CultureInfo.CurrentCulture = saved;
            CultureInfo.CurrentUICulture = savedUi;
        }
    }

    private static void CompareWithGpsd(string capture, int chunkSize)
    {
        GpsdReference gpsd = GpsdReference.Load(TestData.Nmea(capture + ".chk"));
        (List<GnssFix> fixes, _) = CaptureDecoding.Decode(TestData.Nmea(capture), chunkSize);
        var ours = fixes.ToDictionary(f => GpsdReference.RoundToMs(f.TimeOfDay));
        var gpsdFixes = gpsd.Epochs.Where(e => e.Value.IsFix).ToList();

        using (Assert.EnterMultipleScope())
        {
            Assert.That(gpsd.TpvCount, Is.GreaterThan(0), "gpsd reported nothing: wrong file?");
            Assert.That(ours, Has.Count.EqualTo(fixes.Count), "one fix per epoch");
            Assert.That(gpsd.Unassigned.Where(t => t.Lat.HasValue), Is.Empty, "gpsd positions that belong to no epoch");
            foreach ((TimeSpan time, GpsdTpv tpv) in gpsdFixes)
            {
                if (!ours.TryGetValue(time, out GnssFix? fix))
                {
                    Assert.Fail($"{capture}: gpsd has a mode {tpv.Mode} fix at {time}, we have none");
                    continue;
                }
                Assert.That(fix.Latitude, Is.EqualTo(tpv.Lat!.Value).Within(Tolerance), $"{capture} {time} latitude");
                Assert.That(fix.Longitude, Is.EqualTo(tpv.Lon!.Value).Within(Tolerance), $"{capture} {time} longitude");
            }
            foreach (GnssFix fix in fixes)
            {
                TimeSpan time = GpsdReference.RoundToMs(fix.TimeOfDay);
                bool gpsdHasFix = gpsd.Epochs.TryGetValue(time, out GpsdTpv? tpv) && tpv.IsFix;
                Assert.That(gpsdHasFix, Is.True, $"{capture}: we report a fix at {time}, gpsd's last TPV is {(tpv is null ? "absent" : $"mode {tpv.Mode}")}");
            }
        }
        TestContext.Out.WriteLine($"{capture}: gpsd fix epochs {gpsdFixes.Count}, ours {fixes.Count}");
    }
}
