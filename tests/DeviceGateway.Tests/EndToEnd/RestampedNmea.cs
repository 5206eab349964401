using System.Globalization;
using System.Text;

namespace IoTPlatform.DeviceGateway.Tests.EndToEnd;

/// <summary>
/// A copy of a recorded NMEA capture whose UTC times and dates are moved so that its first epoch is a given time
/// (positions, speeds and everything else as recorded; checksums recomputed). Replayed at the pace of its own
/// epochs (<see cref="BaudForRealTime"/>), it is a receiver reporting the time now: the firmware's GNSS clock
/// becomes trustworthy from it, as on a bike in the street — this machine's kernel clock is not NTP-synchronised
/// and has no RTC, so without it every time-bound command would be refused as clock-unsynced.
/// </summary>
internal static class RestampedNmea
{
    /// <summary>Writes the restamped copy of <paramref name="source"/> to <paramref name="target"/>; returns the number of epochs (distinct times).</summary>
    public static int Write(string source, string target, DateTimeOffset firstEpoch)
    {
        TimeSpan? first = null;
        var epochs = new HashSet<TimeSpan>();
        var output = new StringBuilder();
        foreach (string line in File.ReadLines(source))
        {
            string restamped = Restamp(line, firstEpoch, ref first, epochs);
            output.Append(restamped).Append("\r\n");
        }
        File.WriteAllText(target, output.ToString(), Encoding.ASCII);
        return epochs.Count;
    }

    /// <summary>The serial rate at which <paramref name="path"/>, replayed at speed 1, delivers one epoch a second on average.</summary>
    public static int BaudForRealTime(string path, int epochs) => (int)Math.Round(new FileInfo(path).Length * 10.0 / epochs);

    private static string Restamp(string line, DateTimeOffset firstEpoch, ref TimeSpan? first, HashSet<TimeSpan> epochs)
    {
        int star = line.LastIndexOf('*');
        if (!line.StartsWith('$') || star < 0 || line.Length < 7)
            return line;
        string[] fields = line[1..star].Split(',');
        string formatter = fields[0].Length == 5 ? fields[0][2..] : "";
        int timeField = formatter switch
        {
            "GGA" or "RMC" or "GNS" or "ZDA" => 1,
            "GLL" => 5,
            _ => -1,
        };
        if (timeField < 0 || timeField >= fields.Length || fields[timeField].Length < 6)
            return line;
        if (!TryParseTime(fields[timeField], out TimeSpan original))
            return line;
        first ??= original;
        TimeSpan delta = original - first.Value;
        if (delta < TimeSpan.Zero)
            delta += TimeSpan.FromDays(1);
        epochs.Add(original);
        DateTimeOffset when = firstEpoch + delta;
        string fraction = fields[timeField].Contains('.', StringComparison.Ordinal) ? fields[timeField][fields[timeField].IndexOf('.', StringComparison.Ordinal)..] : "";
        fields[timeField] = when.ToString("HHmmss", CultureInfo.InvariantCulture) + fraction;
        if (formatter == "RMC" && fields.Length > 9 && fields[9].Length == 6)
            fields[9] = when.ToString("ddMMyy", CultureInfo.InvariantCulture);
        if (formatter == "ZDA" && fields.Length > 4)
        {
            fields[2] = when.ToString("dd", CultureInfo.InvariantCulture);
            fields[3] = when.ToString("MM", CultureInfo.InvariantCulture);
            fields[4] = when.ToString("yyyy", CultureInfo.InvariantCulture);
        }
        string body = string.Join(',', fields);
        byte checksum = 0;
        foreach (char c in body)
            checksum ^= (byte)c;
        return $"${body}*{checksum:X2}";
    }

    private static bool TryParseTime(string field, out TimeSpan time)
    {
        time = default;
        return int.TryParse(field.AsSpan(0, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int h)
            && int.TryParse(field.AsSpan(2, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int m)
            && int.TryParse(field.AsSpan(4, 2), NumberStyles.None, CultureInfo.InvariantCulture, out int s)
            && (time = new TimeSpan(h, m, s)) >= TimeSpan.Zero;
    }
}
