using System.Numerics;

namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>Helpers for files that must survive a power cut: CRC-32C, directory fsync, atomic replace.</summary>
internal static class DurableFiles
{
    /// <summary>CRC-32C (Castagnoli) of <paramref name="data"/>, with the hardware instruction where the CPU has one.</summary>
    public static uint Crc32C(ReadOnlySpan<byte> data)
    {
        uint crc = uint.MaxValue;
        while (data.Length >= sizeof(ulong))
        {
            crc = BitOperations.Crc32C(crc, BitConverter.ToUInt64(data));
            data = data[sizeof(ulong)..];
        }
        foreach (byte b in data)
            crc = BitOperations.Crc32C(crc, b);
        return ~crc;
    }

    /// <summary>
    /// Makes a directory's entries durable (a created, renamed or truncated file's name): <c>fsync</c> on the
    /// directory. .NET cannot open a directory, so this goes to libc; off Linux it does nothing.
    /// </summary>
    /// <exception cref="IOException">The directory could not be synced.</exception>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
            return;
        int fd = NativeMethods.Open(System.Text.Encoding.UTF8.GetBytes(directory + "\0"), 0);
        if (fd < 0)
            throw new IOException($"Cannot open directory {directory} to sync it (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
        try
        {
            if (NativeMethods.FSync(fd) != 0)
                throw new IOException($"fsync of directory {directory} failed (errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}).");
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    /// <summary>Writes <paramref name="content"/> to <paramref name="path"/> so that a power cut leaves the old or the new file, whole.</summary>
    public static void ReplaceAtomically(string path, ReadOnlySpan<byte> content)
    {
        string full = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string temp = full + ".tmp";
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: true);
        }
        File.Move(temp, full, overwrite: true);
        FlushDirectory(directory);
    }
}
