using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;
using System.Text;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.Telemetry.Spool;

/// <summary>
/// One spool record per <see cref="CommitBatch"/>: a header of the payload's length (int32, little endian)
/// and its CRC-32 (uint32, little endian), then the payload. The payload: a format byte, the commit id, then
/// per message its device id, kind, topic, slot count and receive time, and per item a tag (reading or event),
/// its <see cref="IngestItem.PositionRejected"/> and the item as <see cref="PayloadCodec"/> JSON.
/// </summary>
internal static class SpoolRecordCodec
{
    public const int HeaderBytes = 8;

    /// <summary>A payload larger than this is taken for a torn length (a batch of 1 M items stays far below it).</summary>
    public const int MaxPayloadBytes = 256 * 1024 * 1024;

    private const byte Format = 1;
    private const byte ReadingTag = 0;
    private const byte EventTag = 1;

    /// <summary>The whole record, header included.</summary>
    public static byte[] Encode(CommitBatch batch)
    {
        using var payload = new MemoryStream();
        payload.Position = HeaderBytes;
        using (var writer = new BinaryWriter(payload, Encoding.UTF8, leaveOpen: true))
        {
            writer.Write(Format);
            writer.Write(batch.CommitId);
            writer.Write(batch.Messages.Count);
            foreach (var message in batch.Messages)
            {
                var items = message.ItemsToStore.ToList();
                writer.Write(message.DeviceId);
                writer.Write((byte)message.Kind);
                writer.Write((byte)message.Topic);
                writer.Write(message.SlotCount);
                writer.Write(message.ReceivedAtMs);
                writer.Write(items.Count);
                foreach (var item in items)
                {
                    writer.Write(item.Reading is null ? EventTag : ReadingTag);
                    writer.Write(item.PositionRejected is not null);
                    if (item.PositionRejected is { } reason)
                    {
                        writer.Write(reason);
                    }

                    var json = item.Reading is { } r ? PayloadCodec.Encode(r) : PayloadCodec.Encode(item.Event!);
                    writer.Write(json.Length);
                    writer.Write(json);
                }
            }
        }

        var record = payload.ToArray();
        var body = record.AsSpan(HeaderBytes);
        BinaryPrimitives.WriteInt32LittleEndian(record, body.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(record.AsSpan(4), Crc32.HashToUInt32(body));
        return record;
    }

    /// <summary>Reads the header at the start of <paramref name="header"/>; false when the length cannot be a record's.</summary>
    public static bool TryReadHeader(ReadOnlySpan<byte> header, out int length, out uint crc)
    {
        length = BinaryPrimitives.ReadInt32LittleEndian(header);
        crc = BinaryPrimitives.ReadUInt32LittleEndian(header[4..]);
        return length is > 0 and <= MaxPayloadBytes;
    }

    /// <summary>The batch in a payload whose CRC matched; false (never an exception) when its content does not parse.</summary>
    public static bool TryDecode(byte[] payload, out CommitBatch? batch)
    {
        batch = null;
        try
        {
            using var reader = new BinaryReader(new MemoryStream(payload, writable: false), Encoding.UTF8);
            if (reader.ReadByte() != Format)
            {
                return false;
            }

            var commitId = reader.ReadInt64();
            var messageCount = reader.ReadInt32();
            var messages = new List<IngestMessage>(Math.Min(messageCount, 4096));
            for (var m = 0; m < messageCount; m++)
            {
                var deviceId = reader.ReadString();
                var kind = (DeviceKind)reader.ReadByte();
                var topic = (TopicKind)reader.ReadByte();
                var slotCount = reader.ReadInt32();
                var receivedAt = reader.ReadInt64();
                var message = new IngestMessage(deviceId, kind, slotCount, topic, ReadOnlySequence<byte>.Empty, receivedAt);
                var itemCount = reader.ReadInt32();
                for (var i = 0; i < itemCount; i++)
                {
                    if (ReadItem(reader) is not { } item)
                    {
                        return false;
                    }

                    message.Items.Add(item);
                }

                message.IsDurable = true;
                messages.Add(message);
            }

            if (reader.BaseStream.Position != payload.Length)
            {
                return false;
            }

            batch = new CommitBatch(commitId, messages);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
        catch (IOException)
        {
            return false;
        }
    }

    private static IngestItem? ReadItem(BinaryReader reader)
    {
        var tag = reader.ReadByte();
        var positionRejected = reader.ReadBoolean() ? reader.ReadString() : null;
        var json = reader.ReadBytes(reader.ReadInt32());
        if (tag == ReadingTag && PayloadCodec.TryDecodeReadings(json, out var readings, out _) && readings.Count == 1)
        {
            return new IngestItem(readings[0]) { PositionRejected = positionRejected };
        }

        if (tag == EventTag && PayloadCodec.TryDecodeEvent(json, out var deviceEvent, out _))
        {
            return new IngestItem(deviceEvent);
        }

        return null;
    }
}
