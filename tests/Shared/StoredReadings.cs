using DuckDB.NET.Data;
using IoTPlatform.Telemetry.History;

namespace IoTPlatform.Tests.Shared;

/// <summary>
/// What <c>history.duckdb</c> holds, read straight from the file once the backend has exited (and released it):
/// the loss and duplicate audits of the kill -9 test and the ingest bench. Compiled into both from <c>tests/Shared/</c>.
/// </summary>
internal static class StoredReadings
{
    /// <summary>Per device id, per seq, how many rows the <c>readings</c> table holds (opened read-only).</summary>
    public static Dictionary<string, Dictionary<long, int>> CountsInDuckDb(string dataDir)
    {
        var stored = new Dictionary<string, Dictionary<long, int>>(StringComparer.Ordinal);
        using var connection = new DuckDBConnection($"Data Source={Path.Combine(dataDir, DuckDbHistoryStore.FileName)};ACCESS_MODE=READ_ONLY");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT device_id, seq, count(*) FROM readings GROUP BY device_id, seq";
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            var id = reader.GetString(0);
            if (!stored.TryGetValue(id, out var seqs))
            {
                stored[id] = seqs = [];
            }

            seqs[reader.GetInt64(1)] = (int)reader.GetInt64(2);
        }

        return stored;
    }
}
