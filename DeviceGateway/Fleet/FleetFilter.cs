using System.Globalization;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Fleet;

/// <summary>
/// What a fleet query asks for; every condition that is set must hold (AND). An empty parameter counts as absent.
/// </summary>
public sealed record FleetFilter
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 1000;
    public const int MaxBatteryBelow = 101;
    public const double MaxNearMeters = 1_000_000;

    public DeviceKind? Kind { get; init; }

    /// <summary>Battery (percent) strictly below this; devices that never reported a battery do not match.</summary>
    public int? BatteryBelow { get; init; }

    public LockState? Lock { get; init; }

    public bool? Online { get; init; }

    /// <summary>Offline, and last seen at least this many seconds ago (or never seen).</summary>
    public long? OfflineForSeconds { get; init; }

    public GeoBox? Bbox { get; init; }

    public NearFilter? Near { get; init; }

    public int Limit { get; init; } = DefaultLimit;

    /// <summary>Reads the query string; on failure <paramref name="errors"/> names each bad parameter.</summary>
    public static bool TryParse(FleetParameters parameters, out FleetFilter filter, out Dictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        filter = new FleetFilter();

        if (Given(parameters.Kind) is { } kindText)
        {
            if (DeviceKinds.TryParse(kindText, out var kind))
            {
                filter = filter with { Kind = kind };
            }
            else
            {
                errors["kind"] = [$"The kind '{kindText}' is not one of {string.Join(", ", DeviceKinds.Names)}."];
            }
        }

        if (Given(parameters.BatteryBelow) is { } batteryText)
        {
            if (int.TryParse(batteryText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var below) && below is >= 1 and <= MaxBatteryBelow)
            {
                filter = filter with { BatteryBelow = below };
            }
            else
            {
                errors["batteryBelow"] = [$"batteryBelow must be a whole number from 1 to {MaxBatteryBelow} (matches battery < N percent); got '{batteryText}'."];
            }
        }

        if (Given(parameters.Lock) is { } lockText)
        {
            if (WireNames.TryParseLockState(lockText, out var lockState))
            {
                filter = filter with { Lock = lockState };
            }
            else
            {
                errors["lock"] = [$"The lock '{lockText}' is not one of locked, unlocked, jammed, unknown."];
            }
        }

        if (Given(parameters.Online) is { } onlineText)
        {
            if (onlineText is "true" or "false")
            {
                filter = filter with { Online = onlineText == "true" };
            }
            else
            {
                errors["online"] = [$"online must be true or false; got '{onlineText}'."];
            }
        }

        if (Given(parameters.OfflineForSeconds) is { } offlineText)
        {
            if (long.TryParse(offlineText, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            {
                filter = filter with { OfflineForSeconds = seconds };
            }
            else
            {
                errors["offlineForSeconds"] = [$"offlineForSeconds must be a whole number of seconds ≥ 0; got '{offlineText}'."];
            }
        }

        if (Given(parameters.Bbox) is { } bboxText)
        {
            if (TryParseBbox(bboxText, out var box, out var problem))
            {
                filter = filter with { Bbox = box };
            }
            else
            {
                errors["bbox"] = [problem];
            }
        }

        if (Given(parameters.Near) is { } nearText)
        {
            if (TryParseNear(nearText, out var near, out var problem))
            {
                filter = filter with { Near = near };
            }
            else
            {
                errors["near"] = [problem];
            }
        }

        if (Given(parameters.Limit) is { } limitText)
        {
            if (int.TryParse(limitText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= MaxLimit)
            {
                filter = filter with { Limit = limit };
            }
            else
            {
                errors["limit"] = [$"The limit must be a whole number from 1 to {MaxLimit}; got '{limitText}'."];
            }
        }

        return errors.Count == 0;
    }

    private static string? Given(string? text) => string.IsNullOrEmpty(text) ? null : text;

    private static bool TryParseBbox(string text, out GeoBox box, out string problem)
    {
        box = null!;
        const string Form = "bbox must be minLat,minLon,maxLat,maxLon (latitude first, as the Overpass API)";
        if (!TryParseNumbers(text, 4, out var n))
        {
            problem = $"{Form}: four numbers; got '{text}'.";
            return false;
        }

        var (minLat, minLon, maxLat, maxLon) = (n[0], n[1], n[2], n[3]);
        if (!IsLatitude(minLat) || !IsLatitude(maxLat) || minLat > maxLat)
        {
            problem = $"{Form}: latitudes within -90…90 with minLat ≤ maxLat; got '{text}'.";
            return false;
        }

        if (!IsLongitude(minLon) || !IsLongitude(maxLon))
        {
            problem = $"{Form}: longitudes within -180…180 (minLon > maxLon crosses the antimeridian); got '{text}'.";
            return false;
        }

        box = new GeoBox(minLat, minLon, maxLat, maxLon);
        problem = "";
        return true;
    }

    private static bool TryParseNear(string text, out NearFilter near, out string problem)
    {
        near = null!;
        const string Form = "near must be lat,lon,meters";
        if (!TryParseNumbers(text, 3, out var n))
        {
            problem = $"{Form}: three numbers; got '{text}'.";
            return false;
        }

        if (!IsLatitude(n[0]) || !IsLongitude(n[1]))
        {
            problem = $"{Form}: lat within -90…90, lon within -180…180; got '{text}'.";
            return false;
        }

        if (n[2] is not (> 0 and <= MaxNearMeters))
        {
            problem = $"{Form}: meters greater than 0 and at most {MaxNearMeters.ToString("#,0", CultureInfo.InvariantCulture)}; got '{text}'.";
            return false;
        }

        near = new NearFilter(n[0], n[1], n[2]);
        problem = "";
        return true;
    }

    private static bool TryParseNumbers(string text, int count, out double[] numbers)
    {
        var parts = text.Split(',');
        numbers = new double[parts.Length];
        if (parts.Length != count)
        {
            return false;
        }

        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || !double.IsFinite(numbers[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static bool IsLatitude(double value) => value is >= -90 and <= 90;

    private static bool IsLongitude(double value) => value is >= -180 and <= 180;
}
