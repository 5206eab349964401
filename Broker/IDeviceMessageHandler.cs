using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Broker;

/// <summary>
/// Consumes device publishes of one topic kind in-process (the broker never routes them: that would cost
/// O(devices) per message). It is awaited before the PUBACK goes out, so "accepted" can mean "durable".
/// </summary>
public interface IDeviceMessageHandler
{
    TopicKind Kind { get; }

    ValueTask<PublishOutcome> HandleAsync(DeviceMessage message, CancellationToken cancellationToken);
}
