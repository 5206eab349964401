using System.Buffers;
using System.IO.Pipelines;

namespace IoTPlatform.Broker.Transport;

/// <summary>
/// Reads MQTT fixed headers as bytes arrive and refuses a packet whose announced remaining length
/// exceeds the limit, before any of its body is buffered. MQTTnet sets no packet size limit and buffers a
/// whole packet before an interceptor runs, so a 50 MB PUBLISH would otherwise sit in memory.
/// Wraps the connection's input: the consumer (MQTTnet) sees the same buffers, minus the oversize packet.
/// </summary>
public sealed class PacketSizeGuard(PipeReader inner, long maxRemainingLength, Action<PacketViolation> onViolation) : PipeReader
{
    private const int MaxLengthBytes = 4;

    private ReadOnlySequence<byte> _buffer;
    private long _bufferStart;
    private long _nextHeader;
    private PacketViolation? _violation;

    public override async ValueTask<ReadResult> ReadAsync(CancellationToken cancellationToken = default)
    {
        var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        return Inspect(result);
    }

    public override bool TryRead(out ReadResult result)
    {
        if (!inner.TryRead(out result))
        {
            return false;
        }

        result = Inspect(result);
        return true;
    }

    public override void AdvanceTo(SequencePosition consumed) => AdvanceTo(consumed, consumed);

    public override void AdvanceTo(SequencePosition consumed, SequencePosition examined)
    {
        _bufferStart += _buffer.Slice(_buffer.Start, consumed).Length;
        inner.AdvanceTo(consumed, examined);
    }

    public override void CancelPendingRead() => inner.CancelPendingRead();

    public override void Complete(Exception? exception = null) => inner.Complete(exception);

    public override ValueTask CompleteAsync(Exception? exception = null) => inner.CompleteAsync(exception);

    private ReadResult Inspect(ReadResult result)
    {
        _buffer = result.Buffer;
        _violation ??= Scan(result.Buffer);
        if (_violation is { } violation)
        {
            // Hand nothing of the oversize packet on: release the buffer and end the connection.
            inner.AdvanceTo(result.Buffer.Start, result.Buffer.End);
            onViolation(violation);
            throw new InvalidDataException(
                $"MQTT packet refused ({violation.Reason}): it announces {violation.AnnouncedLength} bytes, the limit is {maxRemainingLength}.");
        }

        return result;
    }

    /// <summary>Walks the fixed headers in <paramref name="buffer"/> from the next unseen one on.</summary>
    private PacketViolation? Scan(ReadOnlySequence<byte> buffer)
    {
        while (_nextHeader - _bufferStart < buffer.Length)
        {
            var reader = new SequenceReader<byte>(buffer.Slice(_nextHeader - _bufferStart));
            reader.Advance(1); // packet type and flags
            long remaining = 0;
            var lengthBytes = 0;
            var complete = false;
            while (lengthBytes < MaxLengthBytes && reader.TryRead(out var b))
            {
                remaining |= (long)(b & 0x7F) << (7 * lengthBytes);
                lengthBytes++;
                if ((b & 0x80) == 0)
                {
                    complete = true;
                    break;
                }
            }

            if (!complete)
            {
                return lengthBytes == MaxLengthBytes ? new PacketViolation(RefusalReasons.MalformedPacket, remaining) : null;
            }

            if (remaining > maxRemainingLength)
            {
                return new PacketViolation(RefusalReasons.PacketTooLarge, remaining);
            }

            _nextHeader += 1 + lengthBytes + remaining;
        }

        return null;
    }
}
