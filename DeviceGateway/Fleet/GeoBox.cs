namespace IoTPlatform.DeviceGateway.Fleet;

/// <summary>
/// A latitude/longitude box. <see cref="MinLon"/> greater than <see cref="MaxLon"/> means the box crosses the
/// antimeridian (it holds longitudes from <see cref="MinLon"/> to 180 and from -180 to <see cref="MaxLon"/>).
/// </summary>
public sealed record GeoBox(double MinLat, double MinLon, double MaxLat, double MaxLon)
{
    /// <summary>Every longitude: no longitude condition is needed.</summary>
    public bool AllLongitudes => MinLon <= -180 && MaxLon >= 180;

    public bool CrossesAntimeridian => MinLon > MaxLon;

    public bool Contains(double lat, double lon) =>
        lat >= MinLat && lat <= MaxLat
        && (CrossesAntimeridian ? lon >= MinLon || lon <= MaxLon : lon >= MinLon && lon <= MaxLon);
}
