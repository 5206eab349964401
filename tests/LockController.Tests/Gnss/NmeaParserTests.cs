using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Tests.Gnss;

[TestFixture]
public sealed class NmeaParserTests
{
    private const double Eps = 1e-9;

    [Test]
    public void Gga_gives_time_position_quality_satellites_hdop_and_altitude()
    {
        NmeaSentence s = Nmea.Parse("$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(s.Type, Is.EqualTo(NmeaSentenceType.Gga));
            Assert.That(s.Talker, Is.EqualTo(NmeaTalker.Gps));
            Assert.That(s.TimeOfDay, Is.EqualTo(new TimeSpan(3, 7, 19)));
            Assert.That(s.Latitude, Is.EqualTo(-(37 + (47.0873 / 60))).Within(Eps));
            Assert.That(s.Longitude, Is.EqualTo(175 + (18.8938 / 60)).Within(Eps));
            Assert.That(s.Validity, Is.EqualTo(NmeaValidity.Valid));
            Assert.That(s.SatellitesUsed, Is.EqualTo(8));
            Assert.That(s.Hdop, Is.EqualTo(1.1).Within(Eps));
            Assert.That(s.AltitudeMsl, Is.EqualTo(59.9).Within(Eps));
        }
    }

    [TestCase("0", NmeaValidity.Invalid)]
    [TestCase("1", NmeaValidity.Valid)]
    [TestCase("2", NmeaValidity.Valid)]
    [TestCase("4", NmeaValidity.Valid)]
    [TestCase("6", NmeaValidity.Invalid)]
    [TestCase("8", NmeaValidity.Invalid)]
    [TestCase("", NmeaValidity.Unknown)]
    public void Gga_quality_decides_validity(string quality, NmeaValidity expected) =>
        Assert.That(Nmea.Parse(Nmea.Sentence($"GPGGA,120000.00,4807.038,N,01131.000,E,{quality},08,0.9,545.4,M,46.9,M,,")).Validity, Is.EqualTo(expected));

