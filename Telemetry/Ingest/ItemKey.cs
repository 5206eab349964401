namespace IoTPlatform.Telemetry.Ingest;

/// <summary>What makes a reading or event unique within its device: its <c>seq</c> and its device <c>ts</c>.</summary>
public readonly record struct ItemKey(long Seq, long Ts);
