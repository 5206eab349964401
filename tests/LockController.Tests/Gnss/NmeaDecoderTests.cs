using System.Text;
using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Tests.Gnss;

/// <summary>The stream decoder: framing, counting, and the reject counts of real captures.</summary>
[TestFixture]
public sealed class NmeaDecoderTests
{
    [Test]
    public void A_spliced_line_is_counted_and_the_sentence_after_the_splice_is_still_read()
    {
        var decoder = new NmeaDecoder();
        var fixes = new List<GnssFix>();
        decoder.Write("$GPGGA,030130$GPGLL,2638.1728,N,08011.3893,W,030131.000,A,A*41\r\n"u8, fixes);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(decoder.Statistics.RejectedFor(NmeaError.Spliced), Is.EqualTo(1));
            Assert.That(decoder.Statistics.Accepted, Is.EqualTo(1));
        }
    }

    [Test]
    public void Two_whole_sentences_without_a_line_end_between_them_are_both_read()
    {
        var decoder = new NmeaDecoder();
        decoder.Write("$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*33$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*33\n"u8, []);
        Assert.That((decoder.Statistics.Accepted, decoder.Statistics.Rejected), Is.EqualTo((2L, 0L)));
    }

    [Test]
    public void Noise_before_a_sentence_is_counted_and_the_sentence_read()
    {
        var decoder = new NmeaDecoder();
        decoder.Write("\u00ff\u00fe$GPGSA,A,3,17,28,06,01,30,20,26,13,,,,,1.8,1.1,1.5*33\n"u8, []);
        Assert.That((decoder.Statistics.Accepted, decoder.Statistics.RejectedFor(NmeaError.Garbage)), Is.EqualTo((1L, 1L)));
    }

    [Test]
    public void Endless_noise_without_line_ends_is_cut_as_too_long()
    {
        var decoder = new NmeaDecoder();
        decoder.Write(Encoding.ASCII.GetBytes(new string('x', 1000) + "\n"), []);
        Assert.That((decoder.Statistics.RejectedFor(NmeaError.TooLong), decoder.Statistics.Rejected), Is.EqualTo((1L, 1L)));
    }

    [TestCase("com-1289.log", NmeaError.BadChecksum, 1)]
    [TestCase("holux-gm-210.log", NmeaError.Truncated, 1)]
    [TestCase("triton400.log", NmeaError.Spliced, 1)]
    [TestCase("tn200.log", NmeaError.BadField, 19)]
    public void Real_captures_have_their_broken_lines_counted(string capture, NmeaError reason, int expected)
    {
        (_, NmeaStatistics stats) = CaptureDecoding.Decode(TestData.Nmea(capture));
        int comments = File.ReadLines(TestData.Nmea(capture), Encoding.Latin1).Count(l => l.StartsWith('#'));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stats.RejectedFor(reason), Is.EqualTo(expected));
            Assert.That(stats.RejectedFor(NmeaError.Comment), Is.EqualTo(comments));
        }
    }

    [Test]
    public void The_ublox_capture_with_binary_data_has_garbage_counted_and_fixes_read()
    {
        (List<GnssFix> fixes, NmeaStatistics stats) = CaptureDecoding.Decode(TestData.Nmea("ublox-8.log"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stats.RejectedFor(NmeaError.Garbage) + stats.RejectedFor(NmeaError.NulByte), Is.GreaterThan(0));
            Assert.That(stats.RejectedByReason().Keys, Does.Not.Contain(NmeaError.None));
            Assert.That(fixes, Has.Count.EqualTo(72));
            Assert.That(stats.Fixes, Is.EqualTo(72));
        }
    }

    [TestCaseSource(typeof(TestData), nameof(TestData.NmeaCaptures))]
    public void Every_fix_of_every_capture_holds_the_invariants(string capture)
    {
        (List<GnssFix> fixes, NmeaStatistics stats) = CaptureDecoding.Decode(TestData.Nmea(capture));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(stats.Fixes, Is.EqualTo(fixes.Count));
            Assert.That(stats.Epochs, Is.GreaterThanOrEqualTo(stats.Fixes));
            foreach (GnssFix f in fixes)
            {
                Assert.That(f.Latitude, Is.InRange(-90.0, 90.0));
                Assert.That(f.Longitude, Is.InRange(-180.0, 180.0));
                Assert.That(f.Mode, Is.AnyOf(GnssFixMode.TwoD, GnssFixMode.ThreeD));
                Assert.That(f.TimeOfDay, Is.InRange(TimeSpan.Zero, TimeSpan.FromDays(1)));
                if (f.Time is { } t)
                    Assert.That(t.UtcDateTime.TimeOfDay, Is.EqualTo(f.TimeOfDay));
                if (f.Mode == GnssFixMode.TwoD)
                    Assert.That(f.AltitudeMsl, Is.Null);
                Assert.That(f.SpeedMps ?? 0, Is.GreaterThanOrEqualTo(0));
                Assert.That(f.CourseDeg ?? 0, Is.InRange(0.0, 360.0));
            }
        }
    }
}
