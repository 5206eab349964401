using IoTPlatform.Broker;
using IoTPlatform.Broker.Presence;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>The command service's way to devices through the embedded broker: presence, and the device's own session.</summary>
public sealed class BrokerCommandLink : ICommandLink, IDisposable
{
    private readonly CommandChannel _channel;
    private readonly PresenceTracker _presence;

    public BrokerCommandLink(CommandChannel channel, PresenceTracker presence)
    {
        ArgumentNullException.ThrowIfNull(channel);
        _channel = channel;
        _presence = presence;
        _channel.CommandsSubscribed += OnSubscribed;
    }

    public event Action<string>? Subscribed;

    public bool IsOnline(string deviceId) => _presence.IsOnline(deviceId);

    public bool IsSubscribed(string deviceId) => _channel.IsSubscribed(deviceId);

    public async ValueTask<bool> SendAsync(string deviceId, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken) =>
        await _channel.SendAsync(deviceId, payload, cancellationToken).ConfigureAwait(false) == DeliveryResult.Sent;

    private void OnSubscribed(string deviceId) => Subscribed?.Invoke(deviceId);

    public void Dispose() => _channel.CommandsSubscribed -= OnSubscribed;
}
