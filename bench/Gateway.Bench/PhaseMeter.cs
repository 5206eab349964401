using System.Diagnostics;

namespace IoTPlatform.Gateway.Bench;

/// <summary>Wall time, process CPU time, GC collections and allocations of one phase, with the load average around it.</summary>
internal sealed class PhaseMeter
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly TimeSpan _cpuStart = CpuTime();
    private readonly int[] _collectionsStart = Collections();
    private readonly long _allocatedStart = GC.GetTotalAllocatedBytes(precise: false);

    private PhaseMeter() => LoadBefore = LoadAverage();

    public string LoadBefore { get; }

    public TimeSpan Wall { get; private set; }

    /// <summary>Wall time since the start, while the phase runs.</summary>
    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    public TimeSpan Cpu { get; private set; }

    /// <summary>Gen0, gen1, gen2 collections during the phase.</summary>
    public IReadOnlyList<int> Gcs { get; private set; } = [];

    public long Allocated { get; private set; }

    public string LoadAfter { get; private set; } = "";

    public static PhaseMeter Start() => new();

    public void Stop()
    {
        Wall = Stopwatch.GetElapsedTime(_start);
        Cpu = CpuTime() - _cpuStart;
        var collections = Collections();
        Gcs = [.. collections.Select((n, gen) => n - _collectionsStart[gen])];
        Allocated = GC.GetTotalAllocatedBytes(precise: false) - _allocatedStart;
        LoadAfter = LoadAverage();
    }

    /// <summary>The 1, 5 and 15 minute load averages from /proc/loadavg (Linux), or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (IOException)
        {
            return "n/a";
        }
        catch (UnauthorizedAccessException)
        {
            return "n/a";
        }
    }

    private static TimeSpan CpuTime()
    {
        using var process = Process.GetCurrentProcess();
        return process.TotalProcessorTime;
    }

    private static int[] Collections() => [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
}
