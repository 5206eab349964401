using Microsoft.Data.Sqlite;

namespace IoTPlatform.DeviceGateway.Storage;

/// <summary>
/// The OLTP state of the backend in SQLite (<c>state.db</c>, WAL): the device registry now; presence,
/// latest state and the command ledger later. Small transactions, point lookups, concurrent readers.
/// </summary>
public sealed class StateStore
{
    // WAL is a property of the file; synchronous and foreign keys are set per connection.
    private const string ConnectionPragmas = "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON;";

    private readonly string _connectionString;

    public StateStore(string dataDir)
    {
        DataDirectory.Ensure(dataDir);
        Path = System.IO.Path.Combine(dataDir, "state.db");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = true,
            DefaultTimeout = 30,
        }.ToString();
        Migrate();
    }

    public string Path { get; }

    /// <summary>An open connection from the pool. Dispose it to return it.</summary>
    public SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        pragma.CommandText = ConnectionPragmas;
        pragma.ExecuteNonQuery();
        return connection;
    }

    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var pragma = connection.CreateCommand();
        pragma.CommandText = ConnectionPragmas;
        await pragma.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return connection;
    }

    /// <summary>Closes pooled connections so the file can be moved or reopened (tests restart the host).</summary>
    public static void ReleasePooledConnections() => SqliteConnection.ClearAllPools();

    private void Migrate()
    {
        using var connection = Open();
        using (var wal = connection.CreateCommand())
        {
            wal.CommandText = "PRAGMA journal_mode=WAL;";
            var mode = wal.ExecuteScalar() as string;
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode for '{Path}' (got '{mode}').");
            }
        }

        using var transaction = connection.BeginTransaction();
        using var version = connection.CreateCommand();
        version.Transaction = transaction;
        version.CommandText = "PRAGMA user_version;";
        var current = Convert.ToInt32(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        for (var next = current; next < StateSchema.Migrations.Count; next++)
        {
            using var step = connection.CreateCommand();
            step.Transaction = transaction;
            step.CommandText = StateSchema.Migrations[next] + $"\nPRAGMA user_version = {next + 1};";
            step.ExecuteNonQuery();
        }

        transaction.Commit();
    }
}
