namespace IoTPlatform.Firmware.Simulator;

/// <summary>
/// Where one device is, and how it moves: parked, or ridden at a steady speed along a path of points (random
/// waypoints in the city box, or a recorded ride). Read by its simulated GNSS receiver once a second; set by its rider.
/// </summary>
internal sealed class Motion
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private double _lat, _lon, _course, _speed;
    private IReadOnlyList<(double Lat, double Lon)> _path = [];
    private int _next;
    private long _lastStep;

    public Motion(double lat, double lon, TimeProvider time)
    {
        _lat = lat;
        _lon = lon;
        _time = time;
        _lastStep = time.GetTimestamp();
    }

    /// <summary>True while ridden.</summary>
    public bool Moving
    {
        get
        {
            lock (_gate)
                return _speed > 0;
        }
    }

    /// <summary>Metres ridden so far.</summary>
    public double Distance { get; private set; }

    /// <summary>Starts a ride along <paramref name="path"/> at <paramref name="speedMps"/>.</summary>
    public void Ride(IReadOnlyList<(double Lat, double Lon)> path, double speedMps)
    {
        lock (_gate)
        {
            Advance();
            _path = path;
            _next = 0;
            _speed = path.Count == 0 ? 0 : speedMps;
        }
    }

    /// <summary>Stops where it is.</summary>
    public void Park()
    {
        lock (_gate)
        {
            Advance();
            _speed = 0;
            _path = [];
        }
    }

    /// <summary>The position now, its speed (m/s) and course (degrees).</summary>
    public (double Lat, double Lon, double SpeedMps, double Course) Now()
    {
        lock (_gate)
        {
            Advance();
            return (_lat, _lon, _speed, _course);
        }
    }

    private void Advance()
    {
        long now = _time.GetTimestamp();
        double budget = _speed * _time.GetElapsedTime(_lastStep, now).TotalSeconds;
        _lastStep = now;
        while (budget > 0 && _next < _path.Count)
        {
            (double lat, double lon) = _path[_next];
            double d = Geo.Meters(_lat, _lon, lat, lon);
            if (d > 0.01)
                _course = Geo.Bearing(_lat, _lon, lat, lon);
            if (d <= budget)
            {
                Distance += d;
                budget -= d;
                (_lat, _lon) = (lat, lon);
                _next++;
                continue;
            }
            double f = budget / d;
            Distance += budget;
            _lat += (lat - _lat) * f;
            _lon += (lon - _lon) * f;
            budget = 0;
        }
        if (_next >= _path.Count)
            _speed = 0;
    }
}

/// <summary>Distances on the sphere.</summary>
internal static class Geo
{
    private const double EarthRadius = 6_371_008.8;

    public static double Meters(double lat1, double lon1, double lat2, double lon2)
    {
        double p1 = lat1 * Math.PI / 180, p2 = lat2 * Math.PI / 180, dp = p2 - p1, dl = (lon2 - lon1) * Math.PI / 180;
        double a = (Math.Sin(dp / 2) * Math.Sin(dp / 2)) + (Math.Cos(p1) * Math.Cos(p2) * Math.Sin(dl / 2) * Math.Sin(dl / 2));
        return 2 * EarthRadius * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }

    public static double Bearing(double lat1, double lon1, double lat2, double lon2)
    {
        double p1 = lat1 * Math.PI / 180, p2 = lat2 * Math.PI / 180, dl = (lon2 - lon1) * Math.PI / 180;
        double y = Math.Sin(dl) * Math.Cos(p2), x = (Math.Cos(p1) * Math.Sin(p2)) - (Math.Sin(p1) * Math.Cos(p2) * Math.Cos(dl));
        return ((Math.Atan2(y, x) * 180 / Math.PI) + 360) % 360;
    }

    /// <summary>A street-like path from a point: legs along the grid (north-south, then east-west) to random points in the box.</summary>
    public static List<(double Lat, double Lon)> GridPath(double lat, double lon, CityBox box, Random random, int legs)
    {
        var path = new List<(double, double)>();
        for (int i = 0; i < legs; i++)
        {
            // A destination within about 1 km, kept in the box.
            double toLat = Math.Clamp(lat + ((random.NextDouble() - 0.5) * 0.018), box.South, box.North);
            double toLon = Math.Clamp(lon + ((random.NextDouble() - 0.5) * 0.024), box.West, box.East);
            path.Add((toLat, lon));
            path.Add((toLat, toLon));
            (lat, lon) = (toLat, toLon);
        }
        return path;
    }
}
