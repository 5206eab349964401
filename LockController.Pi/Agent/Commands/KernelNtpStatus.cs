using System.Runtime.InteropServices;

namespace IoTPlatform.LockController.Pi.Agent.Commands;

/// <summary>
/// Asks the Linux kernel, through <c>adjtimex(2)</c> in read-only mode, whether the system clock is synchronised:
/// an NTP daemon (chrony, systemd-timesyncd, ntpd) that has synchronised it clears <c>STA_UNSYNC</c>, and the call
/// then returns a state other than <c>TIME_ERROR</c>. Off Linux, or when the call fails, the answer is "not synchronised".
/// </summary>
public sealed class KernelNtpStatus : INtpStatus
{
    /// <inheritdoc />
    public bool IsSynchronised => Read().Synchronised;

    /// <summary>The raw answer: the call's return value (the clock state, or -1), the status word, and the conclusion.</summary>
    public static KernelClockReading Read()
    {
        if (!OperatingSystem.IsLinux())
            return new KernelClockReading(-1, 0, false, "not Linux");
        try
        {
            var timex = default(NativeMethods.Timex);
            int state = NativeMethods.AdjTimex(ref timex);
            if (state < 0)
                return new KernelClockReading(state, 0, false, $"adjtimex failed: errno {Marshal.GetLastPInvokeError()}");
            bool synchronised = state != NativeMethods.TimeError && (timex.Status & NativeMethods.StaUnsync) == 0;
            return new KernelClockReading(state, timex.Status, synchronised, null);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or MarshalDirectiveException)
        {
            return new KernelClockReading(-1, 0, false, $"adjtimex unavailable: {e.Message}");
        }
    }
}

/// <summary>What <c>adjtimex(2)</c> said.</summary>
/// <param name="State">The return value: <c>TIME_OK</c> (0) … <c>TIME_ERROR</c> (5), or -1 on failure.</param>
/// <param name="Status">The <c>status</c> word (<c>STA_*</c> bits).</param>
/// <param name="Synchronised">True when the state is not <c>TIME_ERROR</c> and <c>STA_UNSYNC</c> is clear.</param>
/// <param name="Error">Why it could not be read, or null.</param>
public sealed record KernelClockReading(int State, int Status, bool Synchronised, string? Error);
