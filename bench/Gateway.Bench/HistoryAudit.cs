using DuckDB.NET.Data;
using IoTPlatform.Telemetry.History;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// Zero-loss check after the backend has exited and released <c>history.duckdb</c>: every acknowledged
/// (device, seq) is stored exactly once, nothing is stored twice, nothing is stored that was never sent.
/// </summary>
internal static class HistoryAudit
{
    public sealed record Result(long Rows, long AckedMissing, long StoredTwice, long StoredNotAcked, long StoredNeverSent, IReadOnlyList<string> Examples)
    {
        public bool Ok => AckedMissing == 0 && StoredTwice == 0 && StoredNeverSent == 0;
    }

    /// <param name="dataDir">The backend's data dir.</param>
    /// <param name="acked">Per device id, the seqs whose PUBACK said success.</param>
    /// <param name="sent">Per device id, the highest seq sent (seqs run from 1).</param>
    public static Result Check(string dataDir, IReadOnlyDictionary<string, IReadOnlyCollection<long>> acked, IReadOnlyDictionary<string, long> sent)
    {
        var stored = new Dictionary<string, Dictionary<long, int>>(StringComparer.Ordinal);
        long rows = 0;
        using (var connection = new DuckDBConnection($"Data Source={Path.Combine(dataDir, DuckDbHistoryStore.FileName)};ACCESS_MODE=READ_ONLY"))
        {
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

                var count = (int)reader.GetInt64(2);
                seqs[reader.GetInt64(1)] = count;
                rows += count;
            }
        }

        var examples = new List<string>();
        long missing = 0, twice = 0, notAcked = 0, neverSent = 0;
        foreach (var (id, seqs) in acked)
        {
            var mine = stored.GetValueOrDefault(id) ?? [];
            foreach (var seq in seqs)
            {
                if (!mine.ContainsKey(seq))
                {
                    missing++;
                    Note(examples, $"{id} seq {seq}: acknowledged, not stored");
                }
            }
        }

        foreach (var (id, seqs) in stored)
        {
            var ackedSeqs = acked.TryGetValue(id, out var a) ? a.ToHashSet() : [];
            var highest = sent.GetValueOrDefault(id);
            foreach (var (seq, count) in seqs)
            {
                if (count > 1)
                {
                    twice++;
                    Note(examples, $"{id} seq {seq}: stored {count} times");
                }

                if (seq < 1 || seq > highest)
                {
                    neverSent++;
                    Note(examples, $"{id} seq {seq}: stored, never sent");
                }
                else if (!ackedSeqs.Contains(seq))
                {
                    notAcked++;
                }
            }
        }

        return new Result(rows, missing, twice, notAcked, neverSent, examples);
    }

    private static void Note(List<string> examples, string line)
    {
        if (examples.Count < 10)
        {
            examples.Add(line);
        }
    }
}
