using System.Collections.Concurrent;
using IoTPlatform.DeviceGateway.Devices;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.DeviceGateway.Ingest;

/// <summary>A device's kind and slot count for the ingest, read from the registry once (neither ever changes).</summary>
public sealed class DeviceShapes(DeviceRegistry registry)
{
    private readonly ConcurrentDictionary<string, (DeviceKind Kind, int Slots)> _known = new(StringComparer.Ordinal);

    public async ValueTask<(DeviceKind Kind, int Slots)?> GetAsync(string deviceId, CancellationToken cancellationToken)
    {
        if (_known.TryGetValue(deviceId, out var shape))
        {
            return shape;
        }

        if (await registry.GetAsync(deviceId, cancellationToken).ConfigureAwait(false) is not { } device)
        {
            return null;
        }

        return _known.GetOrAdd(deviceId, (device.Kind, device.Slots));
    }
}
