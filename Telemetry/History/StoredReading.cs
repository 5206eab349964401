using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Telemetry.History;

/// <summary>A reading as the history keeps it: as the device sent it, with the GPS check's verdict and when it arrived.</summary>
/// <param name="PositionRejected">A <see cref="Ingest.PositionReasons"/> code when the position is not trusted.</param>
/// <param name="ReceivedAtMs">Receiver time, Unix epoch milliseconds.</param>
public sealed record StoredReading(string DeviceId, Reading Reading, string? PositionRejected, long ReceivedAtMs)
{
    public bool HasTrustedPosition => Reading is { Lat: not null, Lon: not null } && PositionRejected is null;
}
