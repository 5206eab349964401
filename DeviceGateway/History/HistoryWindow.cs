using System.Globalization;
using IoTPlatform.DeviceGateway.Http;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>
/// The window of device time a history query asks for, <c>from</c> ≤ ts &lt; <c>to</c>, each an ISO 8601
/// time or epoch ms. Without <c>to</c> it ends now; without <c>from</c> it is the default span before <c>to</c>.
/// Both are whole milliseconds, as the store compares them, so the window an answer shows is the one it read.
/// </summary>
internal readonly record struct HistoryWindow(DateTimeOffset From, DateTimeOffset To)
{
    public long FromMs => From.ToUnixTimeMilliseconds();

    public long ToMs => To.ToUnixTimeMilliseconds();

    /// <summary>The window <paramref name="from"/> and <paramref name="to"/> name; null, with the reasons added to <paramref name="errors"/>, when they are bad.</summary>
    public static HistoryWindow? Read(string? from, string? to, DateTimeOffset now, TimeSpan span, Dictionary<string, string[]> errors)
    {
        var fromRead = QueryTime.TryParse(from, out var fromTime);
        if (!fromRead)
        {
            errors["from"] = [QueryTime.Describe("from")];
        }

        if (!QueryTime.TryParse(to, out var toTime))
        {
            errors["to"] = [QueryTime.Describe("to")];
            return null;
        }

        if (!fromRead)
        {
            return null;
        }

        var end = WholeMilliseconds(toTime ?? now);
        var start = WholeMilliseconds(fromTime ?? (end - DateTimeOffset.MinValue < span ? DateTimeOffset.MinValue : end - span));
        if (start > end)
        {
            errors["from"] = [string.Create(CultureInfo.InvariantCulture, $"'from' ({start:O}) is after 'to' ({end:O}).")];
            return null;
        }

        return new HistoryWindow(start, end);
    }

    private static DateTimeOffset WholeMilliseconds(DateTimeOffset time) => DateTimeOffset.FromUnixTimeMilliseconds(time.ToUnixTimeMilliseconds());
}
