using System.Globalization;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>The body of <c>POST /api/devices/{id}/commands</c>: <c>{action, slot?, ttlSeconds?, queueIfOffline?}</c>.</summary>
public sealed record CommandRequest(string? Action, int? Slot, int? TtlSeconds, bool? QueueIfOffline)
{
    /// <summary>What was asked, after defaults, as one string: a reused Idempotency-Key must ask exactly this again.</summary>
    public string Fingerprint(int ttlSeconds) =>
        string.Create(CultureInfo.InvariantCulture, $"{Action}|{Slot}|{ttlSeconds}|{(QueueIfOffline ?? false ? 1 : 0)}");
}
