using IoTPlatform.Telemetry.History.InfluxDb;
using IoTPlatform.Tests.Shared;

namespace IoTPlatform.Telemetry.Tests.History.InfluxDb;

/// <summary>The client and the store's set-up on the run's real influxd (1.x).</summary>
public sealed class InfluxDbClientTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Test]
    public async Task Escaped_lines_read_back_as_the_values_written()
    {
        var options = await OptionsAsync();
        using var client = new InfluxDbClient(options);
        await client.ExecuteAsync(null, $"CREATE DATABASE \"{options.Database}\"", None);
        const string tag = "a,b=c d\\e";
        const string text = "say \"hi\" C:\\dir, a=b é";
        var lines = new LineProtocolWriter().Measurement("m,x y").Tag("t=k", tag).Field("s", text).Field("f", 0.1 + 0.2).Field("i", long.MaxValue).Timestamp(42).ToString();
        await client.WriteAsync(options.Database, lines, None);

        var rows = new List<(IReadOnlyList<string> Columns, System.Text.Json.JsonElement[] Values)>();
        await foreach (var series in client.QueryAsync(options.Database, "SELECT * FROM \"m,x y\"", None))
        {
            rows.AddRange(series.Values.Select(v => (series.Columns, v)));
        }

        var (columns, values) = rows.Single();
        Assert.That(columns, Is.EqualTo(new[] { "time", "f", "i", "s", "t=k" }));
        Assert.That((values[0].GetInt64(), values[1].GetDouble(), values[2].GetInt64(), values[3].GetString(), values[4].GetString()), Is.EqualTo((42L, 0.1 + 0.2, long.MaxValue, text, tag)));
    }

    [Test]
    public async Task Refusals_carry_the_servers_error_text()
    {
        var options = await OptionsAsync();
        using var client = new InfluxDbClient(options);

        var missing = await Assert.ThrowsAsync<InfluxDbException>(() => client.WriteAsync(options.Database, "m f=1i 1\n", None));
        var query = await Assert.ThrowsAsync<InfluxDbException>(() => client.ExecuteAsync(options.Database, "SELECT * FROM m", None));
        var syntax = await Assert.ThrowsAsync<InfluxDbException>(() => client.ExecuteAsync(null, "SELEC nonsense", None));
        await client.ExecuteAsync(null, $"CREATE DATABASE \"{options.Database}\"", None);
        await client.WriteAsync(options.Database, "m f=1i 1\n", None);
        var conflict = await Assert.ThrowsAsync<InfluxDbException>(() => client.WriteAsync(options.Database, "m f=\"text\" 2\n", None));

        using (Assert.EnterMultipleScope())
        {
            Assert.That(missing!.Message, Does.Contain("database not found"));
            Assert.That(missing.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.NotFound));
            Assert.That(query!.ServerError, Does.Contain("database not found"));
            Assert.That(syntax!.Message, Does.Contain("error parsing query"));
            Assert.That(conflict!.Message, Does.Contain("field type conflict"));
        }
    }

    [Test]
    public async Task On_1x_the_store_creates_its_database_with_the_retention_as_the_default_policy()
    {
        var options = await OptionsAsync();
        options.RetentionDays = 3;
        using (var store = new InfluxDbHistoryStore(options))
        {
            await store.EnsureReadyAsync(None);
        }

        var first = await DefaultPolicyAsync(options);
        options.RetentionDays = 400;
        using (var store = new InfluxDbHistoryStore(options))
        {
            await store.EnsureReadyAsync(None);
        }

        Assert.That((first, await DefaultPolicyAsync(options)), Is.EqualTo(("autogen 72h0m0s 24h0m0s", "autogen 9600h0m0s 168h0m0s")));
    }

    [TestCase(1_763_805_600_000L, 0L, 1_763_805_600_000_000_000L)]
    [TestCase(1_763_805_600_000L, 1_042L, 1_763_805_600_000_001_042L)]
    [TestCase(1_763_805_600_000L, 3_000_999_999L, 1_763_805_600_000_999_999L)]
    public void The_point_time_is_ts_in_ns_plus_seq_mod_a_million_and_gives_ts_back(long ts, long seq, long time)
    {
        Assert.That(InfluxDbHistoryStore.PointTime(ts, seq), Is.EqualTo(time));
        Assert.That(InfluxDbHistoryStore.TsOf(time), Is.EqualTo(ts));
        Assert.That(InfluxDbHistoryStore.TsOf(-1), Is.EqualTo(-1));
    }

    private static async Task<InfluxDbOptions> OptionsAsync() =>
        new() { Url = (await InfluxDbServer.SharedAsync()).Url, Database = InfluxDbServer.NewDatabaseName("client") };

    private static async Task<string> DefaultPolicyAsync(InfluxDbOptions options)
    {
        using var client = new InfluxDbClient(options);
        await foreach (var series in client.QueryAsync(null, $"SHOW RETENTION POLICIES ON \"{options.Database}\"", None))
        {
            foreach (var row in series.Values.Where(v => v[series.IndexOf("default")].GetBoolean()))
            {
                return $"{row[series.IndexOf("name")].GetString()} {row[series.IndexOf("duration")].GetString()} {row[series.IndexOf("shardGroupDuration")].GetString()}";
            }
        }

        return "none";
    }
}
