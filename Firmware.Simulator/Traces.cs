using System.Globalization;
using System.Xml.Linq;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>Recorded rides (<c>--traces DIR</c>): the track points of every <c>.gpx</c> and of every <c>.csv</c> with latitude and longitude columns.</summary>
internal static class Traces
{
    /// <summary>The tracks in <paramref name="dir"/>, each at least two points; a file that cannot be read is a setup error.</summary>
    public static List<IReadOnlyList<(double Lat, double Lon)>> Load(string dir)
    {
        if (!Directory.Exists(dir))
            throw new SetupException($"--traces: no folder {dir}");
        var tracks = new List<IReadOnlyList<(double, double)>>();
        foreach (string file in Directory.EnumerateFiles(dir).Order(StringComparer.Ordinal))
        {
            List<(double, double)>? points = Path.GetExtension(file).ToUpperInvariant() switch
            {
                ".GPX" => Gpx(file),
                ".CSV" => Csv(file),
                _ => null,
            };
            if (points is { Count: >= 2 })
                tracks.Add(points);
        }
        if (tracks.Count == 0)
            throw new SetupException($"--traces: no .gpx or .csv track with two points or more in {dir}");
        return tracks;
    }

    private static List<(double, double)> Gpx(string file)
    {
        try
        {
            XDocument doc = XDocument.Load(file);
            return [.. doc.Descendants().Where(e => e.Name.LocalName == "trkpt")
                .Select(e => (Number(e.Attribute("lat")?.Value), Number(e.Attribute("lon")?.Value)))
                .Where(p => p.Item1 is not null && p.Item2 is not null)
                .Select(p => (p.Item1!.Value, p.Item2!.Value))];
        }
        catch (System.Xml.XmlException e)
        {
            throw new SetupException($"--traces: {file} is not GPX: {e.Message}");
        }
    }

    private static List<(double, double)>? Csv(string file)
    {
        string[] lines = File.ReadAllLines(file);
        if (lines.Length < 3)
            return null;
        string[] header = [.. lines[0].Split(',').Select(h => h.Trim().ToUpperInvariant())];
        int lat = Array.FindIndex(header, h => h is "LAT" or "LATITUDE"), lon = Array.FindIndex(header, h => h is "LON" or "LNG" or "LONGITUDE");
        if (lat < 0 || lon < 0)
            return null;
        var points = new List<(double, double)>();
        foreach (string line in lines.Skip(1))
        {
            string[] cells = line.Split(',');
            if (cells.Length > Math.Max(lat, lon) && Number(cells[lat]) is double a && Number(cells[lon]) is double b && Math.Abs(a) <= 90 && Math.Abs(b) <= 180)
                points.Add((a, b));
        }
        return points;
    }

    private static double? Number(string? text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;
}

/// <summary>A bad setting or an unusable backend before the run begins: exit code 2 with this message.</summary>
internal sealed class SetupException(string message) : Exception(message);
