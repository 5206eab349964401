using System.Globalization;

namespace IoTPlatform.DeviceGateway.Http;

/// <summary>Time query parameters take an ISO 8601 instant or Unix epoch milliseconds.</summary>
public static class QueryTime
{
    public static bool TryParse(string? text, out DateTimeOffset? value)
    {
        value = null;
        if (string.IsNullOrEmpty(text))
        {
            return true;
        }

        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
        {
            if (ms > DateTimeOffset.MaxValue.ToUnixTimeMilliseconds())
            {
                return false;
            }

            value = DateTimeOffset.FromUnixTimeMilliseconds(ms);
            return true;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed))
        {
            value = parsed;
            return true;
        }

        return false;
    }

    public static string Describe(string name) => $"'{name}' must be an ISO 8601 time (e.g. 2026-11-22T08:00:00Z) or Unix epoch milliseconds.";
}
