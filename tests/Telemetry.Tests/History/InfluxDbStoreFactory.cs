using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.History.InfluxDb;
using IoTPlatform.Tests.Shared;

namespace IoTPlatform.Telemetry.Tests.History;

/// <summary><see cref="InfluxDbHistoryStore"/> on the run's real influxd, in a database of its own (dropped at the end).</summary>
public sealed class InfluxDbStoreFactory : IHistoryStoreFactory
{
    private readonly string _database = InfluxDbServer.NewDatabaseName("history");
    private Uri? _url;

    public bool ReplayOverwrites => true;

    public async Task<IHistoryStore> OpenAsync()
    {
        _url ??= (await InfluxDbServer.SharedAsync()).Url;
        return new InfluxDbHistoryStore(Options());
    }

    public async ValueTask DisposeAsync()
    {
        if (_url is null)
        {
            return;
        }

        using var client = new InfluxDbClient(Options());
        await client.ExecuteAsync(null, $"DROP DATABASE \"{_database}\"", CancellationToken.None);
    }

    private InfluxDbOptions Options() => new() { Url = _url, Database = _database };
}
