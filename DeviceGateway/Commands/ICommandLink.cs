namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>
/// How the command service reaches devices: the broker's presence and the device's own session. A seam, so
/// that the ledger's rules can be tested on a fake clock without sockets.
/// </summary>
public interface ICommandLink
{
    /// <summary>The device has an authenticated MQTT connection now.</summary>
    bool IsOnline(string deviceId);

    /// <summary>The device is connected and subscribed to its <c>commands</c> topic: a send can reach it.</summary>
    bool IsSubscribed(string deviceId);

    /// <summary>Raised with the device id when a device (re)subscribed to its <c>commands</c> topic.</summary>
    event Action<string>? Subscribed;

    /// <summary>Publishes <paramref name="payload"/> QoS 1 to the device's own session; false when it has no subscribed session now.</summary>
    ValueTask<bool> SendAsync(string deviceId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken);
}
