using System.Globalization;
using System.Runtime.InteropServices;
using IoTPlatform.DeviceProtocol;
using Microsoft.Win32.SafeHandles;

namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>
/// One segment file, <c>&lt;first id, 20 digits&gt;.seg</c>, and the index of its records. Only <see cref="Outbox"/>
/// touches it, under its lock.
/// </summary>
internal sealed class OutboxSegment : IDisposable
{
    public const string Extension = ".seg";

    private readonly List<Entry> _entries = [];
    private int _firstLive;

    private OutboxSegment(long firstId, string path, SafeFileHandle handle, long length)
    {
        FirstId = firstId;
        Path = path;
        Handle = handle;
        Length = length;
    }

    public long FirstId { get; }

    public string Path { get; }

    public SafeFileHandle Handle { get; private set; }

    /// <summary>Bytes in the file.</summary>
    public long Length { get; private set; }

    /// <summary>Records not removed.</summary>
    public int Live { get; private set; }

    public long LiveBytes { get; private set; }

    public int LiveReadings { get; private set; }

    /// <summary>Written to but not flushed to the disk since.</summary>
    public bool Dirty { get; set; }

    public int Count => _entries.Count;

    public long LastId => _entries.Count == 0 ? FirstId - 1 : _entries[^1].Id;

    /// <summary>Bytes a rewrite would free.</summary>
    public long Reclaimable => Length - LiveBytes;

    public static string FileName(long firstId) => firstId.ToString("D20", CultureInfo.InvariantCulture) + Extension;

    public static bool TryParseFileName(string path, out long firstId)
    {
        firstId = 0;
        return System.IO.Path.GetExtension(path) == Extension
            && long.TryParse(System.IO.Path.GetFileNameWithoutExtension(path), NumberStyles.None, CultureInfo.InvariantCulture, out firstId)
            && firstId > 0;
    }

    public static OutboxSegment Create(string directory, long firstId)
    {
        string path = System.IO.Path.Combine(directory, FileName(firstId));
        SafeFileHandle handle = File.OpenHandle(path, FileMode.Create, FileAccess.ReadWrite, FileShare.Read);
        return new OutboxSegment(firstId, path, handle, 0);
    }

    /// <summary>An existing file, already checked and cut after its last good record; its records follow through <see cref="Add"/>.</summary>
    public static OutboxSegment OpenExisting(string path, long firstId) =>
        new(firstId, path, File.OpenHandle(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read), 0);

    /// <summary>Appends an encoded record at the end of the file (one write).</summary>
    public void Write(byte[] record) => RandomAccess.Write(Handle, record, Length);

    /// <summary>Takes a record into the index: one just written, or one found by the scan at open.</summary>
    public void Add(long id, TopicKind kind, int recordBytes)
    {
        _entries.Add(new Entry(id, kind, Length, recordBytes));
        Length += recordBytes;
        Live++;
        LiveBytes += recordBytes;
        if (kind == TopicKind.Telemetry)
        {
            LiveReadings++;
        }
    }

    /// <summary>Flushes the file to the disk (fsync).</summary>
    public void Flush()
    {
        RandomAccess.FlushToDisk(Handle);
        Dirty = false;
    }

    /// <summary>Cuts the file back to <paramref name="length"/> after a failed append.</summary>
    public void Truncate(long length)
    {
        RandomAccess.SetLength(Handle, length);
        Length = length;
    }

    public bool Contains(long id) => _entries.Count > 0 && id >= _entries[0].Id && id <= _entries[^1].Id;

    /// <summary>Marks a record removed; false when it is not here or already removed.</summary>
    public bool TryRemove(long id, out TopicKind kind)
    {
        kind = default;
        int index = IndexOf(id);
        if (index < 0)
        {
            return false;
        }

        ref Entry entry = ref CollectionsMarshal.AsSpan(_entries)[index];
        if (entry.Removed)
        {
            return false;
        }

        entry.Removed = true;
        kind = entry.Kind;
        Live--;
        LiveBytes -= entry.Bytes;
        if (kind == TopicKind.Telemetry)
        {
            LiveReadings--;
        }

        return true;
    }

    public bool IsRemoved(long id)
    {
        int index = IndexOf(id);
        return index < 0 || _entries[index].Removed;
    }

