using IoTPlatform.Broker.Presence;
using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MQTTnet.Formatter;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace IoTPlatform.Broker.Policy;

/// <summary>
/// CONNECT policy: client id = username = a registered, active device id; password = its secret;
/// keepalive 1..<see cref="BrokerOptions.MaxKeepAliveSeconds"/>. A refusal sets the reason code (MQTT 3.1.1
/// gets the nearest return code), is counted and logged. Never throws.
/// </summary>
public sealed class ConnectionValidator(
    IDeviceAuthenticator authenticator,
    PresenceTracker presence,
    BrokerStats stats,
    IOptions<BrokerOptions> options,
    ILogger<ConnectionValidator> logger)
{
    public async Task ValidateAsync(ValidatingConnectionEventArgs e)
    {
        ArgumentNullException.ThrowIfNull(e);
        var (reason, code) = await CheckAsync(e).ConfigureAwait(false);
        if (reason is null)
        {
            e.ReasonCode = MqttConnectReasonCode.Success;
            presence.NoteConnect(e.ClientId, e.KeepAlivePeriod ?? 0, e.ProtocolVersion);
            return;
        }

        e.ReasonCode = code;
        e.ReasonString = reason;
        var knownDevice = reason is RefusalReasons.BadSecret or RefusalReasons.Decommissioned or RefusalReasons.KeepAliveOutOfRange;
        stats.Refused(reason, knownDevice ? e.ClientId : null);
        Log.ConnectRefused(logger, e.ClientId, e.UserName, reason, e.RemoteEndPoint?.ToString());
    }

    private async Task<(string? Reason, MqttConnectReasonCode Code)> CheckAsync(ValidatingConnectionEventArgs e)
    {
        if (string.IsNullOrEmpty(e.ClientId) || !DeviceId.IsValid(e.ClientId))
        {
            return (RefusalReasons.InvalidClientId, MqttConnectReasonCode.ClientIdentifierNotValid);
        }

        if (string.IsNullOrEmpty(e.UserName) || e.RawPassword is not { Length: > 0 })
        {
            return (RefusalReasons.MissingCredentials, MqttConnectReasonCode.BadUserNameOrPassword);
        }

        if (!string.Equals(e.ClientId, e.UserName, StringComparison.Ordinal))
        {
            return (RefusalReasons.ClientIdMismatch, MqttConnectReasonCode.ClientIdentifierNotValid);
        }

        DeviceAuthResult result;
        try
        {
            result = await authenticator.VerifySecretAsync(e.ClientId, e.Password, e.CancellationToken).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // The broker must answer every CONNECT; a store failure is "try later".
        catch (Exception ex)
#pragma warning restore CA1031
        {
            Log.AuthenticatorFailed(logger, ex, e.ClientId);
            return ("server-unavailable", MqttConnectReasonCode.ServerUnavailable);
        }

        switch (result)
        {
            case DeviceAuthResult.UnknownDevice:
                return (RefusalReasons.UnknownDevice, MqttConnectReasonCode.BadUserNameOrPassword);
            case DeviceAuthResult.BadSecret:
                return (RefusalReasons.BadSecret, MqttConnectReasonCode.BadUserNameOrPassword);
            case DeviceAuthResult.Decommissioned:
                return (RefusalReasons.Decommissioned, MqttConnectReasonCode.Banned);
        }

        // Checked after the secret so that an unauthenticated client learns nothing about the policy.
        if (e.KeepAlivePeriod is not { } keepAlive || keepAlive == 0 || keepAlive > options.Value.MaxKeepAliveSeconds)
        {
            // MQTT 3.1.1 has no fitting return code: "not authorized" is the nearest truthful one.
            return (RefusalReasons.KeepAliveOutOfRange, e.ProtocolVersion == MqttProtocolVersion.V500
                ? MqttConnectReasonCode.ImplementationSpecificError
                : MqttConnectReasonCode.NotAuthorized);
        }

        return (null, MqttConnectReasonCode.Success);
    }
}
