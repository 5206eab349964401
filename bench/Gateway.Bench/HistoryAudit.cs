using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.History.InfluxDb;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// Zero-loss check after the backend has exited (and released <c>history.duckdb</c>), against DuckDB or InfluxDB: every acknowledged
/// (device, seq) is stored exactly once, nothing is stored twice, nothing is stored that was never sent.
/// </summary>
internal static class HistoryAudit
{
    public sealed record Result(long Rows, long AckedMissing, long StoredTwice, long StoredNotAcked, long StoredNeverSent, IReadOnlyList<string> Examples)
    {
        public bool Ok => AckedMissing == 0 && StoredTwice == 0 && StoredNeverSent == 0;
    }

    /// <summary>
    /// Per device id, per seq, how many points the <c>readings</c> measurement holds: one bulk InfluxQL query
    /// (<c>SELECT "seq", "device"</c> over all time, streamed in chunks) through our <see cref="InfluxDbClient"/>.
    /// A point written twice at the same time is one point in InfluxDB; the same seq at two times counts twice.
    /// </summary>
    public static async Task<Dictionary<string, Dictionary<long, int>>> ReadInfluxDbAsync(Uri url, string database, CancellationToken cancellationToken)
    {
        var stored = new Dictionary<string, Dictionary<long, int>>(StringComparer.Ordinal);
        using var client = new InfluxDbClient(new InfluxDbOptions { Url = url, Database = database, Timeout = TimeSpan.FromMinutes(5) });
        const string Query = $"SELECT \"seq\", \"device\" FROM {InfluxDbHistoryStore.Readings} WHERE time >= -9223372036854775806 AND time <= 9223372036854775806";
        await foreach (var series in client.QueryAsync(database, Query, cancellationToken))
        {
            var seqColumn = series.IndexOf("seq");
            var deviceColumn = series.IndexOf("device");
            foreach (var row in series.Values)
            {
                var seqs = Seqs(stored, row[deviceColumn].GetString() ?? string.Empty);
                var seq = row[seqColumn].GetInt64();
                seqs[seq] = seqs.GetValueOrDefault(seq) + 1;
            }
        }

        return stored;
    }

    /// <param name="stored">Per device id, per seq, how many rows the history holds.</param>
    /// <param name="acked">Per device id, the seqs whose PUBACK said success.</param>
    /// <param name="sent">Per device id, the highest seq sent (seqs run from 1).</param>
    public static Result Check(
        IReadOnlyDictionary<string, Dictionary<long, int>> stored, IReadOnlyDictionary<string, IReadOnlyCollection<long>> acked, IReadOnlyDictionary<string, long> sent)
    {
        ArgumentNullException.ThrowIfNull(stored);
        var rows = stored.Values.Sum(seqs => seqs.Values.Sum(c => (long)c));
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

    private static Dictionary<long, int> Seqs(Dictionary<string, Dictionary<long, int>> stored, string id)
    {
        if (!stored.TryGetValue(id, out var seqs))
        {
            stored[id] = seqs = [];
        }

        return seqs;
    }

    private static void Note(List<string> examples, string line)
    {
        if (examples.Count < 10)
        {
            examples.Add(line);
        }
    }
}
