using System.IO.Pipelines;
using System.Net;
using IoTPlatform.Broker.Presence;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.AspNetCore;

namespace IoTPlatform.Broker.Transport;

/// <summary>
/// MQTTnet's Kestrel connection handler (TCP and WebSocket alike) with <see cref="PacketSizeGuard"/> in
/// front of its input.
/// </summary>
public sealed class GuardedMqttConnectionHandler(
    MqttConnectionHandler inner,
    PresenceTracker presence,
    BrokerStats stats,
    IOptions<BrokerOptions> options,
    ILogger<GuardedMqttConnectionHandler> logger) : ConnectionHandler
{
    private readonly long _maxPacket = options.Value.MaxPacketBytes;

    public override Task OnConnectedAsync(ConnectionContext connection)
    {
        ArgumentNullException.ThrowIfNull(connection);
        var transport = connection.Transport;
        var endpoint = RemoteEndPointOf(connection);
        var guard = new PacketSizeGuard(transport.Input, _maxPacket, violation =>
        {
            var deviceId = endpoint is null ? null : presence.DeviceAt(endpoint);
            if (endpoint is not null)
            {
                presence.ExpectClose(endpoint, PresenceReasons.PacketTooLarge);
            }

            stats.Refused(violation.Reason, deviceId);
            Log.PacketRefused(logger, deviceId, endpoint?.ToString(), violation.Reason, violation.AnnouncedLength, _maxPacket);
        });
        connection.Transport = new GuardedPipe(guard, transport.Output);
        return RunAsync(connection, endpoint);
    }

    private async Task RunAsync(ConnectionContext connection, EndPoint? endpoint)
    {
        try
        {
            await inner.OnConnectedAsync(connection).ConfigureAwait(false);
        }
        finally
        {
            // MQTTnet raises the disconnect event before its handler returns, so nothing is lost here.
            if (endpoint is not null)
            {
                presence.ConnectionEnded(endpoint);
            }
        }
    }

    /// <summary>The peer as MQTTnet will report it: the socket's, or for WebSocket the HTTP connection's.</summary>
    private static EndPoint? RemoteEndPointOf(ConnectionContext connection) =>
        connection.RemoteEndPoint
        ?? (connection.Features.Get<IHttpConnectionFeature>() is { RemoteIpAddress: { } ip } http ? new IPEndPoint(ip, http.RemotePort) : null);

    private sealed class GuardedPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
