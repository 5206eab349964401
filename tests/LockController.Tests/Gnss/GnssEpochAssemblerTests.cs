using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Tests.Gnss;

[TestFixture]
public sealed class GnssEpochAssemblerTests
{
    private static List<GnssFix> Run(params string[] bodies)
    {
        var decoder = new NmeaDecoder();
        var fixes = new List<GnssFix>();
        foreach (string body in bodies)
            decoder.Write(System.Text.Encoding.ASCII.GetBytes(Nmea.Sentence(body) + "\r\n"), fixes);
        decoder.Complete(fixes);
        return fixes;
    }

    private static string Gga(string time, int quality = 1, string alt = "545.4") =>
        $"GPGGA,{time},4807.038,N,01131.000,E,{quality},08,0.9,{alt},M,46.9,M,,";

    private static string Rmc(string time, string date, string status = "A") =>
        $"GPRMC,{time},{status},4807.038,N,01131.000,E,022.4,084.4,{date},003.1,W,A";

    [Test]
    public void An_epoch_merges_its_sentences_into_one_fix()
    {
        GnssFix fix = Run(Gga("123519.00"), "GPGSA,A,3,04,05,,09,12,,,24,,,,,2.5,1.3,2.1", Rmc("123519.00", "230394")).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fix.Time, Is.EqualTo(new DateTimeOffset(1994, 3, 23, 12, 35, 19, TimeSpan.Zero)));
            Assert.That(fix.Latitude, Is.EqualTo(48 + (7.038 / 60)).Within(1e-9));
            Assert.That(fix.Longitude, Is.EqualTo(11 + (31.0 / 60)).Within(1e-9));
            Assert.That(fix.Mode, Is.EqualTo(GnssFixMode.ThreeD));
            Assert.That(fix.AltitudeMsl, Is.EqualTo(545.4).Within(1e-9));
            Assert.That(fix.SpeedMps, Is.EqualTo(22.4 * 1852 / 3600).Within(1e-9));
            Assert.That(fix.CourseDeg, Is.EqualTo(84.4).Within(1e-9));
            Assert.That(fix.SatellitesUsed, Is.EqualTo(8), "GGA's count");
            Assert.That(fix.Hdop, Is.EqualTo(0.9).Within(1e-9), "GGA's HDOP");
        }
    }

    [Test]
    public void Gsa_mode_2_makes_a_2d_fix_without_altitude()
    {
        GnssFix fix = Run(Gga("123519"), "GPGSA,A,2,04,05,09,,,,,,,,,,2.5,1.3,2.1", Rmc("123519", "230394")).Single();
        Assert.That((fix.Mode, fix.AltitudeMsl), Is.EqualTo((GnssFixMode.TwoD, (double?)null)));
    }

    [Test]
    public void Rmc_alone_is_a_2d_fix() =>
        Assert.That(Run(Rmc("123519", "230394")).Single().Mode, Is.EqualTo(GnssFixMode.TwoD));

    [Test]
    public void Any_position_sentence_reporting_no_fix_means_no_fix()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Run(Gga("123519"), Rmc("123519", "230394", status: "V")), Is.Empty, "RMC V");
            Assert.That(Run(Gga("123519", quality: 0), Rmc("123519", "230394")), Is.Empty, "GGA quality 0");
            Assert.That(Run(Gga("123519", quality: 6), Rmc("123519", "230394")), Is.Empty, "GGA estimated");
            Assert.That(Run(Gga("123519"), "GPGSA,A,1,,,,,,,,,,,,,,,", Rmc("123519", "230394")), Is.Empty, "GSA mode 1");
        }
    }

    [Test]
    public void The_best_gsa_mode_over_constellations_counts()
    {
        GnssFix fix = Run(Gga("123519"), "GPGSA,A,3,04,05,09,12,,,,,,,,,2.5,1.3,2.1,1", "BDGSA,A,1,,,,,,,,,,,,,,,,4", Rmc("123519", "230394")).Single();
        Assert.That(fix.Mode, Is.EqualTo(GnssFixMode.ThreeD));
    }

    [Test]
    public void Without_a_date_the_fix_has_a_time_of_day_only_and_the_date_carries_over_midnight()
    {
        List<GnssFix> fixes = Run(Gga("235959"), Gga("235959.5"), Rmc("235959.5", "311299"), Gga("000000.5"), Gga("000001.5"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(fixes, Has.Count.EqualTo(4));
            Assert.That(fixes[0].Time, Is.Null);
            Assert.That(fixes[0].TimeOfDay, Is.EqualTo(new TimeSpan(23, 59, 59)));
            Assert.That(fixes[1].Time, Is.EqualTo(new DateTimeOffset(1999, 12, 31, 23, 59, 59, 500, TimeSpan.Zero)));
            Assert.That(fixes[2].Time, Is.EqualTo(new DateTimeOffset(2000, 1, 1, 0, 0, 0, 500, TimeSpan.Zero)));
            Assert.That(fixes[3].Time, Is.EqualTo(new DateTimeOffset(2000, 1, 1, 0, 0, 1, 500, TimeSpan.Zero)));
        }
    }

    [Test]
    public void Zda_gives_the_date()
    {
        GnssFix fix = Run(Gga("031517.00"), "GPZDA,031517.00,10,08,2006,00,00").Single();
        Assert.That(fix.Time, Is.EqualTo(new DateTimeOffset(2006, 8, 10, 3, 15, 17, TimeSpan.Zero)));
    }

    [Test]
    public void A_torn_epoch_missing_the_cycle_end_gives_no_fix()
    {
        // The receiver's cycle is GGA, RMC: RMC ends it. The third epoch lost its RMC.
        List<GnssFix> fixes = Run(
            Gga("120000"), Rmc("120000", "010120"),
            Gga("120001"), Rmc("120001", "010120"),
            Gga("120002"),
            Gga("120003"), Rmc("120003", "010120"));
        Assert.That(string.Join(",", fixes.Select(f => f.TimeOfDay.Seconds)), Is.EqualTo("0,1,3"));
    }

    [Test]
    public void A_changed_sentence_set_is_learned_after_one_epoch()
    {
        // RMC is switched off: the epoch at :02 is judged torn, GGA becomes a cycle end from then on.
        List<GnssFix> fixes = Run(
            Gga("120000"), Rmc("120000", "010120"),
            Gga("120001"), Rmc("120001", "010120"),
            Gga("120002"), Gga("120003"), Gga("120004"));
        Assert.That(string.Join(",", fixes.Select(f => f.TimeOfDay.Seconds)), Is.EqualTo("0,1,3,4"));
    }
}
