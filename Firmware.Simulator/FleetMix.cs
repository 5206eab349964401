using System.Globalization;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>The share of each kind in the fleet (<c>--mix bike=80,umbrella-kiosk=10,charger-kiosk=10</c>, weights).</summary>
internal sealed class FleetMix
{
    private readonly List<(DeviceKind Kind, int Weight)> _weights;

    private FleetMix(List<(DeviceKind, int)> weights) => _weights = weights;

    /// <summary>The default mix.</summary>
    public static FleetMix Default { get; } = new([(DeviceKind.Bike, 80), (DeviceKind.UmbrellaKiosk, 10), (DeviceKind.ChargerKiosk, 10)]);

    /// <summary>Parses <c>kind=weight,…</c> (whole weights ≥ 0, at least one above 0).</summary>
    public static bool TryParse(string? text, out FleetMix mix, out string? error)
    {
        mix = Default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
            return true;
        var weights = new List<(DeviceKind, int)>();
        foreach (string part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] pair = part.Split('=', 2, StringSplitOptions.TrimEntries);
            if (pair.Length != 2 || !DeviceKinds.TryParse(pair[0], out DeviceKind kind))
            {
                error = $"'{part}' is not kind=weight with a kind among bike, umbrella-kiosk, charger-kiosk";
                return false;
            }
            if (!int.TryParse(pair[1], NumberStyles.None, CultureInfo.InvariantCulture, out int weight))
            {
                error = $"the weight of {pair[0]} must be a whole number ≥ 0; got '{pair[1]}'";
                return false;
            }
            if (weights.Any(w => w.Item1 == kind))
            {
                error = $"{pair[0]} is given twice";
                return false;
            }
            weights.Add((kind, weight));
        }
        if (weights.Sum(w => (long)w.Item2) == 0)
        {
            error = "at least one kind needs a weight above 0";
            return false;
        }
        mix = new FleetMix(weights);
        return true;
    }

    /// <summary>The kind of each of <paramref name="count"/> devices: shares by largest remainder, kinds interleaved.</summary>
    public IReadOnlyList<DeviceKind> Assign(int count)
    {
        long total = _weights.Sum(w => (long)w.Weight);
        var counts = _weights.Select(w => (w.Kind, Exact: (double)w.Weight * count / total)).Select(w => (w.Kind, N: (int)Math.Floor(w.Exact), Remainder: w.Exact - Math.Floor(w.Exact))).ToList();
        int left = count - counts.Sum(c => c.N);
        foreach (var extra in counts.OrderByDescending(c => c.Remainder).Take(left).ToList())
        {
            int i = counts.IndexOf(extra);
            counts[i] = (extra.Kind, extra.N + 1, 0);
        }
        var kinds = new List<DeviceKind>(count);
        var remaining = counts.Select(c => c.N).ToArray();
        while (kinds.Count < count)
        {
            for (int i = 0; i < remaining.Length; i++)
            {
                if (remaining[i] > 0)
                {
                    kinds.Add(counts[i].Kind);
                    remaining[i]--;
                }
            }
        }
        return kinds;
    }

    public override string ToString() => string.Join(",", _weights.Select(w => string.Create(CultureInfo.InvariantCulture, $"{w.Kind.ToWireName()}={w.Weight}")));
}
