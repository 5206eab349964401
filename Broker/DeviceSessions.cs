using IoTPlatform.Broker.Presence;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTPlatform.Broker;

/// <summary>Acts on live device sessions: closes one when its credentials are revoked.</summary>
public sealed class DeviceSessions(MqttServer server, PresenceTracker presence, ILogger<DeviceSessions> logger)
{
    /// <summary>Closes the device's connection, if it has one, recording <paramref name="reason"/> as its presence reason.</summary>
    public async Task CloseAsync(string deviceId, string reason)
    {
        if (!presence.IsOnline(deviceId))
        {
            return;
        }

        presence.ExpectClose(deviceId, reason);
        try
        {
            await server.DisconnectClientAsync(
                deviceId,
                new MqttServerClientDisconnectOptions { ReasonCode = MqttDisconnectReasonCode.AdministrativeAction, ReasonString = reason })
                .ConfigureAwait(false);
            Log.SessionClosed(logger, deviceId, reason);
        }
        catch (InvalidOperationException)
        {
            // It went away on its own meanwhile; its own disconnect was recorded.
        }
    }
}
