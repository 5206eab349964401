using System.Globalization;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>
/// The injected faults, each a rate in [0, 1] (<c>--faults drop-ack=0.05,disconnect=0.02</c>). Ack faults and
/// <c>jam</c> are fractions of acks and actuations, <c>garbage-nmea</c> of sentences, <c>gps-jump</c> of fixes;
/// <c>disconnect</c> and <c>reboot</c> are chances per device per second.
/// </summary>
internal sealed class FaultPlan
{
    public const string DropAck = "drop-ack", DuplicateAck = "duplicate-ack", DelayAck = "delay-ack", Jam = "jam",
        GarbageNmea = "garbage-nmea", GpsJump = "gps-jump", Disconnect = "disconnect", Reboot = "reboot";

    /// <summary>Every fault name, in the order of the summary.</summary>
    public static IReadOnlyList<string> Names { get; } = [DropAck, DuplicateAck, DelayAck, Jam, GarbageNmea, GpsJump, Disconnect, Reboot];

    private readonly Dictionary<string, double> _rates;

    private FaultPlan(Dictionary<string, double> rates) => _rates = rates;

    /// <summary>No faults.</summary>
    public static FaultPlan None { get; } = new(new Dictionary<string, double>(StringComparer.Ordinal));

    /// <summary>The rate of <paramref name="fault"/> (0 when not given).</summary>
    public double Rate(string fault) => _rates.GetValueOrDefault(fault);

    /// <summary>The faults given, with their rates.</summary>
    public IReadOnlyDictionary<string, double> Rates => _rates;

    /// <summary>Parses <c>name=rate,…</c>; false with <paramref name="error"/> naming the bad part.</summary>
    public static bool TryParse(string? text, out FaultPlan plan, out string? error)
    {
        plan = None;
        error = null;
        var rates = new Dictionary<string, double>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(text))
            return true;
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !Names.Contains(pair[0]))
            {
                error = $"'{part}' is not fault=rate with a fault among {string.Join(", ", Names)}";
                return false;
            }
            if (!double.TryParse(pair[1], NumberStyles.Float, CultureInfo.InvariantCulture, out double rate) || !(rate >= 0 && rate <= 1))
            {
                error = $"the rate of {pair[0]} must be a number from 0 to 1; got '{pair[1]}'";
                return false;
            }
            if (!rates.TryAdd(pair[0], rate))
            {
                error = $"{pair[0]} is given twice";
                return false;
            }
        }
        plan = new FaultPlan(rates);
        return true;
    }

    /// <summary>The plan as given, for logs.</summary>
    public override string ToString() =>
        _rates.Count == 0 ? "none" : string.Join(",", _rates.Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Key}={r.Value}")));
}

/// <summary>How often each fault was injected (thread-safe).</summary>
internal sealed class FaultCounters
{
    private readonly long[] _counts = new long[FaultPlan.Names.Count];

    public void Count(string fault) => Interlocked.Increment(ref _counts[Index(fault)]);

    public long this[string fault] => Interlocked.Read(ref _counts[Index(fault)]);

    public IReadOnlyDictionary<string, long> Snapshot() => FaultPlan.Names.ToDictionary(n => n, n => this[n], StringComparer.Ordinal);

    private static int Index(string fault)
    {
        for (int i = 0; i < FaultPlan.Names.Count; i++)
        {
            if (FaultPlan.Names[i] == fault)
                return i;
        }
        throw new ArgumentOutOfRangeException(nameof(fault), fault, "not a fault");
    }
}
