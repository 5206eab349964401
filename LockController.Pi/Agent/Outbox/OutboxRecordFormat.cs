using System.Buffers.Binary;
using System.IO.Hashing;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>
/// One record in a segment file, little endian: the body's length (uint32), a CRC-32 (IEEE) of the length's four bytes
/// and the body, then the body: the record id (int64), the topic kind (one byte, <see cref="TopicKind"/>) and the payload.
/// </summary>
internal static class OutboxRecordFormat
{
    public const int HeaderBytes = 8;

    /// <summary>The body's id and kind.</summary>
    public const int BodyPrefixBytes = 9;

    /// <summary>The topics a record may be for: the ones a device publishes with QoS 1 and keeps until PUBACK (not the retained status).</summary>
    public static bool IsQueued(TopicKind kind) => kind is TopicKind.Telemetry or TopicKind.Events or TopicKind.Acks;

    public static int RecordBytes(int payloadBytes) => HeaderBytes + BodyPrefixBytes + payloadBytes;

    public static byte[] Encode(long id, TopicKind kind, ReadOnlySpan<byte> payload)
    {
        var record = new byte[RecordBytes(payload.Length)];
        BinaryPrimitives.WriteUInt32LittleEndian(record, (uint)(BodyPrefixBytes + payload.Length));
        BinaryPrimitives.WriteInt64LittleEndian(record.AsSpan(HeaderBytes), id);
        record[HeaderBytes + 8] = (byte)kind;
        payload.CopyTo(record.AsSpan(HeaderBytes + BodyPrefixBytes));
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Checksum(record.AsSpan(0, 4), record.AsSpan(HeaderBytes)));
        return record;
    }

    public static uint Checksum(ReadOnlySpan<byte> length, ReadOnlySpan<byte> body)
    {
        var crc = new Crc32();
        crc.Append(length);
        crc.Append(body);
        return crc.GetCurrentHashAsUInt32();
    }
}
