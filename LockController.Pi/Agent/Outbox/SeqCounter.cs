using System.Globalization;
using System.IO.Hashing;
using System.Text;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>
/// The device's <c>seq</c>, one counter for all its readings and events, that never repeats — not after a crash, not
/// after a power cut at any instruction. Values are reserved in blocks: the file holds the reserved bound (every value
/// handed out is below it), and a new bound is written, flushed and atomically renamed into place, and the rename
/// flushed, BEFORE the first value of its block is handed out. After a restart counting resumes at the bound, skipping
/// what was left of the block.
/// <para>
/// The file is one text line, <c>seq-bound &lt;n&gt; crc32 &lt;8 hex digits&gt;</c> (the CRC-32 of
/// <c>seq-bound &lt;n&gt;</c>). A missing file starts the counter at 1 (first start; a wiped data folder does the same,
/// which the backend tolerates because the <c>ts</c> differ). A file that is there but unreadable stops the start with
/// <see cref="InvalidDataException"/>: guessing could repeat values the backend already holds, and it would drop those
/// readings as duplicates. Recovery: docs/firmware-outbox.md.
/// </para>
/// </summary>
public sealed class SeqCounter : IDisposable
{
    private const string Prefix = "seq-bound ";

    private readonly string _path;
    private readonly int _blockSize;
    private readonly ILogger _logger;
    private readonly FileStream _lockFile;
    private readonly Lock _gate = new();
    private long _next;
    private long _bound;

    private SeqCounter(string path, int blockSize, ILogger logger, FileStream lockFile, long bound)
    {
        _path = path;
        _blockSize = blockSize;
        _logger = logger;
        _lockFile = lockFile;
        _next = bound;
        _bound = bound;
    }

    /// <summary>The first value after a start with no file.</summary>
    public static long FirstValue => 1;

    /// <summary>The persisted bound: every value handed out is below it.</summary>
    public long ReservedBound
    {
        get
        {
            lock (_gate)
            {
                return _bound;
            }
        }
    }

    /// <summary>
    /// Opens the counter kept in <paramref name="path"/> (the folder is created when missing). Throws
    /// <see cref="InvalidDataException"/> for a file that is there but unreadable, <see cref="IOException"/> when the
    /// counter is open in another process.
    /// </summary>
    public static SeqCounter Open(string path, int blockSize, ILogger logger)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(blockSize);
        ArgumentNullException.ThrowIfNull(logger);
        path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        FileStream lockFile;
        try
        {
            lockFile = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException e)
        {
            throw new IOException($"The seq counter {path} is open in another process: two counters would hand out the same values.", e);
        }

        try
        {
            long bound;
            switch (TryRead(path, out bound, out string? reason))
            {
                case SeqFileState.Missing:
                    bound = FirstValue;
                    Log.SeqStartedFresh(logger, path, bound);
                    break;
                case SeqFileState.Corrupt:
                    Log.SeqCorrupt(logger, path, reason!);
                    throw new InvalidDataException(
                        $"The seq file {path} is unreadable ({reason}). Refusing to start: a guessed seq could repeat values the backend "
                        + "already holds, and it would drop those readings and events as duplicates. To recover, find the device's highest "
                        + "seq (GET /api/devices/{id}/latest and /api/devices/{id}/events) and run "
                        + $"'LockController.Pi outbox seq {path} --set <that seq + 1>' (or delete the file to start again at 1).");
                default:
                    Log.SeqOpened(logger, path, bound);
                    break;
            }

            return new SeqCounter(path, blockSize, logger, lockFile, bound);
        }
        catch
        {
            lockFile.Dispose();
            throw;
        }
    }

    /// <summary>What is in a seq file: <paramref name="bound"/> when it is good, a reason when it is corrupt. Never throws for its content.</summary>
    public static SeqFileState TryRead(string path, out long bound, out string? reason)
    {
        bound = 0;
        reason = null;
        string text;
        try
        {
            text = File.ReadAllText(path, Encoding.ASCII);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return SeqFileState.Missing;
        }

        if (TryParse(text.TrimEnd('\n'), out bound, out reason))
        {
            return SeqFileState.Good;
        }

        return SeqFileState.Corrupt;
    }

    /// <summary>
    /// Sets the bound of a seq file (the recovery tool): the next start hands out <paramref name="bound"/> first. Throws
    /// <see cref="IOException"/> while a counter has the file open.
    /// </summary>
    public static void Set(string path, long bound)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bound);
        path = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        try
        {
            using var lockFile = new FileStream(path + ".lock", FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            Write(path, bound);
        }
        catch (IOException e) when (e is not FileNotFoundException and not DirectoryNotFoundException)
        {
            throw new IOException($"Cannot set the seq file {path}: {e.Message} (is the controller running? stop it first)", e);
        }
    }

    /// <summary>
    /// The next value. When its block is used up, the next bound is made durable first; if that write fails the
    /// <see cref="IOException"/> reaches the caller and no value is handed out.
    /// </summary>
    public long Next()
    {
        lock (_gate)
        {
            if (_next >= _bound)
            {
                long bound = checked(_next + _blockSize);
                Write(_path, bound);
                _bound = bound;
                Log.SeqReserved(_logger, _path, bound);
            }

            return _next++;
        }
    }

    public void Dispose() => _lockFile.Dispose();

    private static void Write(string path, long bound) =>
        DurableFile.Replace(path, Encoding.ASCII.GetBytes(Format(bound) + "\n"), flush: true);

    private static string Format(long bound)
    {
        string line = Prefix + bound.ToString(CultureInfo.InvariantCulture);
        return line + " crc32 " + Crc32.HashToUInt32(Encoding.ASCII.GetBytes(line)).ToString("x8", CultureInfo.InvariantCulture);
    }

    private static bool TryParse(string text, out long bound, out string? reason)
    {
        bound = 0;
        int crcAt = text.LastIndexOf(" crc32 ", StringComparison.Ordinal);
        if (!text.StartsWith(Prefix, StringComparison.Ordinal) || crcAt < 0)
        {
            reason = text.Length == 0 ? "empty" : "not a seq file";
            return false;
        }

        if (!long.TryParse(text.AsSpan(Prefix.Length, crcAt - Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out bound) || bound <= 0)
        {
            reason = "the bound is not a positive number";
            return false;
        }

        if (!string.Equals(Format(bound), text, StringComparison.Ordinal))
        {
            reason = "the CRC does not match";
            return false;
        }

        reason = null;
        return true;
    }
}
