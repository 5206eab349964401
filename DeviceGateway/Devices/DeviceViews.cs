using IoTPlatform.Broker.Presence;
using IoTPlatform.DeviceGateway.Ingest;
using IoTPlatform.DeviceGateway.Presence;

namespace IoTPlatform.DeviceGateway.Devices;

/// <summary>
/// Puts registry records together with live presence and stored state for the HTTP API (the latest state saved
/// first, so a view shows every acknowledged reading).
/// </summary>
public sealed class DeviceViews(PresenceTracker presence, PresenceStore store, LatestStateStore latest)
{
    public async Task<DeviceResponse> ViewAsync(Device device, CancellationToken cancellationToken, string? secret = null)
    {
        ArgumentNullException.ThrowIfNull(device);
        await latest.SaveAsync(cancellationToken).ConfigureAwait(false);
        var states = await store.GetStatesAsync([device.Id], cancellationToken).ConfigureAwait(false);
        return View(device, states, secret);
    }

    public async Task<IReadOnlyList<DeviceResponse>> ViewAsync(IReadOnlyList<Device> devices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(devices);
        await latest.SaveAsync(cancellationToken).ConfigureAwait(false);
        var states = await store.GetStatesAsync([.. devices.Select(d => d.Id)], cancellationToken).ConfigureAwait(false);
        return [.. devices.Select(d => View(d, states, secret: null))];
    }

    private DeviceResponse View(Device device, IReadOnlyDictionary<string, StoredDeviceState> states, string? secret) =>
        DeviceResponse.From(device, presence.IsOnline(device.Id), presence.LastSeen(device.Id), states.GetValueOrDefault(device.Id), secret);
}
