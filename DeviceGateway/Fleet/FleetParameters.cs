using Microsoft.AspNetCore.Mvc;

namespace IoTPlatform.DeviceGateway.Fleet;

/// <summary>
/// The query string of <c>GET /api/fleet</c> as sent. Every parameter is read as text and checked by
/// <see cref="FleetFilter.TryParse"/>, so that one 400 names every bad parameter with what it must look like.
/// </summary>
public sealed record FleetParameters(
    [FromQuery(Name = "kind")] string? Kind,
    [FromQuery(Name = "batteryBelow")] string? BatteryBelow,
    [FromQuery(Name = "lock")] string? Lock,
    [FromQuery(Name = "online")] string? Online,
    [FromQuery(Name = "offlineForSeconds")] string? OfflineForSeconds,
    [FromQuery(Name = "bbox")] string? Bbox,
    [FromQuery(Name = "near")] string? Near,
    [FromQuery(Name = "limit")] string? Limit);
