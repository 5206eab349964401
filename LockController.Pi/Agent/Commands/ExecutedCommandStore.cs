using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;
using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>
/// The ids of the commands this controller has accepted or rejected, with the acks it sent, in an append-only file
/// that survives power cuts. Each record is <c>[length u32][crc32c u32][payload]</c>, little-endian, and is fsynced
/// before <see cref="RecordAccepted"/> or <see cref="RecordDone"/> returns: that is what lets the executor record an id
/// BEFORE it actuates. <see cref="Open"/> reads the file back and cuts off a torn tail (a record half-written when the
/// power went, caught by its length or CRC). Ids are kept until a day after their <c>expiresAt</c>
/// (<see cref="Prune"/>): a repeat after that is refused as expired anyway. Thread-safe.
/// </summary>
public sealed class ExecutedCommandStore : IDisposable
{
    /// <summary>How long after its expiry an id is kept.</summary>
    public static readonly TimeSpan Retention = TimeSpan.FromDays(1);

    /// <summary>How often <see cref="PruneIfDue"/> rewrites the file at most.</summary>
    public static readonly TimeSpan PruneInterval = TimeSpan.FromHours(1);

    private const int HeaderBytes = 8;
    private const int MaxPayloadBytes = 16 * 1024;
    private const byte FormatVersion = 1;

    private readonly string _path;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, ExecutedCommand> _entries = new(StringComparer.Ordinal);
    private FileStream _stream;
    private long _length;
    private bool _broken;
    private long _lastPrune;
    private long _appended;
    private long _tornTails;
    private long _unreadable;
    private long _pruned;
    private long _writeFailures;

    private ExecutedCommandStore(string path, FileStream stream, TimeProvider time, ILogger logger)
    {
        _path = path;
        _stream = stream;
        _time = time;
        _logger = logger;
        _lastPrune = time.GetTimestamp();
    }

    /// <summary>The file.</summary>
    public string Path => _path;

    /// <summary>Counters and sizes.</summary>
    public ExecutedCommandStoreStats Stats
    {
        get
        {
            lock (_gate)
            {
                return new ExecutedCommandStoreStats(_entries.Count, _entries.Values.Count(e => e.Done is null), _length,
                    _appended, _tornTails, _unreadable, _pruned, _writeFailures);
            }
        }
    }

    /// <summary>Opens (or creates) the store at <paramref name="path"/>, reads it back and repairs a torn tail.</summary>
    /// <exception cref="IOException">The file cannot be opened or repaired.</exception>
    public static ExecutedCommandStore Open(string path, TimeProvider time, ILogger<ExecutedCommandStore> logger)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        string full = System.IO.Path.GetFullPath(path);
        string directory = System.IO.Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        bool existed = File.Exists(full);
        var stream = new FileStream(full, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
        var store = new ExecutedCommandStore(full, stream, time, logger);
        try
        {
            if (!existed)
                DurableFiles.FlushDirectory(directory);
            store.Load();
        }
        catch
        {
            store.Dispose();
            throw;
        }
        return store;
    }

    /// <summary>The record of <paramref name="id"/>, if this controller has seen it (and not yet pruned it).</summary>
    public bool TryGet(string id, [NotNullWhen(true)] out ExecutedCommand? entry)
    {
        lock (_gate)
            return _entries.TryGetValue(id, out entry);
    }

    /// <summary>Ids accepted without an outcome: interrupted by a power cut (or, in this process, still running).</summary>
    public IReadOnlyList<ExecutedCommand> Unfinished
    {
        get
        {
            lock (_gate)
                return [.. _entries.Values.Where(e => e.Done is null && e.Received is not null)];
        }
    }

