using System.Buffers.Binary;
using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>
/// The store-and-forward queue: every reading, event and ack is appended here before it is published (QoS 1) and
/// removed after its PUBACK, whatever the reason code. On disk in one folder (see docs/firmware-outbox.md): segment
/// files of records with a CRC each (<see cref="OutboxRecordFormat"/>), named by their first record's id; the ack
/// cursor (<see cref="OutboxCursor"/>); and a lock file, so that two processes never share an outbox.
/// <para>
/// Open checks every record and cuts a segment at its first torn or corrupt record (as a crash mid-append leaves
/// it), counting and logging it; bad bytes never make it throw, only a folder it cannot use. Records come back in
/// append order with their payload unchanged, so a replay carries the original <c>ts</c> and <c>seq</c>. A record
/// removed before a power cut may be sent once more after it (the cursor is written per the fsync policy); the
/// backend drops the duplicate by (seq, ts).
/// </para>
/// <para>
/// Bounded by <see cref="OutboxOptions.MaxBytes"/>: at the bound the oldest segment that holds readings loses its
/// readings (and is rewritten without them), then the next; events and acks go only when no reading is left.
/// Appends never wait for the sender. Thread-safe: any number of appenders, one sender.
/// </para>
/// </summary>
public sealed class Outbox : IDisposable
{
    /// <summary>The lock file in the folder, held exclusively while the outbox is open.</summary>
    public const string LockFileName = "lock";

    private readonly string _directory;
    private readonly OutboxOptions _options;
    private readonly ILogger<Outbox> _logger;
    private readonly Lock _gate = new();
    private readonly FileStream _lockFile;
    private readonly ITimer _syncTimer;

    // Oldest first; the last may be open for appends (_active).
    private readonly List<OutboxSegment> _segments = [];
    private OutboxSegment? _active;
    private long _nextId = 1;
    private bool _loaded;
    private bool _disposed;
    private bool _cursorDirty;
    private bool _timerArmed;

    // A drop episode runs from the first drop until the files are back below half the bound.
    private bool _full;
    private bool _droppingEvents;
    private long _episodeReadings;
    private long _episodeEvents;
    private long _episodeAcks;

    private long _appended;
    private long _removed;
    private long _droppedReadings;
    private long _droppedEvents;
    private long _droppedAcks;
    private long _torn;
    private long _tornBytes;
    private long _cursorResets;
    private long _appendFailures;
    private long _syncFailures;

