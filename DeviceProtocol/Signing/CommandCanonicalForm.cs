using System.Globalization;
using System.Text;

namespace IoTPlatform.DeviceProtocol.Signing;

/// <summary>
/// The bytes a command signature covers: UTF-8 of
/// <c>v1|{deviceId}|{id}|{action}|{slot or ""}|{issuedAt}|{expiresAt}</c>, with the action as its wire
/// name and the times as invariant-culture epoch milliseconds. The device id is in it, so a command
/// signed for one device fails on every other.
/// </summary>
public static class CommandCanonicalForm
{
    /// <summary>The first field: the protocol version.</summary>
    public const string Version = "v1";

    /// <summary>The canonical string of a command for <paramref name="deviceId"/>.</summary>
    /// <exception cref="ArgumentException">A null id or an undefined action.</exception>
    public static string ToCanonicalString(DeviceCommand command, string deviceId)
    {
        ArgumentNullException.ThrowIfNull(command);
        return ToCanonicalString(deviceId, command.Id, command.Action, command.Slot, command.IssuedAt, command.ExpiresAt);
    }

    /// <inheritdoc cref="ToCanonicalString(DeviceCommand, string)"/>
    public static string ToCanonicalString(string deviceId, string commandId, CommandAction action, int? slot, long issuedAt, long expiresAt)
    {
        ArgumentNullException.ThrowIfNull(deviceId);
        ArgumentNullException.ThrowIfNull(commandId);
        return TryGetCanonicalString(deviceId, commandId, action, slot, issuedAt, expiresAt)
            ?? throw new ArgumentOutOfRangeException(nameof(action), action, "Unknown command action.");
    }

    /// <summary>The UTF-8 bytes of <see cref="ToCanonicalString(DeviceCommand, string)"/>.</summary>
    public static byte[] GetBytes(DeviceCommand command, string deviceId) => Encoding.UTF8.GetBytes(ToCanonicalString(command, deviceId));

    /// <summary>Null instead of an exception, for the verifier.</summary>
    internal static string? TryGetCanonicalString(string? deviceId, string? commandId, CommandAction action, int? slot, long issuedAt, long expiresAt)
    {
        var actionName = WireNames.TryGetWireName(action);
        if (deviceId is null || commandId is null || actionName is null)
        {
            return null;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{Version}|{deviceId}|{commandId}|{actionName}|{slot}|{issuedAt}|{expiresAt}");
    }
}