    /// <summary>Records, durably, that <paramref name="command"/> is accepted and <paramref name="received"/> is its ack. Call BEFORE actuating.</summary>
    /// <exception cref="IOException">Not recorded: do not actuate.</exception>
    public void RecordAccepted(DeviceCommand command, CommandAck received)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(received);
        Append(new ExecutedCommand(command.Id, command.Action, command.Slot, command.ExpiresAt, received, null));
    }

    /// <summary>Records, durably, the outcome of <paramref name="command"/>: its <c>done</c> ack (executed, or rejected).</summary>
    /// <exception cref="IOException">Not recorded.</exception>
    public void RecordDone(DeviceCommand command, CommandAck done)
    {
        ArgumentNullException.ThrowIfNull(command);
        ArgumentNullException.ThrowIfNull(done);
        Append(new ExecutedCommand(command.Id, command.Action, command.Slot, command.ExpiresAt, null, done));
    }

    /// <summary>
    /// Drops ids whose <c>expiresAt</c> is more than <see cref="Retention"/> before <paramref name="now"/> and rewrites
    /// the file without them (atomically). Call only with a trustworthy <paramref name="now"/>: a clock far ahead would
    /// forget ids early. Returns how many were dropped.
    /// </summary>
    /// <exception cref="IOException">The file could not be rewritten (nothing was dropped).</exception>
    public int Prune(DateTimeOffset now)
    {
        long cutoff = (now - Retention).ToUnixTimeMilliseconds();
        lock (_gate)
        {
            _lastPrune = _time.GetTimestamp();
            List<string> old = [.. _entries.Values.Where(e => e.ExpiresAt < cutoff).Select(e => e.Id)];
            if (old.Count == 0)
                return 0;
            List<ExecutedCommand> keep = [.. _entries.Values.Where(e => e.ExpiresAt >= cutoff)];
            Rewrite(keep);
            foreach (string id in old)
                _entries.Remove(id);
            _pruned += old.Count;
            Log.StorePruned(_logger, old.Count, _entries.Count);
            return old.Count;
        }
    }

    /// <summary><see cref="Prune"/> when <see cref="PruneInterval"/> has passed since the last one (or the open).</summary>
    public int PruneIfDue(DateTimeOffset now)
    {
        lock (_gate)
        {
            if (_time.GetElapsedTime(_lastPrune) < PruneInterval)
                return 0;
        }
        return Prune(now);
    }

    public void Dispose()
    {
        lock (_gate)
            _stream.Dispose();
    }

    // ---- file ----

    private void Append(ExecutedCommand update)
    {
        byte[] frame = Frame(update);
        lock (_gate)
        {
            if (_broken)
            {
                _writeFailures++;
                throw new IOException($"{_path}: an earlier write failed and could not be undone; restart to repair the file.");
            }
            try
            {
                _stream.Position = _length;
                _stream.Write(frame);
                _stream.Flush(flushToDisk: true);
            }
            catch (IOException)
            {
                _writeFailures++;
                try
                {
                    // A partial record would hide every later one at the next open: cut it off now.
                    _stream.SetLength(_length);
                    _stream.Flush(flushToDisk: true);
                }
                catch (IOException)
                {
                    _broken = true;
                }
                throw;
            }
            _length += frame.Length;
            _appended++;
            Merge(update);
        }
    }

    private void Merge(ExecutedCommand update)
    {
        _entries[update.Id] = _entries.TryGetValue(update.Id, out ExecutedCommand? known)
            ? known with { Received = update.Received ?? known.Received, Done = update.Done ?? known.Done }
            : update;
    }

    private void Load()
    {
        var content = new byte[_stream.Length];
        _stream.Position = 0;
        _stream.ReadExactly(content);
        long offset = 0;
        while (offset < content.Length)
        {
            ReadOnlySpan<byte> rest = content.AsSpan((int)offset);
            if (rest.Length < HeaderBytes)
                break;
            uint length = BinaryPrimitives.ReadUInt32LittleEndian(rest);
            uint crc = BinaryPrimitives.ReadUInt32LittleEndian(rest[4..]);
            if (length is 0 or > MaxPayloadBytes || rest.Length - HeaderBytes < length)
                break;
            ReadOnlySpan<byte> payload = rest.Slice(HeaderBytes, (int)length);
            if (DurableFiles.Crc32C(payload) != crc)
                break;
            if (TryParse(payload, out ExecutedCommand? update))
            {
                Merge(update);
            }
            else
            {
                _unreadable++;
                Log.StoreRecordUnreadable(_logger, _path, offset);
            }
            offset += HeaderBytes + length;
        }
        if (offset < content.Length)
        {
            _stream.SetLength(offset);
            _stream.Flush(flushToDisk: true);
            _tornTails++;
            Log.StoreTornTail(_logger, _path, offset, content.Length - offset);
        }
        _length = offset;
        int unfinished = _entries.Values.Count(e => e.Done is null);
        Log.StoreLoaded(_logger, _path, _entries.Count, unfinished);
    }

    private void Rewrite(List<ExecutedCommand> keep)
    {
        using var buffer = new MemoryStream();
        foreach (ExecutedCommand entry in keep)
            buffer.Write(Frame(entry));
        string directory = System.IO.Path.GetDirectoryName(_path)!;
        string temp = _path + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
            stream.Flush(flushToDisk: true);
        }
        _stream.Dispose();
        try
        {
            File.Move(temp, _path, overwrite: true);
            DurableFiles.FlushDirectory(directory);
        }
        finally
        {
            // Whatever is at the path now (old file or new) is whole; go on appending to it.
            try
            {
                _stream = new FileStream(_path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.Read);
                _length = _stream.Length;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Appends refuse (IOException) from now on: no command actuates unrecorded.
                _broken = true;
            }
        }
    }

    // ---- records ----

    private static byte[] Frame(ExecutedCommand entry)
    {
        byte[] id = Encoding.UTF8.GetBytes(entry.Id);
        byte[] received = entry.Received is null ? [] : PayloadCodec.Encode(entry.Received);
        byte[] done = entry.Done is null ? [] : PayloadCodec.Encode(entry.Done);
        int payloadLength = 1 + 2 + id.Length + 1 + 4 + 8 + 2 + received.Length + 2 + done.Length;
        if (payloadLength > MaxPayloadBytes)
            throw new ArgumentException($"Command {entry.Id}: record of {payloadLength} bytes is too large.", nameof(entry));
        var frame = new byte[HeaderBytes + payloadLength];
        Span<byte> p = frame.AsSpan(HeaderBytes);
        int at = 0;
        p[at++] = FormatVersion;
        BinaryPrimitives.WriteUInt16LittleEndian(p[at..], (ushort)id.Length);
        at += 2;
        id.CopyTo(p[at..]);
        at += id.Length;
        p[at++] = (byte)entry.Action;
        BinaryPrimitives.WriteInt32LittleEndian(p[at..], entry.Slot ?? 0);
        at += 4;
        BinaryPrimitives.WriteInt64LittleEndian(p[at..], entry.ExpiresAt);
        at += 8;
        foreach (byte[] ack in new[] { received, done })
        {
            BinaryPrimitives.WriteUInt16LittleEndian(p[at..], (ushort)ack.Length);
            at += 2;
            ack.CopyTo(p[at..]);
            at += ack.Length;
        }
        BinaryPrimitives.WriteUInt32LittleEndian(frame, (uint)payloadLength);
        BinaryPrimitives.WriteUInt32LittleEndian(frame.AsSpan(4), DurableFiles.Crc32C(p));
        return frame;
    }

    private static bool TryParse(ReadOnlySpan<byte> p, [NotNullWhen(true)] out ExecutedCommand? entry)
    {
        entry = null;
        if (p.Length < 1 + 2 || p[0] != FormatVersion)
            return false;
        int at = 1;
        int idLength = BinaryPrimitives.ReadUInt16LittleEndian(p[at..]);
        at += 2;
        if (p.Length < at + idLength + 1 + 4 + 8)
            return false;
        string id = Encoding.UTF8.GetString(p.Slice(at, idLength));
        at += idLength;
        var action = (CommandAction)p[at++];
        int slot = BinaryPrimitives.ReadInt32LittleEndian(p[at..]);
        at += 4;
        long expiresAt = BinaryPrimitives.ReadInt64LittleEndian(p[at..]);
        at += 8;
        if (!Enum.IsDefined(action) || !TryReadAck(p, ref at, out CommandAck? received) || !TryReadAck(p, ref at, out CommandAck? done) || at != p.Length)
            return false;
        entry = new ExecutedCommand(id, action, slot == 0 ? null : slot, expiresAt, received, done);
        return true;
    }

    private static bool TryReadAck(ReadOnlySpan<byte> p, ref int at, out CommandAck? ack)
    {
        ack = null;
        if (p.Length < at + 2)
            return false;
        int length = BinaryPrimitives.ReadUInt16LittleEndian(p[at..]);
        at += 2;
        if (p.Length < at + length)
            return false;
        if (length == 0)
            return true;
        bool ok = PayloadCodec.TryDecodeAck(p.Slice(at, length), out ack, out _);
        at += length;
        return ok;
    }
}
