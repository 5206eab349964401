using Microsoft.Extensions.Logging;

namespace IoTPlatform.Broker;

/// <summary>Every log line of the broker, source-generated.</summary>
internal static partial class Log
{
    [LoggerMessage(100, LogLevel.Warning, "CONNECT refused: client {ClientId} user {UserName} from {Remote}: {Reason}")]
    public static partial void ConnectRefused(ILogger logger, string? clientId, string? userName, string reason, string? remote);

    [LoggerMessage(101, LogLevel.Error, "CONNECT of {DeviceId}: the device registry failed; answered 'server unavailable'.")]
    public static partial void AuthenticatorFailed(ILogger logger, Exception exception, string deviceId);

    [LoggerMessage(102, LogLevel.Warning, "PUBLISH refused: device {DeviceId} topic {Topic}: {Reason}")]
    public static partial void PublishRefused(ILogger logger, string deviceId, string topic, string reason);

    [LoggerMessage(103, LogLevel.Warning, "SUBSCRIBE refused: device {DeviceId} filter {Filter}: {Reason}")]
    public static partial void SubscribeRefused(ILogger logger, string deviceId, string filter, string reason);

    [LoggerMessage(104, LogLevel.Warning, "Connection {Remote} (device {DeviceId}) closed: {Reason}, announced {Announced} bytes, limit {Limit}.")]
    public static partial void PacketRefused(ILogger logger, string? deviceId, string? remote, string reason, long announced, long limit);

    [LoggerMessage(105, LogLevel.Error, "Handler of {Topic} failed for device {DeviceId}; PUBACK withheld so the device retries.")]
    public static partial void HandlerFailed(ILogger logger, Exception exception, string deviceId, string topic);

    [LoggerMessage(106, LogLevel.Information, "Device {DeviceId} online from {Remote} ({Protocol}).")]
    public static partial void DeviceOnline(ILogger logger, string deviceId, string? remote, string protocol);

    [LoggerMessage(107, LogLevel.Information, "Device {DeviceId} connection ended: {Reason} (still online: {StillOnline}).")]
    public static partial void DeviceOffline(ILogger logger, string deviceId, string reason, bool stillOnline);

    [LoggerMessage(108, LogLevel.Information, "Device {DeviceId}: session closed ({Reason}).")]
    public static partial void SessionClosed(ILogger logger, string deviceId, string reason);

    [LoggerMessage(109, LogLevel.Information, "MQTT broker ready: TCP {TcpEndpoint}, WebSocket path {WebSocketPath} on the HTTP port.")]
    public static partial void BrokerReady(ILogger logger, string tcpEndpoint, string webSocketPath);

    [LoggerMessage(110, LogLevel.Debug, "Command to {DeviceId} queued on its session: {Bytes} bytes, packet id {PacketId}.")]
    public static partial void CommandSent(ILogger logger, string deviceId, int bytes, ushort packetId);

    [LoggerMessage(111, LogLevel.Information, "Command to {DeviceId} not sent: {Result}.")]
    public static partial void CommandNotSent(ILogger logger, string deviceId, DeliveryResult result);

    [LoggerMessage(112, LogLevel.Debug, "Device {DeviceId} subscribed to its commands at QoS {Qos}.")]
    public static partial void CommandsSubscribed(ILogger logger, string deviceId, int qos);

    [LoggerMessage(113, LogLevel.Error, "A CommandsSubscribed handler failed for device {DeviceId}.")]
    public static partial void CommandsSubscribedHandlerFailed(ILogger logger, Exception exception, string deviceId);
}
