using System.Buffers;
using System.IO.Pipelines;
using IoTPlatform.Broker.Transport;
using IoTPlatform.DeviceGateway.Tests.Infrastructure;

namespace IoTPlatform.DeviceGateway.Tests.Broker;

/// <summary>The connection guard on a real pipe, with headers split across reads as TCP splits them.</summary>
public sealed class PacketSizeGuardTests
{
    private const long Limit = 1000;

    // CONNECT-sized packet, PINGREQ, a PUBLISH at the limit: all legal.
    private static readonly byte[] LegalStream =
    [
        0x10, 3, 1, 2, 3,
        0xC0, 0,
        0x30, .. RawMqtt.RemainingLength(Limit), .. new byte[Limit],
        0xC0, 0,
    ];

    [TestCase(1)]
    [TestCase(2)]
    [TestCase(3)]
    [TestCase(7)]
    [TestCase(4096)]
    public async Task Legal_packets_pass_through_unchanged_however_the_bytes_arrive(int chunk)
    {
        var (received, violations) = await RunAsync(LegalStream, chunk, consumeWholePackets: true);
        Assert.That(received, Is.EqualTo(LegalStream));
        Assert.That(violations, Is.Empty);
    }

    [TestCase(1)]
    [TestCase(5)]
    [TestCase(4096)]
    public async Task A_packet_announcing_more_than_the_limit_ends_the_stream_at_its_header(int chunk)
    {
        byte[] stream = [0xC0, 0, 0x30, .. RawMqtt.RemainingLength(Limit + 1), .. new byte[64]];
        var (received, violations) = await RunAsync(stream, chunk, consumeWholePackets: true);
        Assert.That(violations, Has.Count.EqualTo(1));
        Assert.That(violations[0], Is.EqualTo(new PacketViolation("packet-too-large", Limit + 1)));
        Assert.That(received, Is.EqualTo(new byte[] { 0xC0, 0 }), "only the packets before it reach the consumer");
    }

    [Test]
    public async Task A_remaining_length_longer_than_four_bytes_is_malformed()
    {
        byte[] stream = [0x30, 0x80, 0x80, 0x80, 0x80, 0x01];
        var (_, violations) = await RunAsync(stream, 1, consumeWholePackets: true);
        Assert.That(violations.Single().Reason, Is.EqualTo("malformed-packet"));
    }

    [Test]
    public async Task The_largest_four_byte_length_is_read_exactly()
    {
        byte[] stream = [0x30, 0xFF, 0xFF, 0xFF, 0x7F];
        var (_, violations) = await RunAsync(stream, 2, consumeWholePackets: true);
        Assert.That(violations.Single().AnnouncedLength, Is.EqualTo(268_435_455));
    }

    /// <summary>
    /// Writes <paramref name="stream"/> into a pipe <paramref name="chunk"/> bytes at a time and reads it
    /// through the guard the way MQTTnet does: consume whole packets, examine everything.
    /// </summary>
    private static async Task<(byte[] Received, List<PacketViolation> Violations)> RunAsync(byte[] stream, int chunk, bool consumeWholePackets)
    {
        var pipe = new Pipe();
        var violations = new List<PacketViolation>();
        var guard = new PacketSizeGuard(pipe.Reader, Limit, violations.Add);
        var writer = Task.Run(async () =>
        {
            for (var i = 0; i < stream.Length; i += chunk)
            {
                await pipe.Writer.WriteAsync(stream.AsMemory(i, Math.Min(chunk, stream.Length - i)));
            }

            await pipe.Writer.CompleteAsync();
        });

        var received = new List<byte>();
        try
        {
            while (true)
            {
                var result = await guard.ReadAsync();
                var buffer = result.Buffer;
                var consumed = consumeWholePackets ? WholePackets(buffer) : buffer.Length;
                received.AddRange(buffer.Slice(0, consumed).ToArray());
                guard.AdvanceTo(buffer.GetPosition(consumed), buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }
        }
        catch (InvalidDataException)
        {
            await guard.CompleteAsync();
        }

        await writer;
        return ([.. received], violations);
    }

    private static long WholePackets(ReadOnlySequence<byte> buffer)
    {
        var bytes = buffer.ToArray();
        long offset = 0;
        while (offset < bytes.Length)
        {
            long remaining = 0;
            var i = 1;
            for (var shift = 0; ; shift += 7, i++)
            {
                if (offset + i >= bytes.Length)
                {
                    return offset;
                }

                var b = bytes[offset + i];
                remaining |= (long)(b & 0x7F) << shift;
                if ((b & 0x80) == 0)
                {
                    break;
                }
            }

            var end = offset + i + 1 + remaining;
            if (end > bytes.Length)
            {
                return offset;
            }

            offset = end;
        }

        return offset;
    }
}
