using System.Globalization;

namespace IoTPlatform.Gateway.Bench;

/// <summary>How the console benches print: invariant culture, latency percentiles, MiB.</summary>
internal static class Report
{
    public static void Line(FormattableString line) => Console.WriteLine(line.ToString(CultureInfo.InvariantCulture));

    /// <summary>p50, p90, p99 and max of latencies in milliseconds (sorts the array).</summary>
    public static string Percentiles(float[] milliseconds)
    {
        if (milliseconds.Length == 0)
        {
            return "none";
        }

        Array.Sort(milliseconds);
        double At(double p) => milliseconds[Math.Clamp((int)Math.Ceiling(p * milliseconds.Length) - 1, 0, milliseconds.Length - 1)];
        return string.Create(CultureInfo.InvariantCulture, $"p50 {At(0.50):F1} ms, p90 {At(0.90):F1} ms, p99 {At(0.99):F1} ms, max {milliseconds[^1]:F1} ms ({milliseconds.Length} samples)");
    }

    public static string Mb(long bytes) => string.Create(CultureInfo.InvariantCulture, $"{bytes / 1024.0 / 1024.0:F0} MiB");
}
