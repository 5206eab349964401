using System.Globalization;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>The area the bikes and kiosks are placed and ridden in (<c>--box south,west,north,east</c>).</summary>
internal sealed record CityBox(double South, double West, double North, double East)
{
    /// <summary>Central Beijing, where the README's examples are.</summary>
    public static CityBox Default { get; } = new(39.86, 116.30, 39.96, 116.46);

    public static bool TryParse(string? text, out CityBox box, out string? error)
    {
        box = Default;
        error = null;
        if (string.IsNullOrWhiteSpace(text))
            return true;
        string[] parts = text.Split(',', StringSplitOptions.TrimEntries);
        var values = new double[4];
        if (parts.Length != 4 || !parts.Select((p, i) => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out values[i])).All(ok => ok))
        {
            error = $"'{text}' is not south,west,north,east in degrees";
            return false;
        }
        if (values[0] < -85 || values[2] > 85 || values[0] >= values[2] || values[1] < -180 || values[3] > 180 || values[1] >= values[3])
        {
            error = $"'{text}' is not a box: need -85 ≤ south < north ≤ 85 and -180 ≤ west < east ≤ 180";
            return false;
        }
        box = new CityBox(values[0], values[1], values[2], values[3]);
        return true;
    }

    /// <summary>A uniformly random point in the box.</summary>
    public (double Lat, double Lon) RandomPoint(Random random) =>
        (South + (random.NextDouble() * (North - South)), West + (random.NextDouble() * (East - West)));
}
