using System.Buffers;
using System.Globalization;
using System.Text;

namespace IoTPlatform.DeviceProtocol.Tests;

[TestFixture]
[SetCulture("de-DE")]
[SetUICulture("de-DE")]
public sealed class ReadingCodecTests : ReadingInvariants
{
    private static readonly SlotState[] KioskStates = [SlotState.Occupied, SlotState.Empty, SlotState.Released, SlotState.Fault];

    [Test]
    public void Design_example_reading_decodes_every_field()
    {
        Assert.That(PayloadCodec.TryDecodeReadings(CapturedPayloads.DesignReading, out var readings, out var error), Is.True, error?.ToString());
        AssertInvariants(readings!);
        var r = readings!.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Seq, Is.EqualTo(1042));
            Assert.That(r.Ts, Is.EqualTo(1763805600000));
            Assert.That(r.Lat, Is.EqualTo(39.90421));
            Assert.That(r.Lon, Is.EqualTo(116.40739));
            Assert.That(r.Alt, Is.EqualTo(44.1));
            Assert.That(r.Speed, Is.EqualTo(4.2));
            Assert.That(r.Course, Is.EqualTo(87.5));
            Assert.That(r.Hdop, Is.EqualTo(0.9));
            Assert.That(r.Sats, Is.EqualTo(9));
            Assert.That(r.Fix, Is.EqualTo(3));
            Assert.That(r.Battery, Is.EqualTo(87));
            Assert.That(r.Lock, Is.EqualTo(LockState.Locked));
            Assert.That(r.Slots, Has.Count.EqualTo(1));
            Assert.That(r.Slots![0], Is.EqualTo(new SlotReading { N = 1, State = SlotState.Occupied, Item = "umb-0042", Charge = 80 }));
        }
    }

    [Test]
    public void Reading_without_fix_has_no_position()
    {
        Assert.That(PayloadCodec.TryDecodeReadings(CapturedPayloads.BikeNoFix, out var readings, out var error), Is.True, error?.ToString());
        AssertInvariants(readings!);
        var r = readings!.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Lat, Is.Null);
            Assert.That(r.Lon, Is.Null);
            Assert.That(r.Fix, Is.EqualTo(GnssFix.None));
            Assert.That(r.Lock, Is.EqualTo(LockState.Unlocked));
            Assert.That(r.Slots, Is.Null);
        }
    }

    [Test]
    public void Unknown_fields_including_nested_ones_are_ignored()
    {
        Assert.That(PayloadCodec.TryDecodeReadings(CapturedPayloads.ChargerKiosk, out var readings, out var error), Is.True, error?.ToString());
        AssertInvariants(readings!);
        var r = readings!.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(r.Seq, Is.EqualTo(88));
            Assert.That(r.Lat, Is.EqualTo(-33.86882));
            Assert.That(r.Slots!.Select(s => s.N), Is.EqualTo(Enumerable.Range(1, 4)));
            Assert.That(r.Slots!.Select(s => s.State), Is.EqualTo(KioskStates));
            Assert.That(r.Slots![2].Charge, Is.EqualTo(41));
            Assert.That(PayloadValidator.Validate(r, CapturedPayloads.NowUnixMs, slotCount: 4, out _), Is.True);
        }
    }

    [Test]
    public void Backlog_array_decodes_in_order()
    {
        Assert.That(PayloadCodec.TryDecodeReadings(CapturedPayloads.BacklogArray, out var readings, out var error), Is.True, error?.ToString());
        AssertInvariants(readings!);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(readings!.Select(r => r.Seq), Is.EqualTo(Enumerable.Range(500, 3).Select(i => (long)i)));
            Assert.That(readings![1].Lat, Is.Null);
            Assert.That(readings![2].Course, Is.EqualTo(359.9));
        }
    }

    [Test]
    public void Array_of_exactly_the_maximum_is_accepted_and_one_more_is_refused()
    {
        var max = Array(PayloadCodec.MaxItems);
        Assert.That(PayloadCodec.TryDecodeReadings(max, out var readings, out var error), Is.True, error?.ToString());
        Assert.That(readings, Has.Count.EqualTo(PayloadCodec.MaxItems));
        AssertInvariants(readings!);

        Assert.That(PayloadCodec.TryDecodeReadings(Array(PayloadCodec.MaxItems + 1), out readings, out error), Is.False);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(readings, Is.Null);
            Assert.That(error!.Reason, Is.EqualTo(DecodeReasons.TooManyItems));
        }

        static byte[] Array(int count) => Encoding.UTF8.GetBytes("[" + string.Join(",", Enumerable.Range(0, count).Select(i =>
            string.Create(CultureInfo.InvariantCulture, $$"""{"seq":{{i}},"ts":{{1763805000000 + i}},"lat":48.1{{i}},"lon":11.5,"fix":3,"battery":50}"""))) + "]");
    }

    [Test]
    public void Exactly_the_maximum_depth_is_accepted()
    {
        // object + 7 arrays = 8 levels; one more is too-deep (see DecodeErrorTests).
        var payload = """{"seq":1,"ts":1763805600000,"x":[[[[[[[1]]]]]]]}"""u8;
        Assert.That(PayloadCodec.TryDecodeReadings(payload, out var readings, out var error), Is.True, error?.ToString());
        AssertInvariants(readings!);
    }

    [Test]
    public void Decoding_a_reading_allocates_little()
    {
        // The ingest decodes every MQTT message: keep the hot path to the records themselves.
        var payload = CapturedPayloads.DesignReading.ToArray();
        for (var i = 0; i < 100; i++)
        {
            PayloadCodec.TryDecodeReadings(payload, out _, out _);
        }

        const int Runs = 1000;
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < Runs; i++)
        {
            PayloadCodec.TryDecodeReadings(payload, out _, out _);
        }

        var perDecode = (GC.GetAllocatedBytesForCurrentThread() - before) / Runs;
        TestContext.Out.WriteLine($"{perDecode} bytes per decode of the design reading");
        Assert.That(perDecode, Is.LessThan(4096)); // measured 1,432 on .NET 10.0.12
    }

    [Test]
    public void Utf8_byte_order_mark_is_tolerated()
    {
        byte[] withBom = [0xEF, 0xBB, 0xBF, .. CapturedPayloads.BikeNoFix];
        Assert.That(PayloadCodec.TryDecodeReadings(withBom, out var readings, out var error), Is.True, error?.ToString());
        AssertInvariants(readings!);
    }

    [Test]
    public void Multi_segment_sequence_decodes_like_the_span([Values(1, 7, 64, 4096)] int chunk)
    {
        var sequence = Segments.Split(CapturedPayloads.ChargerKiosk, chunk);
        Assert.That(PayloadCodec.TryDecodeReadings(sequence, out var fromSequence, out var error), Is.True, error?.ToString());
        PayloadCodec.TryDecodeReadings(CapturedPayloads.ChargerKiosk, out var fromSpan, out _);
        AssertInvariants(fromSequence!);
        Assert.That(PayloadCodec.EncodeReadings(fromSequence!), Is.EqualTo(PayloadCodec.EncodeReadings(fromSpan!)));
    }

    [Test]
    public void Multi_segment_sequence_reports_errors_too()
    {
        var sequence = Segments.Split("""{"seq":1,"ts":2,"lock":"open"}"""u8, 5);
        Assert.That(PayloadCodec.TryDecodeReadings(sequence, out _, out var error), Is.False);
        Assert.That(error!.Reason, Is.EqualTo(DecodeReasons.InvalidValue));
    }

    [Test]
    public void Encoding_writes_camel_case_wire_enums_and_leaves_nulls_out()
    {
        var reading = new Reading { Seq = 7, Ts = 1763805601000, Fix = 0, Battery = 54, Lock = LockState.Unlocked };
        Assert.That(Encoding.UTF8.GetString(PayloadCodec.Encode(reading)),
            Is.EqualTo("""{"seq":7,"ts":1763805601000,"fix":0,"battery":54,"lock":"unlocked"}"""));
    }

    [Test]
    public void Encoding_numbers_is_culture_invariant()
    {
        var reading = new Reading { Seq = 1, Ts = 2, Lat = 39.90421, Lon = -116.5, Alt = 44.1 };
        Assert.That(Encoding.UTF8.GetString(PayloadCodec.Encode(reading)),
            Is.EqualTo("""{"seq":1,"ts":2,"lat":39.90421,"lon":-116.5,"alt":44.1}"""));
    }

    [Test]
    public void Encode_then_decode_round_trips_every_captured_reading()
    {
        foreach (var captured in new[] { CapturedPayloads.DesignReading.ToArray(), CapturedPayloads.ChargerKiosk.ToArray(), CapturedPayloads.BacklogArray.ToArray() })
        {
            Assert.That(PayloadCodec.TryDecodeReadings(captured, out var first, out _), Is.True);
            var encoded = PayloadCodec.EncodeReadings(first!);
            Assert.That(PayloadCodec.TryDecodeReadings(encoded, out var second, out var error), Is.True, error?.ToString());
            AssertInvariants(second!);
            Assert.That(PayloadCodec.EncodeReadings(second!), Is.EqualTo(encoded));
            Assert.That(second!.Select(r => r with { Slots = null }), Is.EqualTo(first!.Select(r => r with { Slots = null })));
            Assert.That(second!.SelectMany(r => r.Slots ?? []), Is.EqualTo(first!.SelectMany(r => r.Slots ?? [])));
        }
    }

    [Test]
    public void Buffer_writer_gets_the_same_bytes_as_the_array()
    {
        PayloadCodec.TryDecodeReadings(CapturedPayloads.DesignReading, out var readings, out _);
        var writer = new ArrayBufferWriter<byte>();
        PayloadCodec.Encode(readings![0], writer);
        Assert.That(writer.WrittenSpan.ToArray(), Is.EqualTo(PayloadCodec.Encode(readings[0])));
    }

    [Test]
    public void Encoding_a_batch_refuses_empty_and_oversized_batches()
    {
        var one = new Reading { Seq = 1, Ts = 1 };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(() => PayloadCodec.EncodeReadings([]), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(() => PayloadCodec.EncodeReadings(Enumerable.Repeat(one, PayloadCodec.MaxItems + 1).ToList()), Throws.TypeOf<ArgumentOutOfRangeException>());
            Assert.That(Encoding.UTF8.GetString(PayloadCodec.EncodeReadings([one, one with { Seq = 2 }])), Is.EqualTo("""[{"seq":1,"ts":1},{"seq":2,"ts":1}]"""));
        }
    }
}
