using System.Runtime.InteropServices;

namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>
/// Small files replaced atomically: written to <c>&lt;path&gt;.tmp</c>, flushed, renamed over the old one, and the rename
/// flushed by an fsync of the folder. A crash at any point leaves the old content or the new, never a mix.
/// </summary>
internal static class DurableFile
{
    public const string TempSuffix = ".tmp";

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/>; with <paramref name="flush"/> false nothing is fsynced (still atomic against a crash of the process).</summary>
    public static void Replace(string path, ReadOnlySpan<byte> content, bool flush)
    {
        string temp = path + TempSuffix;
        using (var stream = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            stream.Write(content);
            stream.Flush(flushToDisk: flush);
        }

        File.Move(temp, path, overwrite: true);
        if (flush)
        {
            FlushDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
    }

    /// <summary>
    /// Makes the folder's entries (a created, renamed or deleted file) durable: fsync of the folder itself, which
    /// .NET has no API for. Linux only; elsewhere a no-op (the firmware runs on Linux).
    /// </summary>
    public static void FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        int fd = NativeMethods.Open(System.Text.Encoding.UTF8.GetBytes(directory + "\0"), NativeMethods.ReadOnlyCloseOnExec);
        if (fd < 0)
        {
            throw new IOException($"Cannot open the folder {directory} to flush it (errno {Marshal.GetLastPInvokeError()}).");
        }

        try
        {
            if (NativeMethods.Fsync(fd) != 0)
            {
                throw new IOException($"fsync of the folder {directory} failed (errno {Marshal.GetLastPInvokeError()}).");
            }
        }
        finally
        {
            _ = NativeMethods.Close(fd);
        }
    }

    private static class NativeMethods
    {
        // O_RDONLY | O_CLOEXEC: the same values on x64 and arm64 Linux.
        public const int ReadOnlyCloseOnExec = 0x80000;

        [DllImport("libc", EntryPoint = "open", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Open(byte[] nullTerminatedUtf8Path, int flags);

        [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Fsync(int fd);

        [DllImport("libc", EntryPoint = "close", SetLastError = true)]
        [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
        public static extern int Close(int fd);
    }
}
