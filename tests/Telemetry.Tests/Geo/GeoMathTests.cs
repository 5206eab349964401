using IoTPlatform.Telemetry.Geo;

namespace IoTPlatform.Telemetry.Tests.Geo;

public sealed class GeoMathTests
{
    [Test]
    public void One_degree_of_latitude_is_about_111_km()
    {
        Assert.That(GeoMath.DistanceMeters(0, 0, 1, 0), Is.EqualTo(111_195).Within(5));
    }

    [Test]
    public void Beijing_to_Shanghai_matches_the_great_circle_distance()
    {
        // Tiananmen (39.9042, 116.4074) to People's Square (31.2304, 121.4737): ~1,067 km great-circle.
        Assert.That(GeoMath.DistanceMeters(39.9042, 116.4074, 31.2304, 121.4737), Is.EqualTo(1_067_000).Within(3_000));
    }
}
