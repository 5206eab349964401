using System.Runtime.InteropServices;

namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>The few libc calls the command layer needs on Linux (blittable signatures: no marshalling code).</summary>
internal static class NativeMethods
{
    /// <summary>Kernel clock state returned by <c>adjtimex</c> when the clock is not synchronised.</summary>
    public const int TimeError = 5;

    /// <summary><c>STA_UNSYNC</c> in <see cref="Timex.Status"/>: set while the clock is not synchronised.</summary>
    public const int StaUnsync = 0x0040;

    /// <summary><c>struct timex</c> of <c>adjtimex(2)</c>; C <c>long</c> is <see cref="nint"/> on Linux (LP64 and ILP32).</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct Timex
    {
        public uint Modes;
        public nint Offset;
        public nint Freq;
        public nint MaxError;
        public nint EstError;
        public int Status;
        public nint Constant;
        public nint Precision;
        public nint Tolerance;
        public nint TimeSeconds;
        public nint TimeMicroseconds;
        public nint Tick;
        public nint PpsFreq;
        public nint Jitter;
        public int Shift;
        public nint Stabil;
        public nint JitCnt;
        public nint CalCnt;
        public nint ErrCnt;
        public nint StbCnt;
        public int Tai;
        public int Reserved0;
        public int Reserved1;
        public int Reserved2;
        public int Reserved3;
        public int Reserved4;
        public int Reserved5;
        public int Reserved6;
        public int Reserved7;
        public int Reserved8;
        public int Reserved9;
        public int Reserved10;
    }

    /// <summary>Reads (modes = 0: changes nothing, needs no privilege) the kernel's clock discipline state.</summary>
    [DllImport("libc", SetLastError = true, EntryPoint = "adjtimex")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int AdjTimex(ref Timex buffer);

    [DllImport("libc", SetLastError = true, EntryPoint = "open")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Open(byte[] nulTerminatedUtf8Path, int flags);

    [DllImport("libc", SetLastError = true, EntryPoint = "fsync")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int FSync(int fd);

    [DllImport("libc", SetLastError = true, EntryPoint = "close")]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    public static extern int Close(int fd);
}
