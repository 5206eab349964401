using System.Text;
using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Tests.Gnss;

/// <summary>Each way a line can be bad is rejected with its reason; real broken lines come from the captures.</summary>
[TestFixture]
public sealed class NmeaRejectTests
{
    private const string Good = "$GPGGA,030719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,0000*7D";

    [Test]
    public void A_wrong_checksum_is_rejected() =>
        Assert.That(Nmea.Reject(Good[..^2] + "7E"), Is.EqualTo(NmeaError.BadChecksum));

    [Test]
    public void A_changed_character_fails_the_checksum() =>
        Assert.That(Nmea.Reject(Good.Replace("3747.0873", "3747.0874", StringComparison.Ordinal)), Is.EqualTo(NmeaError.BadChecksum));

    [Test]
    public void The_bad_checksum_in_a_real_capture_is_rejected() =>
        Assert.That(Nmea.Reject("$GPGSV,3,3,11,24,51,098,,110,50,31,60,230,46*4B"), Is.EqualTo(NmeaError.BadChecksum));

    [Test]
    public void Comment_lines_are_rejected() =>
        Assert.That(Nmea.Reject("# Name: GlobalSat BU-353-S4 $GPGGA"), Is.EqualTo(NmeaError.Comment));

    [Test]
    public void Nul_bytes_are_rejected() =>
        Assert.That(Nmea.Reject("$GPGGA,0307\0" + Good[11..]), Is.EqualTo(NmeaError.NulByte));

    [Test]
    public void Binary_garbage_from_a_real_capture_is_rejected()
    {
        byte[] ubx = File.ReadAllBytes(TestData.Nmea("ublox-8.log"));
        int start = Array.IndexOf(ubx, (byte)0x82) - 3;
        bool ok = NmeaParser.TryParse(ubx.AsSpan(start, 40), out _, out NmeaError error);
        Assert.That((ok, error), Is.EqualTo((false, NmeaError.Garbage)));
    }

    [Test]
    public void Non_ascii_text_is_garbage_and_never_a_dollar() =>
        Assert.That(Nmea.Reject("\u0124GPGGA,1*00"), Is.EqualTo(NmeaError.Garbage));

    [Test]
    public void A_sentence_cut_off_in_a_real_capture_is_truncated() =>
        Assert.That(Nmea.Reject("$GPGGA,012530.562,4131.7353,N,09336.8150,W,0,00,50."), Is.EqualTo(NmeaError.Truncated));

    [Test]
    public void A_sentence_cut_inside_its_checksum_is_truncated() =>
        Assert.That(Nmea.Reject(Good[..^1]), Is.EqualTo(NmeaError.Truncated));

    [Test]
    public void Spliced_sentences_from_a_real_capture_are_rejected() =>
        Assert.That(Nmea.Reject("$GPGGA,030130$GPGLL,2638.1728,N,08011.3893,W,030131.000,A,A*41"), Is.EqualTo(NmeaError.Spliced));

    [Test]
    public void A_line_without_a_start_is_rejected() =>
        Assert.That(Nmea.Reject(Good[1..]), Is.EqualTo(NmeaError.NoStart));

