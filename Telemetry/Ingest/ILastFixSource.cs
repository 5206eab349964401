namespace IoTPlatform.Telemetry.Ingest;

/// <summary>Where the GPS check finds a device's last trusted position after a restart (the latest state).</summary>
public interface ILastFixSource
{
    LastFix? GetLastFix(string deviceId);
}
