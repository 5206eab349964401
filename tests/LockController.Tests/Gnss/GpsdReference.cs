using System.Globalization;
using System.Text.Json;

namespace IoTPlatform.LockController.Tests.Gnss;

/// <summary>
/// gpsd's output for a capture (<c>X.log.chk</c>): its TPV reports grouped by epoch (UTC time of day),
/// keeping the last TPV of each epoch. A TPV with a <c>time</c> belongs to that time of day; gpsd leaves
/// <c>time</c> out until it has a date, and such a TPV belongs to the epoch of the sentence echoed just
/// before it (the sentence that made gpsd report). TPVs before any time-stamped sentence belong to no epoch.
/// </summary>
internal sealed class GpsdReference
{
    private GpsdReference(IReadOnlyDictionary<TimeSpan, GpsdTpv> epochs, IReadOnlyList<GpsdTpv> unassigned, int tpvCount)
    {
        Epochs = epochs;
        Unassigned = unassigned;
        TpvCount = tpvCount;
    }

    /// <summary>The last TPV of each epoch, by time of day.</summary>
    public IReadOnlyDictionary<TimeSpan, GpsdTpv> Epochs { get; }

    /// <summary>TPVs seen before any sentence with a time.</summary>
    public IReadOnlyList<GpsdTpv> Unassigned { get; }

    public int TpvCount { get; }

    public static GpsdReference Load(string chkPath)
    {
        var epochs = new Dictionary<TimeSpan, GpsdTpv>();
        var unassigned = new List<GpsdTpv>();
        TimeSpan? lastSentenceTime = null;
        int count = 0;
        foreach (string raw in File.ReadLines(chkPath, System.Text.Encoding.Latin1))
        {
            string line = raw.TrimEnd('\r', '\n').TrimStart();
            if (line.StartsWith('$'))
            {
                lastSentenceTime = SentenceTime(line) ?? lastSentenceTime;
                continue;
            }
            if (!line.StartsWith("{\"class\":\"TPV\"", StringComparison.Ordinal))
                continue;
            count++;
            GpsdTpv tpv = GpsdTpv.Parse(line);
            TimeSpan? key = tpv.Time is { } time ? RoundToMs(time.UtcDateTime.TimeOfDay) : lastSentenceTime;
            if (key is { } k)
                epochs[k] = tpv;
            else
                unassigned.Add(tpv);
        }
        return new GpsdReference(epochs, unassigned, count);
    }

    /// <summary>The time-of-day field of an echoed sentence, read by field position (independent of the parser under test).</summary>
    private static TimeSpan? SentenceTime(string sentence)
    {
        string[] f = sentence.Split('*')[0].Split(',');
        if (f[0].Length < 6)
            return null;
        int index = f[0][3..] switch
        {
            "GGA" or "RMC" or "GNS" or "ZDA" or "GBS" or "GST" => 1,
            "GLL" => 5,
            _ => -1,
        };
        if (index < 0 || f.Length <= index || f[index].Length < 6)
            return null;
        string t = f[index];
        var time = new TimeSpan(int.Parse(t[..2], CultureInfo.InvariantCulture), int.Parse(t[2..4], CultureInfo.InvariantCulture), int.Parse(t[4..6], CultureInfo.InvariantCulture));
        if (t.Length > 7)
            time += TimeSpan.FromSeconds(double.Parse("0" + t[6..], CultureInfo.InvariantCulture));
        return RoundToMs(time);
    }

    public static TimeSpan RoundToMs(TimeSpan t) => TimeSpan.FromMilliseconds(Math.Round(t.TotalMilliseconds));
}