    private Outbox(string directory, OutboxOptions options, TimeProvider time, ILogger<Outbox> logger, FileStream lockFile)
    {
        _directory = directory;
        _options = options;
        _logger = logger;
        _lockFile = lockFile;
        _syncTimer = time.CreateTimer(_ => OnSyncTimer(), null, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    /// <summary>Raised after every append (outside the outbox's lock): wakes the sender.</summary>
    public event Action? Appended;

    /// <summary>The outbox folder (full path).</summary>
    public string Directory => _directory;

    /// <summary>The fsync policy in force.</summary>
    public OutboxFsyncPolicy FsyncPolicy => _options.FsyncPolicy;

    /// <summary>Sizes now and counters since open.</summary>
    public OutboxStats Stats
    {
        get
        {
            lock (_gate)
            {
                return new OutboxStats(
                    _segments.Sum(s => s.Live),
                    _segments.Sum(s => s.LiveBytes),
                    FileBytes,
                    _segments.Count,
                    _appended,
                    _removed,
                    _droppedReadings,
                    _droppedEvents,
                    _droppedAcks,
                    _torn,
                    _tornBytes,
                    _cursorResets,
                    _appendFailures,
                    _syncFailures);
            }
        }
    }

    private long FileBytes => _segments.Sum(s => s.Length);

    /// <summary>
    /// Opens the outbox in <paramref name="directory"/> (created when missing), repairing torn tails. Throws
    /// <see cref="ArgumentException"/> for invalid options, and <see cref="IOException"/> or
    /// <see cref="UnauthorizedAccessException"/> when the folder cannot be used (not writable, or open in another
    /// process); never for what is in the files.
    /// </summary>
    public static Outbox Open(string directory, OutboxOptions options, TimeProvider time, ILogger<Outbox> logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options.ThrowIfInvalid();
        directory = Path.GetFullPath(directory);
        System.IO.Directory.CreateDirectory(directory);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(Path.Combine(directory, LockFileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"The outbox {directory} is open in another process (it holds {LockFileName}): one outbox, one process.", e);
        }

        var outbox = new Outbox(directory, options, time, logger, lockFile);
        try
        {
            outbox.Load();
            return outbox;
        }
        catch
        {
            outbox.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Appends a record and returns it with its id. When this returns the record is on the disk as the fsync policy
    /// says (<see cref="OutboxFsyncPolicy"/>). At the bound, older records are dropped first (never this one).
    /// Throws <see cref="ArgumentException"/> for a kind that is not queued or a payload over
    /// <see cref="OutboxOptions.MaxRecordBytes"/>, and <see cref="IOException"/> when the disk fails (then nothing of
    /// the record stays, and the next append begins a new segment).
    /// </summary>
    public ValueTask<OutboxRecord> AppendAsync(TopicKind kind, ReadOnlyMemory<byte> payload, CancellationToken ct)
    {
        if (!OutboxRecordFormat.IsQueued(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Only telemetry, events and acks are queued; the retained status is published as it is.");
        }

        if (payload.Length > _options.MaxRecordBytes)
        {
            throw new ArgumentException($"A payload of {payload.Length} bytes is over {OutboxOptions.SectionName}:MaxRecordBytes ({_options.MaxRecordBytes}).", nameof(payload));
        }

        ct.ThrowIfCancellationRequested();
        byte[] copy = payload.ToArray();
        OutboxRecord appended;
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            int recordBytes = OutboxRecordFormat.RecordBytes(copy.Length);
            if (FileBytes + recordBytes > _options.MaxBytes)
            {
                MakeRoom(recordBytes);
            }

            long id = _nextId;
            byte[] record = OutboxRecordFormat.Encode(id, kind, copy);
            OutboxSegment segment = _active ??= StartSegment();
            long start = segment.Length;
            try
            {
                segment.Write(record);
                if (_options.FsyncPolicy == OutboxFsyncPolicy.Always || (_options.FsyncPolicy == OutboxFsyncPolicy.Grouped && kind != TopicKind.Telemetry))
                {
                    segment.Flush();
                }
                else if (_options.FsyncPolicy == OutboxFsyncPolicy.Grouped)
                {
                    segment.Dirty = true;
                    ArmSyncTimer();
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _appendFailures++;
                Log.OutboxAppendFailed(_logger, segment.Path, e);
                AbandonActive(segment, start);
                throw;
            }

            segment.Add(id, kind, record.Length);
            _nextId++;
            _appended++;
            if (segment.Length >= _options.SegmentBytes)
            {
                Seal(segment);
            }

            appended = new OutboxRecord(id, kind, copy);
        }

        Appended?.Invoke();
        return ValueTask.FromResult(appended);
    }

    /// <summary>
    /// Up to <paramref name="max"/> records not yet removed, oldest first (the same records again until they are
    /// removed). A record whose bytes the card changed since they were written fails its CRC here: it is dropped,
    /// counted as torn and logged, never returned.
    /// </summary>
    public IReadOnlyList<OutboxRecord> Peek(int max)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(max);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            var records = new List<OutboxRecord>(Math.Min(max, 1024));
            List<(OutboxSegment Segment, OutboxSegment.Entry Entry)>? corrupt = null;
            foreach (OutboxSegment segment in _segments)
            {
                foreach (OutboxSegment.Entry entry in segment.LiveEntries())
                {
                    if (records.Count >= max)
                    {
                        break;
                    }

                    if (segment.TryReadPayload(entry, out byte[] payload))
                    {
                        records.Add(new OutboxRecord(entry.Id, entry.Kind, payload));
                    }
                    else
                    {
                        (corrupt ??= []).Add((segment, entry));
                    }
                }
            }

            foreach ((OutboxSegment segment, OutboxSegment.Entry entry) in corrupt ?? [])
            {
                Log.OutboxTornRecord(_logger, segment.Path, entry.Offset, "a CRC that no longer matches when read", entry.Bytes);
                _torn++;
                _tornBytes += entry.Bytes;
                segment.TryRemove(entry.Id, out _);
                AfterRemoval(segment);
            }

            return records;
        }
    }

    /// <summary>Removes a record after its PUBACK (whatever the reason code). An id that is gone already (removed, or dropped at the bound) is ignored.</summary>
    public ValueTask RemoveAsync(long id, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            OutboxSegment? segment = FindSegment(id);
            if (segment is null || !segment.TryRemove(id, out _))
            {
                return ValueTask.CompletedTask;
            }

            _removed++;
            AfterRemoval(segment);
            CheckDrained();
        }

        return ValueTask.CompletedTask;
    }

    /// <summary>Flushes what the fsync policy left pending (grouped readings, the cursor) now, as the timer would.</summary>
    public void Sync()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            SyncPending();
        }
    }

