using IoTPlatform.Telemetry.Geo;

namespace IoTPlatform.DeviceGateway.Fleet;

/// <summary>The <c>near=lat,lon,meters</c> filter: devices whose trusted position is within <see cref="Meters"/> of the point.</summary>
public sealed record NearFilter(double Lat, double Lon, double Meters)
{
    /// <summary>Slack of the prefilter box in degrees (about a millimetre), for rounding in the trigonometry.</summary>
    private const double SlackDegrees = 1e-8;

    /// <summary>
    /// The smallest latitude/longitude box around the circle on the sphere <see cref="GeoMath"/> measures on, for
    /// a prefilter in SQL; the exact distance is checked afterwards. The circle's longitude half-width is
    /// asin(sin r / cos lat) for an angular radius r, which is wider than r / cos lat: a box scaled by cos lat alone
    /// misses devices at the east and west edges of a large circle far from the equator. A circle that reaches a
    /// pole spans every longitude; one that reaches past ±180° gives a box across the antimeridian.
    /// </summary>
    public GeoBox BoundingBox()
    {
        var radians = Meters / GeoMath.EarthRadiusMeters;
        var deltaLat = Degrees(radians) + SlackDegrees;
        var minLat = Math.Max(-90, Lat - deltaLat);
        var maxLat = Math.Min(90, Lat + deltaLat);
        if (minLat <= -90 || maxLat >= 90)
        {
            return new GeoBox(minLat, -180, maxLat, 180);
        }

        var ratio = Math.Sin(radians) / Math.Cos(Radians(Lat));
        if (ratio >= 1)
        {
            return new GeoBox(minLat, -180, maxLat, 180);
        }

        var deltaLon = Degrees(Math.Asin(ratio)) + SlackDegrees;
        var minLon = Lon - deltaLon;
        var maxLon = Lon + deltaLon;
        if (deltaLon >= 180)
        {
            return new GeoBox(minLat, -180, maxLat, 180);
        }

        if (minLon < -180)
        {
            minLon += 360;
        }
        else if (maxLon > 180)
        {
            maxLon -= 360;
        }

        return new GeoBox(minLat, minLon, maxLat, maxLon);
    }

    /// <summary>Great-circle distance from the point, in metres.</summary>
    public double DistanceTo(double lat, double lon) => GeoMath.DistanceMeters(Lat, Lon, lat, lon);

    private static double Degrees(double radians) => radians * 180 / Math.PI;

    private static double Radians(double degrees) => degrees * Math.PI / 180;
}
