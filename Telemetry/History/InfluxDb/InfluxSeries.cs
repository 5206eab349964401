using System.Text.Json;

namespace IoTPlatform.Telemetry.History.InfluxDb;

/// <summary>One series (or one chunk of it) of an InfluxQL answer: its measurement, column names and rows.</summary>
public sealed record InfluxSeries(string Name, IReadOnlyList<string> Columns, IReadOnlyList<JsonElement[]> Values)
{
    /// <summary>The position of <paramref name="column"/>; -1 when the answer has no such column.</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (Columns[i] == column)
            {
                return i;
            }
        }

        return -1;
    }
}
