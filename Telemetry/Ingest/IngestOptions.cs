using System.ComponentModel.DataAnnotations;

namespace IoTPlatform.Telemetry.Ingest;

/// <summary>How the ingest batches and de-duplicates. Section <c>Ingest</c>.</summary>
public sealed class IngestOptions
{
    public const string Section = "Ingest";

    /// <summary>
    /// How long a group commit waits after its first item for more (milliseconds). Items that arrive
    /// while a commit is running always form the next batch; 0 commits as soon as the writer is free.
    /// </summary>
    [Range(0, 1000)]
    public int FlushDelayMilliseconds { get; set; } = 2;

    /// <summary>A batch is committed at once when it holds this many readings and events.</summary>
    [Range(1, 1_000_000)]
    public int MaxBatchItems { get; set; } = 5000;

    /// <summary>
    /// Recent (seq, ts) keys kept in memory per device to answer "seen before?" without the history store.
    /// Older keys are looked up in the history store, one range query per publish.
    /// </summary>
    [Range(16, 1_000_000)]
    public int DedupKeysPerDevice { get; set; } = 2048;

    /// <summary>At start, the keys of the history's last this-many minutes (device time) are loaded into memory.</summary>
    [Range(0, 7 * 24 * 60)]
    public int DedupWarmMinutes { get; set; } = 60;

    /// <summary>
    /// How often the latest state folded from the commits is written to <c>state.db</c> (milliseconds). It is
    /// folded in memory before each PUBACK and also written before every query that reads it and at stop; after a
    /// crash the start folds in from the history what was not written yet.
    /// </summary>
    [Range(10, 600_000)]
    public int LatestSaveIntervalMilliseconds { get; set; } = 1000;

    [Required]
    public GpsCheckOptions Gps { get; set; } = new();
}
