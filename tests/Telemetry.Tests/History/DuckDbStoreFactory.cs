using IoTPlatform.Telemetry.History;

namespace IoTPlatform.Telemetry.Tests.History;

/// <summary><see cref="DuckDbHistoryStore"/> in a temp data dir.</summary>
public sealed class DuckDbStoreFactory : IHistoryStoreFactory
{
    private readonly string _dataDir = Directory.CreateTempSubdirectory("history-").FullName;

    public bool ReplayOverwrites => false;

    public Task<IHistoryStore> OpenAsync() => Task.FromResult<IHistoryStore>(new DuckDbHistoryStore(_dataDir));

    public ValueTask DisposeAsync()
    {
        Directory.Delete(_dataDir, recursive: true);
        return ValueTask.CompletedTask;
    }
}
