using System.Text;

namespace IoTPlatform.DeviceProtocol.Tests;

/// <summary>
/// "Wire input never throws": every decoder, on thousands of corrupted variants of the captured payloads
/// and on random bytes, returns a value or a known reason. Seeded, so a failure reproduces.
/// </summary>
[TestFixture]
[SetCulture("tr-TR")]
public sealed class NeverThrowsTests : ReadingInvariants
{
    private static readonly byte[] Interesting = Encoding.UTF8.GetBytes("{}[]\",:0123456789.eE+-tnfu\\ \u00e9\uffff");

    private static IEnumerable<byte[]> Captured()
    {
        yield return CapturedPayloads.DesignReading.ToArray();
        yield return CapturedPayloads.ChargerKiosk.ToArray();
        yield return CapturedPayloads.BacklogArray.ToArray();
        yield return CapturedPayloads.EventBatch.ToArray();
        yield return CapturedPayloads.StatusOnline.ToArray();
        yield return CapturedPayloads.VectorCommand.ToArray();
        yield return CapturedPayloads.AckRejectedSlot.ToArray();
    }

    [Test]
    public void Corrupted_payloads_never_throw_and_give_known_reasons()
    {
        var random = new Random(20251122);
        var decoded = 0;
        var refused = new Dictionary<string, int>();
        foreach (var original in Captured())
        {
            for (var i = 0; i < 2_000; i++)
            {
                var bytes = Mutate(original, random);
                foreach (var (ok, error) in DecodeAll(bytes))
                {
                    if (ok)
                    {
                        decoded++;
                    }
                    else
                    {
                        Assert.That(DecodeReasons.All, Does.Contain(error!.Reason), error.ToString());
                        Assert.That(error.Path, Does.StartWith("$"));
                        Assert.That(error.Message, Is.Not.Empty);
                        refused[error.Reason] = refused.GetValueOrDefault(error.Reason) + 1;
                    }
                }
            }
        }

        // The corpus must exercise both outcomes and several reasons, or this test proves nothing.
        Assert.That(decoded, Is.GreaterThan(100));
        Assert.That(refused.Keys, Is.SupersetOf(new[] { DecodeReasons.MalformedJson, DecodeReasons.WrongType, DecodeReasons.MissingField, DecodeReasons.InvalidValue }.AsEnumerable()));
    }

    [Test]
    public void Random_bytes_never_throw()
    {
        var random = new Random(7);
        for (var i = 0; i < 5_000; i++)
        {
            var bytes = new byte[random.Next(0, 64)];
            random.NextBytes(bytes);
            foreach (var (ok, error) in DecodeAll(bytes))
            {
                Assert.That(ok || DecodeReasons.All.Contains(error!.Reason), Is.True);
            }
        }
    }

    [Test]
    public void Readings_that_survive_corruption_still_decode_to_typed_values()
    {
        // What decodes is only typed; validation is what enforces the invariants. Check that the
        // validator's verdict and the invariants agree on every surviving reading.
        var random = new Random(99);
        var checkedReadings = 0;
        for (var i = 0; i < 3_000; i++)
        {
            var bytes = Mutate(CapturedPayloads.BacklogArray.ToArray(), random);
            if (PayloadCodec.TryDecodeReadings(bytes, out var readings, out _))
            {
                foreach (var r in readings.Where(r => PayloadValidator.Validate(r, CapturedPayloads.NowUnixMs, null, out _)))
                {
                    AssertInvariants(r);
                    checkedReadings++;
                }
            }
        }

        Assert.That(checkedReadings, Is.GreaterThan(100));
    }

    private static IEnumerable<(bool Ok, DecodeError? Error)> DecodeAll(byte[] bytes)
    {
        yield return (PayloadCodec.TryDecodeReadings(bytes, out _, out var e1), e1);
        yield return (PayloadCodec.TryDecodeEvents(bytes, out _, out var e2), e2);
        yield return (PayloadCodec.TryDecodeEvent(bytes, out _, out var e3), e3);
        yield return (PayloadCodec.TryDecodeStatus(bytes, out _, out var e4), e4);
        yield return (PayloadCodec.TryDecodeCommand(bytes, out _, out var e5), e5);
        yield return (PayloadCodec.TryDecodeAck(bytes, out _, out var e6), e6);
        yield return (PayloadCodec.TryDecodeKeySet(bytes, out _, out var e7), e7);
        var sequence = Segments.Split(bytes, 5);
        yield return (PayloadCodec.TryDecodeReadings(sequence, out _, out var e8), e8);
    }

    private static byte[] Mutate(byte[] original, Random random)
    {
        var bytes = original.ToList();
        var edits = random.Next(1, 4);
        for (var e = 0; e < edits && bytes.Count > 0; e++)
        {
            var at = random.Next(bytes.Count);
            switch (random.Next(5))
            {
                case 0: bytes[at] = Interesting[random.Next(Interesting.Length)]; break;
                case 1: bytes.RemoveAt(at); break;
                case 2: bytes.Insert(at, Interesting[random.Next(Interesting.Length)]); break;
                case 3: bytes.RemoveRange(at, bytes.Count - at); break;
                default: bytes[at] = (byte)random.Next(256); break;
            }
        }

        return [.. bytes];
    }
}
