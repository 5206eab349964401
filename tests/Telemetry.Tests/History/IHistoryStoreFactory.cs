using IoTPlatform.Telemetry.History;

namespace IoTPlatform.Telemetry.Tests.History;

/// <summary>Makes the store under test for <see cref="HistoryStoreContractTests{TFactory}"/>: every <see cref="OpenAsync"/> opens the same stored history anew.</summary>
public interface IHistoryStoreFactory : IAsyncDisposable
{
    /// <summary>True when writing the same item twice keeps one copy (InfluxDB: same series and time); DuckDB relies on de-duplication before the write.</summary>
    bool ReplayOverwrites { get; }

    /// <summary>A new store over the factory's history (a data dir, a database); dispose it to close it.</summary>
    Task<IHistoryStore> OpenAsync();
}