    [Test]
    public void Empty_and_blank_lines_are_empty()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Nmea.Reject(""), Is.EqualTo(NmeaError.Empty));
            Assert.That(Nmea.Reject(" \r\n"), Is.EqualTo(NmeaError.Empty));
            Assert.That(Nmea.Reject(null!), Is.EqualTo(NmeaError.Empty));
        }
    }

    [Test]
    public void Overlong_lines_are_rejected() =>
        Assert.That(Nmea.Reject(Nmea.Sentence("GPTXT," + new string('x', NmeaParser.MaxLineLength))), Is.EqualTo(NmeaError.TooLong));

    [Test]
    public void A_malformed_field_under_a_good_checksum_is_rejected()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Nmea.Reject(Nmea.Sentence("GPGGA,030719.000,37x7.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,")), Is.EqualTo(NmeaError.BadField));
            Assert.That(Nmea.Reject(Nmea.Sentence("GPGGA,250719.000,3747.0873,S,17518.8938,E,1,08,1.1,59.9,M,23.7,M,,")), Is.EqualTo(NmeaError.BadField), "hour 25");
            Assert.That(Nmea.Reject(Nmea.Sentence("GPRMC,000416.984,V,36000.0000,N,72000.0000,E,0.000000,,260120,,")), Is.EqualTo(NmeaError.BadField), "tn200's 360° latitude");
            Assert.That(Nmea.Reject(Nmea.Sentence("GPRMC,000416.984,X,3600.0000,N,07200.0000,E,0.0,,260120,,")), Is.EqualTo(NmeaError.BadField), "status X");
            Assert.That(Nmea.Reject(Nmea.Sentence("GPRMC,000416.984,A,3600.0000,N,07200.0000,E,0.0,,310220,,")), Is.EqualTo(NmeaError.BadField), "31 February");
            Assert.That(Nmea.Reject(Nmea.Sentence("GPGSA,A,4,,,,,,,,,,,,,,,")), Is.EqualTo(NmeaError.BadField), "mode 4");
            Assert.That(Nmea.Reject(Nmea.Sentence("GPGLL,4907.56818,Q,12242.61064,W,031518.00,A,A")), Is.EqualTo(NmeaError.BadField), "hemisphere Q");
        }
    }

    [Test]
    public void Proprietary_and_unused_sentences_are_unsupported()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Nmea.Reject("$PFST,FOM,5*60"), Is.EqualTo(NmeaError.Unsupported));
            Assert.That(Nmea.Reject("$GPTXT,01,01,02,u-blox ag - www.u-blox.com*50"), Is.EqualTo(NmeaError.Unsupported));
        }
    }

    [Test]
    public void A_malformed_address_is_rejected() =>
        Assert.That(Nmea.Reject(Nmea.Sentence("GPGG1,1,2")), Is.EqualTo(NmeaError.BadAddress));

    [Test]
    public void Every_truncation_of_a_good_sentence_is_rejected_without_throwing()
    {
        byte[] good = Encoding.ASCII.GetBytes(Good);
        using (Assert.EnterMultipleScope())
        {
            for (int n = 0; n < good.Length; n++)
            {
                bool ok = NmeaParser.TryParse(good.AsSpan(0, n), out _, out NmeaError error);
                Assert.That(ok, Is.False, $"first {n} bytes");
                Assert.That(error, Is.AnyOf(NmeaError.Empty, NmeaError.Truncated, NmeaError.BadChecksum), $"first {n} bytes");
            }
        }
    }

    [Test]
    public void Random_bytes_and_mutated_sentences_never_throw_and_never_pass_a_wrong_checksum()
    {
        var random = new Random(4711);
        byte[] good = Encoding.ASCII.GetBytes(Good);
        var buffer = new byte[200];
        int accepted = 0;
        for (int i = 0; i < 50_000; i++)
        {
            int n = random.Next(buffer.Length);
            if (i % 2 == 0)
            {
                random.NextBytes(buffer.AsSpan(0, n));
            }
            else
            {
                n = good.Length;
                good.CopyTo(buffer, 0);
                buffer[random.Next(1, n - 3)] = (byte)random.Next(0x20, 0x7F);
            }
            if (NmeaParser.TryParse(buffer.AsSpan(0, n), out NmeaSentence s, out NmeaError error))
            {
                accepted++;
                Assert.That(error, Is.EqualTo(NmeaError.None));
                Assert.That(s.Latitude is null or >= -90 and <= 90 && s.Longitude is null or >= -180 and <= 180, Is.True);
            }
            else
            {
                Assert.That(error, Is.Not.EqualTo(NmeaError.None));
            }
        }
        // A one-byte change in the body changes the XOR checksum unless the byte is unchanged: only those pass.
        Assert.That(accepted, Is.LessThan(25_000 / 50));
    }
}
