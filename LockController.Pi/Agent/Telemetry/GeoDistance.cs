namespace IoTPlatform.LockController.Pi.Agent.Telemetry;

/// <summary>Great-circle distance on a sphere of the Earth's mean radius (haversine); good to ~0.5 % at any range.</summary>
public static class GeoDistance
{
    /// <summary>The Earth's mean radius, metres (IUGG).</summary>
    public const double EarthRadiusMeters = 6_371_008.8;

    /// <summary>Metres between two WGS 84 positions given in degrees.</summary>
    public static double Meters(double lat1, double lon1, double lat2, double lon2)
    {
        double p1 = double.DegreesToRadians(lat1), p2 = double.DegreesToRadians(lat2);
        double dp = p2 - p1, dl = double.DegreesToRadians(lon2 - lon1);
        double a = Math.Sin(dp / 2) * Math.Sin(dp / 2) + Math.Cos(p1) * Math.Cos(p2) * Math.Sin(dl / 2) * Math.Sin(dl / 2);
        return 2 * EarthRadiusMeters * Math.Asin(Math.Min(1, Math.Sqrt(a)));
    }
}