    [Test]
    public void Rmc_gives_status_speed_in_metres_per_second_course_and_date()
    {
        NmeaSentence s = Nmea.Parse("$GPRMC,030719.000,A,3747.0873,S,17518.8938,E,0.69,181.39,311214,,,A*7D");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(s.Type, Is.EqualTo(NmeaSentenceType.Rmc));
            Assert.That(s.Validity, Is.EqualTo(NmeaValidity.Valid));
            Assert.That(s.SpeedMps, Is.EqualTo(0.69 * 1852 / 3600).Within(Eps));
            Assert.That(s.CourseDeg, Is.EqualTo(181.39).Within(Eps));
            Assert.That(s.Date, Is.EqualTo(new DateOnly(2014, 12, 31)));
        }
    }

    [TestCase("V", "A", NmeaValidity.Invalid)]
    [TestCase("A", "E", NmeaValidity.Invalid)]
    [TestCase("A", "N", NmeaValidity.Invalid)]
    [TestCase("A", "D", NmeaValidity.Valid)]
    [TestCase("A", "", NmeaValidity.Valid)]
    public void Rmc_status_and_mode_indicator_decide_validity(string status, string mode, NmeaValidity expected) =>
        Assert.That(Nmea.Parse(Nmea.Sentence($"GNRMC,001031.00,{status},4404.13993,N,12118.86023,W,0.146,,100117,,,{mode}")).Validity, Is.EqualTo(expected));

    [Test]
    public void Rmc_dates_before_1980_read_as_this_century() =>
        Assert.That(Nmea.Parse(Nmea.Sentence("GPRMC,000000,A,0000.000,N,00000.000,E,,,010179,,")).Date, Is.EqualTo(new DateOnly(2079, 1, 1)));

    [Test]
    public void Gsa_gives_mode_satellites_used_and_hdop()
    {
        NmeaSentence s = Nmea.Parse("$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*33");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(s.GsaMode, Is.EqualTo(3));
            Assert.That(s.SatellitesUsed, Is.EqualTo(8));
            Assert.That(s.Hdop, Is.EqualTo(1.1).Within(Eps));
            Assert.That(s.TimeOfDay, Is.Null);
        }
    }

    [Test]
    public void Gsv_gives_satellites_in_view() =>
        Assert.That(Nmea.Parse("$GPGSV,3,1,12,17,72,207,32,28,59,095,31,06,35,347,25,01,29,132,23*7B").SatellitesInView, Is.EqualTo(12));

    [Test]
    public void Vtg_in_both_layouts_gives_course_and_speed()
    {
        NmeaSentence modern = Nmea.Parse("$GPVTG,39.37,T,,M,0.084,N,0.156,K,A*0D");
        NmeaSentence old = Nmea.Parse(Nmea.Sentence("GPVTG,054.7,034.4,005.5,010.2"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(modern.CourseDeg, Is.EqualTo(39.37).Within(Eps));
            Assert.That(modern.SpeedMps, Is.EqualTo(0.084 * 1852 / 3600).Within(Eps));
            Assert.That(modern.Validity, Is.EqualTo(NmeaValidity.Valid));
            Assert.That(old.CourseDeg, Is.EqualTo(54.7).Within(Eps));
            Assert.That(old.SpeedMps, Is.EqualTo(5.5 * 1852 / 3600).Within(Eps));
        }
    }

    [Test]
    public void Gll_gives_position_time_and_status()
    {
        NmeaSentence s = Nmea.Parse("$GPGLL,4907.56818,N,12242.61064,W,031518.00,A,A*7F");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(s.Latitude, Is.EqualTo(49 + (7.56818 / 60)).Within(Eps));
            Assert.That(s.Longitude, Is.EqualTo(-(122 + (42.61064 / 60))).Within(Eps));
            Assert.That(s.TimeOfDay, Is.EqualTo(new TimeSpan(3, 15, 18)));
            Assert.That(s.Validity, Is.EqualTo(NmeaValidity.Valid));
        }
    }

    [Test]
    public void Gns_with_a_fix_in_any_system_is_valid()
    {
        NmeaSentence s = Nmea.Parse(Nmea.Sentence("GNGNS,074156.799,3114.8874,N,12135.2470,E,NA,10,0.9,41.2,8.8,,"));
        NmeaSentence none = Nmea.Parse(Nmea.Sentence("GNGNS,074156.799,,,,,NN,0,,,,,"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(s.Type, Is.EqualTo(NmeaSentenceType.Gns));
            Assert.That(s.Validity, Is.EqualTo(NmeaValidity.Valid));
            Assert.That(s.SatellitesUsed, Is.EqualTo(10));
            Assert.That(s.AltitudeMsl, Is.EqualTo(41.2).Within(Eps));
            Assert.That(s.TimeOfDay, Is.EqualTo(new TimeSpan(0, 7, 41, 56, 799)));
            Assert.That(none.Validity, Is.EqualTo(NmeaValidity.Invalid));
            Assert.That(none.Latitude, Is.Null);
        }
    }

    [Test]
    public void Zda_gives_date_and_time()
    {
        NmeaSentence s = Nmea.Parse("$GPZDA,031517.00,10,08,2006,00,00*6A");
        Assert.That((s.Date, s.TimeOfDay), Is.EqualTo((new DateOnly(2006, 8, 10), (TimeSpan?)new TimeSpan(3, 15, 17))));
    }

    [TestCase("GP", NmeaTalker.Gps)]
    [TestCase("GL", NmeaTalker.Glonass)]
    [TestCase("GA", NmeaTalker.Galileo)]
    [TestCase("GB", NmeaTalker.BeiDou)]
    [TestCase("BD", NmeaTalker.BeiDou)]
    [TestCase("GQ", NmeaTalker.Qzss)]
    [TestCase("GN", NmeaTalker.MultiGnss)]
    [TestCase("QZ", NmeaTalker.Unknown)]
    public void Talkers_are_recognised_and_unknown_ones_tolerated(string talker, NmeaTalker expected)
    {
        NmeaSentence s = Nmea.Parse(Nmea.Sentence($"{talker}GGA,120000.00,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,"));
        Assert.That((s.Talker, s.Type, s.Latitude.HasValue), Is.EqualTo((expected, NmeaSentenceType.Gga, true)));
    }

    [Test]
    public void Fractions_of_any_length_are_kept()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Nmea.Parse(Nmea.Sentence("GPZDA,143748.77,12,10,2007,,")).TimeOfDay, Is.EqualTo(new TimeSpan(0, 14, 37, 48, 770)));
            Assert.That(Nmea.Parse(Nmea.Sentence("GPZDA,143748.1234567,12,10,2007,,")).TimeOfDay!.Value.Ticks % TimeSpan.TicksPerSecond, Is.EqualTo(1234567));
        }
    }

    [Test]
    public void Lower_case_checksum_digits_are_accepted() =>
        Assert.That(Nmea.Parse("$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*33").GsaMode, Is.EqualTo(3));

    [Test]
    public void Trailing_line_end_and_leading_blank_are_tolerated() =>
        Assert.That(Nmea.Parse(" $GPGLL,4907.56818,N,12242.61064,W,031518.00,A,A*7F\r\n").Latitude, Is.Not.Null);
}