    /// <summary>The live records, oldest first.</summary>
    public IEnumerable<Entry> LiveEntries()
    {
        AdvanceFirstLive();
        for (int i = _firstLive; i < _entries.Count; i++)
        {
            if (!_entries[i].Removed)
            {
                yield return _entries[i];
            }
        }
    }

    /// <summary>The oldest live record's id; null when none is live.</summary>
    public long? FirstLiveId()
    {
        AdvanceFirstLive();
        return _firstLive < _entries.Count ? _entries[_firstLive].Id : null;
    }

    /// <summary>The ids of removed records still in the file after its oldest live one (all of them when none is live).</summary>
    public IEnumerable<long> RemovedIdsAfterFirstLive()
    {
        AdvanceFirstLive();
        int removedAfter = Count - _firstLive - Live;
        return removedAfter == 0 ? [] : _entries.Skip(_firstLive).Where(e => e.Removed).Select(e => e.Id);
    }

    /// <summary>The ids of removed records still in the file.</summary>
    public IEnumerable<long> RemovedIds() => Count == Live ? [] : _entries.Where(e => e.Removed).Select(e => e.Id);

    /// <summary>The whole record of <paramref name="entry"/> as stored; false when its CRC no longer matches (the card changed it).</summary>
    public bool TryReadPayload(Entry entry, out byte[] payload)
    {
        var record = new byte[entry.Bytes];
        if (RandomAccess.Read(Handle, record, entry.Offset) != record.Length)
        {
            payload = [];
            return false;
        }

        payload = record[(OutboxRecordFormat.HeaderBytes + OutboxRecordFormat.BodyPrefixBytes)..];
        return OutboxRecordFormat.Checksum(record.AsSpan(0, 4), record.AsSpan(OutboxRecordFormat.HeaderBytes))
            == System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(record.AsSpan(4));
    }

    /// <summary>
    /// Rewrites the file with its live records only (write a new file, flush it, rename it over this one, flush the
    /// folder) and returns the bytes freed. The segment keeps its name, so the order of records is unchanged.
    /// </summary>
    public long Compact(bool flush)
    {
        long before = Length;
        var live = _entries.Where(e => !e.Removed).ToList();
        string temp = Path + DurableFile.TempSuffix;
        var buffer = new byte[live.Count == 0 ? 0 : live.Max(e => e.Bytes)];
        using (SafeFileHandle output = File.OpenHandle(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            long offset = 0;
            foreach (Entry entry in live)
            {
                Span<byte> record = buffer.AsSpan(0, entry.Bytes);
                if (RandomAccess.Read(Handle, record, entry.Offset) != entry.Bytes)
                {
                    throw new IOException($"Outbox segment {Path} is shorter than its index: record {entry.Id} at {entry.Offset}.");
                }

                RandomAccess.Write(output, record, offset);
                offset += entry.Bytes;
            }

            if (flush)
            {
                RandomAccess.FlushToDisk(output);
            }
        }

        Handle.Dispose();
        File.Move(temp, Path, overwrite: true);
        if (flush)
        {
            DurableFile.FlushDirectory(System.IO.Path.GetDirectoryName(Path)!);
        }

        Handle = File.OpenHandle(Path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read);
        _entries.Clear();
        _firstLive = 0;
        Length = 0;
        Live = 0;
        LiveBytes = 0;
        LiveReadings = 0;
        foreach (Entry entry in live)
        {
            Add(entry.Id, entry.Kind, entry.Bytes);
        }

        Dirty = false;
        return before - Length;
    }

    /// <summary>Closes and deletes the file.</summary>
    public void Delete()
    {
        Handle.Dispose();
        File.Delete(Path);
    }

    public void Dispose() => Handle.Dispose();

    private int IndexOf(long id)
    {
        if (!Contains(id))
        {
            return -1;
        }

        int lo = 0, hi = _entries.Count - 1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) / 2);
            long at = _entries[mid].Id;
            if (at == id)
            {
                return mid;
            }

            if (at < id)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return -1;
    }

    private void AdvanceFirstLive()
    {
        while (_firstLive < _entries.Count && _entries[_firstLive].Removed)
        {
            _firstLive++;
        }
    }

    /// <summary>A record's place in the file.</summary>
    internal record struct Entry(long Id, TopicKind Kind, long Offset, int Bytes)
    {
        public bool Removed { get; set; }
    }
}
