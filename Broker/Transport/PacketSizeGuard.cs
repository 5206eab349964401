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
        ThrowIfViolated();
        var result = await inner.ReadAsync(cancellationToken).ConfigureAwait(false);
        return Inspect(result);
    }

    public override bool TryRead(out ReadResult result)
    {
        ThrowIfViolated();
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
        _violation = Scan(result.Buffer);
        if (_violation is null)
        {
            return result;
        }

        onViolation(_violation);
        var legal = _nextHeader - _bufferStart;
        if (legal > 0)
        {
            // Hand on the whole packets before the refused one; the next read ends the connection.
            _buffer = result.Buffer.Slice(0, legal);
            return new ReadResult(_buffer, isCanceled: false, isCompleted: false);
        }

        // Nothing of the refused packet is handed on: release the buffer and end the connection.
        inner.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        _buffer = default;
        throw Refusal(_violation);
    }

    private void ThrowIfViolated()
    {
        if (_violation is { } violation)
        {
            throw Refusal(violation);
        }
    }

    private InvalidDataException Refusal(PacketViolation violation) =>
        new($"MQTT packet refused ({violation.Reason}): it announces {violation.AnnouncedLength} bytes, the limit is {maxRemainingLength}.");

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