    /// <summary>Flushes what is pending (per the policy), writes the cursor, closes the files and releases the folder.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _syncTimer.Dispose();
            if (_loaded)
            {
                try
                {
                    SyncPending();
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    _syncFailures++;
                    Log.OutboxSyncFailed(_logger, _directory, e);
                }
            }

            foreach (OutboxSegment segment in _segments)
            {
                segment.Dispose();
            }

            _segments.Clear();
            _active = null;
            _lockFile.Dispose();
        }
    }

    private void Load()
    {
        foreach (string stray in System.IO.Directory.EnumerateFiles(_directory, "*" + DurableFile.TempSuffix))
        {
            // A rewrite or a cursor write that did not get to its rename: the original is still in place.
            File.Delete(stray);
        }

        OutboxCursor cursor = ReadCursor();
        var removedAbove = cursor.RemovedAbove.ToHashSet();
        var files = System.IO.Directory.EnumerateFiles(_directory, "*" + OutboxSegment.Extension)
            .Select(p => (Ok: OutboxSegment.TryParseFileName(p, out long first), First: first, Path: p))
            .Where(f => f.Ok)
            .OrderBy(f => f.First);
        long lastId = 0;
        foreach ((_, long firstId, string path) in files)
        {
            if (LoadSegment(path, firstId, lastId) is not { } segment)
            {
                continue;
            }

            lastId = segment.LastId;
            foreach (OutboxSegment.Entry entry in segment.LiveEntries().ToList())
            {
                if (entry.Id < cursor.Mark || removedAbove.Contains(entry.Id))
                {
                    segment.TryRemove(entry.Id, out _);
                }
            }

            if (segment.Live == 0)
            {
                segment.Delete();
                continue;
            }

            _segments.Add(segment);
        }

        long highestRemoved = cursor.RemovedAbove.Count == 0 ? 0 : cursor.RemovedAbove.Max();
        _nextId = Math.Max(Math.Max(1, cursor.Mark), Math.Max(lastId, highestRemoved) + 1);
        _loaded = true;
        int records = _segments.Sum(s => s.Live);
        long bytes = _segments.Sum(s => s.LiveBytes);
        string policy = _options.FsyncPolicy.ToString();
        Log.OutboxOpened(_logger, _directory, records, bytes, _segments.Count, policy);
    }

    private OutboxCursor ReadCursor()
    {
        string path = Path.Combine(_directory, OutboxCursor.FileName);
        if (!File.Exists(path))
        {
            return OutboxCursor.Empty;
        }

        if (OutboxCursor.TryDecode(File.ReadAllBytes(path), out OutboxCursor cursor, out string reason))
        {
            return cursor;
        }

        _cursorResets++;
        Log.OutboxCursorUnreadable(_logger, path, reason);
        _cursorDirty = true;
        return OutboxCursor.Empty;
    }

    // Checks every record of a segment file; cuts the file at the first bad one. Null when nothing good is left (the file is deleted).
    private OutboxSegment? LoadSegment(string path, long firstId, long previousId)
    {
        var good = new List<(long Id, TopicKind Kind, int Bytes)>();
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.Read, 64 * 1024))
        {
            long length = stream.Length;
            long offset = 0;
            string? reason = null;
            var header = new byte[OutboxRecordFormat.HeaderBytes];
            byte[] body = [];
            while (offset < length)
            {
                if (length - offset < OutboxRecordFormat.HeaderBytes)
                {
                    reason = "a header cut short";
                    break;
                }

                stream.ReadExactly(header);
                uint bodyBytes = BinaryPrimitives.ReadUInt32LittleEndian(header);
                if (bodyBytes < OutboxRecordFormat.BodyPrefixBytes || bodyBytes > OutboxRecordFormat.BodyPrefixBytes + OutboxOptions.HardMaxRecordBytes)
                {
                    reason = "a length no record has";
                    break;
                }

                if (bodyBytes > length - offset - OutboxRecordFormat.HeaderBytes)
                {
                    reason = "a record cut short";
                    break;
                }

                if (body.Length < bodyBytes)
                {
                    body = new byte[Math.Max(bodyBytes, 4096)];
                }

                Span<byte> span = body.AsSpan(0, (int)bodyBytes);
                stream.ReadExactly(span);
                if (OutboxRecordFormat.Checksum(header.AsSpan(0, 4), span) != BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4)))
                {
                    reason = "a CRC that does not match";
                    break;
                }

                long id = BinaryPrimitives.ReadInt64LittleEndian(span);
                var kind = (TopicKind)span[8];
                if (!OutboxRecordFormat.IsQueued(kind))
                {
                    reason = "a topic kind that is not queued";
                    break;
                }

                if (id < firstId || id <= previousId)
                {
                    reason = "an id out of order";
                    break;
                }

                int recordBytes = OutboxRecordFormat.HeaderBytes + (int)bodyBytes;
                good.Add((id, kind, recordBytes));
                previousId = id;
                offset += recordBytes;
            }

            if (reason is not null)
            {
                long cut = length - offset;
                _torn++;
                _tornBytes += cut;
                Log.OutboxTornRecord(_logger, path, offset, reason, cut);
                stream.SetLength(offset);
                stream.Flush(flushToDisk: true);
            }
        }

        if (good.Count == 0)
        {
            File.Delete(path);
            return null;
        }

        OutboxSegment segment = OutboxSegment.OpenExisting(path, firstId);
        foreach ((long id, TopicKind kind, int bytes) in good)
        {
            segment.Add(id, kind, bytes);
        }

        return segment;
    }

    private OutboxSegment StartSegment()
    {
        var segment = OutboxSegment.Create(_directory, _nextId);
        _segments.Add(segment);
        if (_options.FsyncPolicy != OutboxFsyncPolicy.None)
        {
            // The new file's name must be on the disk before any record in it is called durable.
            DurableFile.FlushDirectory(_directory);
        }

        return segment;
    }

    // Closes the segment for appends; the next append begins a new one.
    private void Seal(OutboxSegment segment)
    {
        if (segment == _active)
        {
            _active = null;
        }

        if (segment.Dirty)
        {
            try
            {
                segment.Flush();
            }
            catch (IOException e)
            {
                // Stays dirty: the timer tries again.
                _syncFailures++;
                Log.OutboxSyncFailed(_logger, _directory, e);
                ArmSyncTimer();
            }
        }
    }

    // After a failed append: cut off what of the record reached the file, and never append behind it again.
    private void AbandonActive(OutboxSegment segment, long length)
    {
        _active = null;
        try
        {
            segment.Truncate(length);
        }
        catch (IOException)
        {
            // Cut off at the next open, as a torn record.
        }

        if (segment.Count == 0)
        {
            _segments.Remove(segment);
            try
            {
                segment.Delete();
            }
            catch (IOException)
            {
                // An empty or torn file: deleted at the next open.
            }
        }
    }

    private OutboxSegment? FindSegment(long id)
    {
        int lo = 0, hi = _segments.Count - 1, found = -1;
        while (lo <= hi)
        {
            int mid = lo + ((hi - lo) / 2);
            if (_segments[mid].FirstId <= id)
            {
                found = mid;
                lo = mid + 1;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return found < 0 ? null : _segments[found];
    }

    private void AfterRemoval(OutboxSegment segment)
    {
        if (segment.Live == 0 && segment != _active)
        {
            DeleteSegment(segment);
        }

        if (_options.FsyncPolicy == OutboxFsyncPolicy.Always)
        {
            try
            {
                WriteCursor(flush: true);
                return;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _syncFailures++;
                Log.OutboxSyncFailed(_logger, _directory, e);
            }
        }

        _cursorDirty = true;
        ArmSyncTimer();
    }

    private void DeleteSegment(OutboxSegment segment)
    {
        _segments.Remove(segment);
        if (segment == _active)
        {
            _active = null;
        }

        try
        {
            segment.Delete();
        }
        catch (IOException e)
        {
            // Left on the disk: at the next open the cursor marks its records removed, or they are sent once more.
            _syncFailures++;
            Log.OutboxSyncFailed(_logger, _directory, e);
        }
    }

    // Frees room for a record of recordBytes: rewrites segments with many removed records, then drops the oldest
    // readings a segment at a time, then (only when no reading is left) the oldest events and acks.
    private void MakeRoom(int recordBytes)
    {
        while (FileBytes + recordBytes > _options.MaxBytes && _segments.Count > 0)
        {
            OutboxSegment? holey = _segments.Where(s => s != _active && s.Reclaimable >= _options.SegmentBytes / 4).MaxBy(s => s.Reclaimable);
            if (holey is not null)
            {
                Compact(holey);
                continue;
            }

            if (!_full)
            {
                _full = true;
                Log.OutboxFull(_logger, FileBytes, _options.MaxBytes);
            }

            OutboxSegment? victim = _segments.FirstOrDefault(s => s.LiveReadings > 0);
            bool readingsOnly = victim is not null;
            if (victim is null)
            {
                victim = _segments.FirstOrDefault(s => s.Live > 0) ?? _segments[0];
                if (victim.Live > 0 && !_droppingEvents)
                {
                    _droppingEvents = true;
                    Log.OutboxDroppingEvents(_logger);
                }
            }

            Evict(victim, readingsOnly);
        }
    }

    private void Evict(OutboxSegment segment, bool readingsOnly)
    {
        Seal(segment);
        foreach (OutboxSegment.Entry entry in segment.LiveEntries().Where(e => !readingsOnly || e.Kind == TopicKind.Telemetry).ToList())
        {
            segment.TryRemove(entry.Id, out TopicKind kind);
            CountDrop(kind);
        }

        if (segment.Live == 0)
        {
            DeleteSegment(segment);
        }
        else
        {
            Compact(segment);
        }

        _cursorDirty = true;
        ArmSyncTimer();
    }

    private void Compact(OutboxSegment segment)
    {
        int removed = segment.Count - segment.Live;
        long before = segment.Length;
        segment.Compact(flush: _options.FsyncPolicy != OutboxFsyncPolicy.None);
        Log.OutboxCompacted(_logger, segment.Path, removed, before, segment.Length);
    }

    private void CountDrop(TopicKind kind)
    {
        switch (kind)
        {
            case TopicKind.Telemetry:
                _droppedReadings++;
                _episodeReadings++;
                break;
            case TopicKind.Events:
                _droppedEvents++;
                _episodeEvents++;
                break;
            default:
                _droppedAcks++;
                _episodeAcks++;
                break;
        }
    }

    private void CheckDrained()
    {
        long bytes = FileBytes;
        if (_full && bytes <= _options.MaxBytes / 2)
        {
            Log.OutboxDrained(_logger, bytes, _episodeReadings, _episodeEvents, _episodeAcks);
            _full = false;
            _droppingEvents = false;
            _episodeReadings = _episodeEvents = _episodeAcks = 0;
        }
    }

    private void ArmSyncTimer()
    {
        if (!_timerArmed && !_disposed)
        {
            _timerArmed = true;
            _syncTimer.Change(TimeSpan.FromMilliseconds(_options.FsyncIntervalMilliseconds), Timeout.InfiniteTimeSpan);
        }
    }

    private void OnSyncTimer()
    {
        lock (_gate)
        {
            _timerArmed = false;
            if (_disposed)
            {
                return;
            }

            try
            {
                SyncPending();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _syncFailures++;
                Log.OutboxSyncFailed(_logger, _directory, e);
                ArmSyncTimer();
            }
        }
    }

    private void SyncPending()
    {
        foreach (OutboxSegment segment in _segments.Where(s => s.Dirty))
        {
            segment.Flush();
        }

        if (_cursorDirty)
        {
            WriteCursor(flush: _options.FsyncPolicy != OutboxFsyncPolicy.None);
        }
    }

    // Every id below the oldest live record is removed; so are the removed ids still in the files above it.
    private void WriteCursor(bool flush)
    {
        long mark = _nextId;
        var removedAbove = new List<long>();
        int first = _segments.FindIndex(s => s.Live > 0);
        if (first >= 0)
        {
            mark = _segments[first].FirstLiveId()!.Value;
            removedAbove.AddRange(_segments[first].RemovedIdsAfterFirstLive());
            for (int i = first + 1; i < _segments.Count; i++)
            {
                removedAbove.AddRange(_segments[i].RemovedIds());
            }
        }

        DurableFile.Replace(Path.Combine(_directory, OutboxCursor.FileName), new OutboxCursor(mark, removedAbove).Encode(), flush);
        _cursorDirty = false;
    }
}
