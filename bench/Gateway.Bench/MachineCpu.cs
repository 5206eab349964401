using System.Globalization;

namespace IoTPlatform.Gateway.Bench;

/// <summary>Busy and total CPU time of the whole machine from the first line of /proc/stat (Linux), in clock ticks.</summary>
internal readonly record struct MachineCpu(long Busy, long Total)
{
    public static MachineCpu Read()
    {
        try
        {
            var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1)
                .Select(f => long.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            var total = fields.Take(8).Sum();
            var idle = fields[3] + fields[4];
            return new MachineCpu(total - idle, total);
        }
        catch (IOException)
        {
            return default;
        }
    }

    /// <summary>Share of all cores busy between two readings, on the scale where every core busy = 100 % × cores.</summary>
    public static double BusyPercent(MachineCpu before, MachineCpu after) =>
        after.Total == before.Total ? double.NaN : 100.0 * Environment.ProcessorCount * (after.Busy - before.Busy) / (after.Total - before.Total);
}
