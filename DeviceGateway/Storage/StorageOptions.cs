using System.ComponentModel.DataAnnotations;
using IoTPlatform.Telemetry.History.InfluxDb;

namespace IoTPlatform.DeviceGateway.Storage;

/// <summary>Where the backend keeps its state. Section <c>Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Storage";

    /// <summary>Folder for <c>state.db</c>, <c>history.duckdb</c>, the secret pepper and the generated admin key.</summary>
    [Required(AllowEmptyStrings = false)]
    public string DataDir { get; set; } = "./data";

    /// <summary>History (readings and events) older than this many days, by device time, is deleted.</summary>
    [Range(1, 36500)]
    public int RetentionDays { get; set; } = 90;

    /// <summary>How often the retention job runs (minutes).</summary>
    [Range(1, 24 * 60)]
    public int RetentionSweepMinutes { get; set; } = 60;

    /// <summary>
    /// The most the history spool (<c>DataDir/spool</c>) may hold, in bytes: batches the history store could not
    /// take wait there. When it is full, commits are withheld (devices get 0x97 and keep their readings).
    /// </summary>
    [Range(typeof(long), "1048576", "1099511627776")]
    public long SpoolMaxBytes { get; set; } = 1L << 30;

    /// <summary>Where readings and events go: <see cref="EmbeddedHistory"/> (DuckDB in the data dir) or <see cref="InfluxDbHistory"/>.</summary>
    public string History { get; set; } = EmbeddedHistory;

    /// <summary>The InfluxDB server, when <see cref="History"/> is <c>influxdb</c>. Section <c>Storage:InfluxDb</c>.</summary>
    public InfluxDbOptions InfluxDb { get; set; } = new();

    public const string EmbeddedHistory = "embedded";
    public const string InfluxDbHistory = "influxdb";

    public bool UsesInfluxDb => string.Equals(History, InfluxDbHistory, StringComparison.OrdinalIgnoreCase);

    public string FullDataDir => Path.GetFullPath(DataDir);
}
