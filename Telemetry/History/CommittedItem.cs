using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.Telemetry.History;

/// <summary>A stored reading or event read back with the commit that wrote it (to fold it into the latest state again).</summary>
public sealed record CommittedItem(string DeviceId, long CommitId, IngestItem Item, long ReceivedAtMs);
