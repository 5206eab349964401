using IoTPlatform.Telemetry.Ingest;

namespace IoTPlatform.Telemetry.Tests.Infrastructure;

/// <summary>A latest state that knows no device's position.</summary>
public sealed class NoFixes : ILastFixSource
{
    public LastFix? GetLastFix(string deviceId) => null;
}
