using IoTPlatform.Telemetry.Ingest.Steps;

namespace IoTPlatform.Telemetry.Ingest;

/// <summary>The order of the ingest: storing last.</summary>
public static class IngestSteps
{
    public static IReadOnlyList<Type> Default { get; } =
    [
        typeof(DecodeStep),
        typeof(ValidateStep),
        typeof(GpsCheckStep),
        typeof(DeduplicateStep),
        typeof(StoreStep),
    ];
}
