using System.Globalization;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.Telemetry.Spool;

/// <summary>
/// Committed batches the history store could not take, on disk in <c>&lt;DataDir&gt;/spool/</c> until they are
/// replayed: append-only segment files (<c>000000000001.spool</c>, …), one record per batch (see
/// <see cref="SpoolRecordCodec"/>), each append flushed to the disk (fsync) before it returns. A segment is
/// deleted as a whole once every batch in it is in the store; after a crash a segment may be replayed again,
/// which the replay tolerates (it skips commits the store already holds).
/// <para>
/// On open every segment is checked record by record. A torn record (a length or CRC that does not match, as
/// a crash in the middle of an append leaves it) is logged, counted and cut off with everything after it in
/// that segment; the records before it stay. The spool holds at most <c>maxBytes</c>: an append that would
/// go beyond refuses, and the commit is withheld.
/// </para>
/// </summary>
public sealed class HistorySpool : IDisposable
{
    public const string FolderName = "spool";

    private const string Extension = ".spool";

    private readonly string _directory;
    private readonly long _maxBytes;
    private readonly long _segmentBytes;
    private readonly IngestStats _stats;
    private readonly ILogger<HistorySpool> _logger;
    private readonly Lock _gate = new();

    // Oldest first. The last one may be open for appends (_active).
    private readonly List<Segment> _segments = [];
    private FileStream? _active;
    private long _nextNumber = 1;
    private TaskCompletionSource _appended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Opens the spool in <paramref name="directory"/> (created when missing), checking every record already there.</summary>
    /// <param name="directory">The spool folder, <c>&lt;DataDir&gt;/spool</c>.</param>
    /// <param name="maxBytes">The most the segment files may hold together.</param>
    /// <param name="stats">Counts torn records, spooled and replayed batches.</param>
    /// <param name="logger">Logs torn records and failed appends.</param>
    /// <param name="segmentBytes">A segment is closed and a new one begun once it holds this much.</param>
    public HistorySpool(string directory, long maxBytes, IngestStats stats, ILogger<HistorySpool> logger, long segmentBytes = 8 * 1024 * 1024)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxBytes);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(segmentBytes);
        _directory = directory;
        _maxBytes = maxBytes;
        _segmentBytes = segmentBytes;
        _stats = stats;
        _logger = logger;
        Directory.CreateDirectory(directory);
        foreach (var (number, path) in SegmentFiles(directory))
        {
            _nextNumber = Math.Max(_nextNumber, number + 1);
            var scan = new Scan();
            var records = 0;
            var lastCommitId = 0L;
            foreach (var batch in ReadRecords(path, scan))
            {
                records++;
                lastCommitId = batch.CommitId;
            }

            if (scan.TornAt is { } offset)
            {
                CutOff(path, offset, scan.Reason!);
            }

            if (records == 0)
            {
                File.Delete(path);
                continue;
            }

            _segments.Add(new Segment(number, path) { Bytes = scan.GoodLength, Records = records, LastCommitId = lastCommitId });
        }
    }

    /// <summary>The spool's folder.</summary>
    public string FolderPath => _directory;

    /// <summary>Batches in the spool (replayed ones count until their segment is removed).</summary>
    public long Records
    {
        get
        {
            lock (_gate)
            {
                return _segments.Sum(s => (long)s.Records);
            }
        }
    }

    /// <summary>Bytes of the segment files.</summary>
    public long Bytes
    {
        get
        {
            lock (_gate)
            {
                return _segments.Sum(s => s.Bytes);
            }
        }
    }

    /// <summary>No batch waits for the store: new batches may go to the store directly.</summary>
    public bool IsEmpty
    {
        get
        {
            lock (_gate)
            {
                return _segments.All(s => s.Records == 0);
            }
        }
    }

    /// <summary>The highest commit id in the spool; 0 when it is empty.</summary>
    public long LastCommitId
    {
        get
        {
            lock (_gate)
            {
                return _segments.Count == 0 ? 0 : _segments.Max(s => s.LastCommitId);
            }
        }
    }

    /// <summary>
    /// Appends the batch and flushes it to the disk. False when the spool is full or its disk failed: then
    /// nothing of the batch counts as spooled (a partly written record is cut off again).
    /// </summary>
    public bool TryAppend(CommitBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var record = SpoolRecordCodec.Encode(batch);
        TaskCompletionSource appended;
        lock (_gate)
        {
            var bytes = _segments.Sum(s => s.Bytes);
            if (bytes + record.Length > _maxBytes)
            {
                Log.SpoolFull(_logger, batch.CommitId, bytes, _maxBytes);
                return false;
            }

            var segment = ActiveSegment();
            var stream = _active!;
            var start = stream.Length;
            try
            {
                stream.Write(record);
                stream.Flush(flushToDisk: true);
            }
            catch (IOException e)
            {
                Log.SpoolAppendFailed(_logger, e, batch.CommitId, segment.Path);
                Abandon(segment, start);
                return false;
            }
            catch (UnauthorizedAccessException e)
            {
                Log.SpoolAppendFailed(_logger, e, batch.CommitId, segment.Path);
                Abandon(segment, start);
                return false;
            }

            segment.Bytes = stream.Length;
            segment.Records++;
            segment.LastCommitId = batch.CommitId;
            if (segment.Bytes >= _segmentBytes)
            {
                CloseActive();
            }

            appended = _appended;
            _appended = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        _stats.BatchSpooled();
        appended.TrySetResult();
        return true;
    }

    /// <summary>Completes when the spool holds a batch (at once when it does).</summary>
    public Task WaitForRecordsAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return _segments.Any(s => s.Records > 0) ? Task.CompletedTask : _appended.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>
    /// The oldest segment's batches, for replay; null when the spool is empty. When that segment is the one
    /// open for appends it is closed first, so later appends go to a new segment.
    /// </summary>
    public SpooledSegment? TakeOldest()
    {
        Segment segment;
        lock (_gate)
        {
            if (_segments.Count == 0)
            {
                return null;
            }

            segment = _segments[0];
            if (_segments.Count == 1 && _active is not null)
            {
                CloseActive();
            }
        }

        var scan = new Scan();
        var batches = ReadRecords(segment.Path, scan).ToList();
        if (scan.TornAt is not null)
        {
            // Written and flushed by this process, so only the disk can have broken it: what is readable replays.
            Log.SpoolTornRecord(_logger, segment.Path, scan.TornAt.Value, scan.Reason!);
            _stats.SpoolTornRecord();
        }

        return new SpooledSegment(segment.Number, batches);
    }

    /// <summary>Deletes a replayed segment: every batch in it is in the store.</summary>
    public void Remove(long number)
    {
        lock (_gate)
        {
            var index = _segments.FindIndex(s => s.Number == number);
            if (index < 0)
            {
                return;
            }

            if (index == _segments.Count - 1 && _active is not null)
            {
                CloseActive();
            }

            File.Delete(_segments[index].Path);
            _segments.RemoveAt(index);
        }
    }

    /// <summary>Every batch in the spool, oldest first, read from the disk (at start: keys and latest state).</summary>
    public IEnumerable<CommitBatch> ReadAll()
    {
        string[] paths;
        lock (_gate)
        {
            paths = [.. _segments.Select(s => s.Path)];
        }

        foreach (var path in paths)
        {
            foreach (var batch in ReadRecords(path, new Scan()))
            {
                yield return batch;
            }
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            CloseActive();
        }
    }

    private static IEnumerable<(long Number, string Path)> SegmentFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*" + Extension)
            .Select(p => (Ok: long.TryParse(Path.GetFileNameWithoutExtension(p), NumberStyles.None, CultureInfo.InvariantCulture, out var n), Number: n, Path: p))
            .Where(f => f.Ok)
            .OrderBy(f => f.Number)
            .Select(f => (f.Number, f.Path));

    /// <summary>The records of a segment file up to the first that is torn (recorded in <paramref name="scan"/>).</summary>
    private static IEnumerable<CommitBatch> ReadRecords(string path, Scan scan)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var header = new byte[SpoolRecordCodec.HeaderBytes];
        while (true)
        {
            var start = stream.Position;
            scan.GoodLength = start;
            var got = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
            if (got == 0)
            {
                yield break;
            }

            if (got < header.Length)
            {
                scan.Torn(start, "a header cut short");
                yield break;
            }

            if (!SpoolRecordCodec.TryReadHeader(header, out var length, out var crc) || length > stream.Length - stream.Position)
            {
                scan.Torn(start, "a length beyond the end of the file");
                yield break;
            }

            var payload = new byte[length];
            stream.ReadExactly(payload);
            if (System.IO.Hashing.Crc32.HashToUInt32(payload) != crc)
            {
                scan.Torn(start, "a CRC that does not match");
                yield break;
            }

            if (!SpoolRecordCodec.TryDecode(payload, out var batch))
            {
                scan.Torn(start, "a payload that does not parse");
                yield break;
            }

            scan.GoodLength = stream.Position;
            yield return batch!;
        }
    }

    private void CutOff(string path, long offset, string reason)
    {
        Log.SpoolTornRecord(_logger, path, offset, reason);
        _stats.SpoolTornRecord();
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(offset);
        stream.Flush(flushToDisk: true);
    }

    private Segment ActiveSegment()
    {
        if (_active is not null)
        {
            return _segments[^1];
        }

        var number = _nextNumber++;
        var segment = new Segment(number, Path.Combine(_directory, number.ToString("D12", CultureInfo.InvariantCulture) + Extension));
        _active = new FileStream(segment.Path, FileMode.CreateNew, FileAccess.Write, FileShare.Read | FileShare.Delete);
        _segments.Add(segment);
        return segment;
    }

    private void CloseActive()
    {
        _active?.Dispose();
        _active = null;
    }

    // After a failed append: cut off what of the record reached the file, and begin a new segment next time so that
    // nothing is ever appended behind a partial record.
    private void Abandon(Segment segment, long length)
    {
        try
        {
            _active!.SetLength(length);
            _active.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // Cut off at the next open, as a torn record.
        }
        finally
        {
            CloseActive();
        }

        if (segment.Records == 0)
        {
            _segments.Remove(segment);
            try
            {
                File.Delete(segment.Path);
            }
            catch (IOException)
            {
                // An empty or torn file: dropped at the next open.
            }
        }
    }

    private sealed class Segment(long number, string path)
    {
        public long Number { get; } = number;

        public string Path { get; } = path;

        public long Bytes { get; set; }

        public int Records { get; set; }

        public long LastCommitId { get; set; }
    }

    private sealed class Scan
    {
        public long GoodLength { get; set; }

        public long? TornAt { get; private set; }

        public string? Reason { get; private set; }

        public void Torn(long offset, string reason)
        {
            TornAt = offset;
            Reason = reason;
        }
    }
}
