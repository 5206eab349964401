using System.Buffers.Binary;
using System.IO.Hashing;

namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>
/// The ack cursor, file <c>cursor</c>: which records on disk were removed. Every id below <see cref="Mark"/> is removed,
/// and so is every id in <see cref="RemovedAbove"/> (records acknowledged out of order). Little endian: "OBXC", a
/// version byte (1), the mark (int64), the count (int32) and the ids (int64 each), then a CRC-32 of all before it.
/// Replaced atomically (<see cref="DurableFile"/>).
/// </summary>
internal sealed record OutboxCursor(long Mark, IReadOnlyCollection<long> RemovedAbove)
{
    public const string FileName = "cursor";

    private const byte Version = 1;
    private static readonly byte[] Magic = "OBXC"u8.ToArray();

    public static OutboxCursor Empty { get; } = new(0, []);

    public byte[] Encode()
    {
        var bytes = new byte[4 + 1 + 8 + 4 + (8 * RemovedAbove.Count) + 4];
        Magic.CopyTo(bytes, 0);
        bytes[4] = Version;
        BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(5), Mark);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(13), RemovedAbove.Count);
        int offset = 17;
        foreach (long id in RemovedAbove)
        {
            BinaryPrimitives.WriteInt64LittleEndian(bytes.AsSpan(offset), id);
            offset += 8;
        }

        BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(offset), Crc32.HashToUInt32(bytes.AsSpan(0, offset)));
        return bytes;
    }

    /// <summary>The cursor in <paramref name="bytes"/>; false with a reason (never an exception) when they are not one.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> bytes, out OutboxCursor cursor, out string reason)
    {
        cursor = Empty;
        if (bytes.Length < 21 || !bytes[..4].SequenceEqual(Magic))
        {
            reason = "not a cursor file";
            return false;
        }

        if (bytes[4] != Version)
        {
            reason = $"unknown version {bytes[4]}";
            return false;
        }

        int count = BinaryPrimitives.ReadInt32LittleEndian(bytes[13..]);
        if (count < 0 || bytes.Length != 21 + (8L * count))
        {
            reason = "a length that does not match its count";
            return false;
        }

        int end = bytes.Length - 4;
        if (Crc32.HashToUInt32(bytes[..end]) != BinaryPrimitives.ReadUInt32LittleEndian(bytes[end..]))
        {
            reason = "a CRC that does not match";
            return false;
        }

        long mark = BinaryPrimitives.ReadInt64LittleEndian(bytes[5..]);
        var removed = new long[count];
        for (int i = 0; i < count; i++)
        {
            removed[i] = BinaryPrimitives.ReadInt64LittleEndian(bytes[(17 + (8 * i))..]);
        }

        if (mark < 0)
        {
            reason = "a negative mark";
            return false;
        }

        cursor = new OutboxCursor(mark, removed);
        reason = "";
        return true;
    }
}
