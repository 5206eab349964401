using System.Diagnostics;
using System.Globalization;

namespace IoTPlatform.Gateway.Bench;

/// <summary>Finds this process's children by name in <c>/proc</c> (a child another class started and keeps private).</summary>
internal static class ChildProcesses
{
    /// <summary>The first direct child whose command name (<c>/proc/PID/stat</c>, field 2) is <paramref name="name"/>; null when none.</summary>
    public static Process? Find(string name)
    {
        var self = Environment.ProcessId;
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(dir, "stat"));
            }
            catch (IOException)
            {
                continue; // Gone meanwhile.
            }
            catch (UnauthorizedAccessException)
            {
                continue;
            }

            // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so split at the last ')'.
            var open = stat.IndexOf('(', StringComparison.Ordinal);
            var close = stat.LastIndexOf(')');
            if (open < 0 || close < open)
            {
                continue;
            }

            var rest = stat[(close + 2)..].Split(' ');
            if (stat[(open + 1)..close] == name && rest.Length > 1
                && int.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent) && parent == self)
            {
                return Process.GetProcessById(pid);
            }
        }

        return null;
    }
}
