using System.ComponentModel.DataAnnotations;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>Configuration section <c>Device</c>: who this controller is to the backend (issued at registration).</summary>
public sealed class DeviceOptions
{
    /// <summary>The configuration section.</summary>
    public const string SectionName = "Device";

    /// <summary>The device id: MQTT client id and user name.</summary>
    [Required(AllowEmptyStrings = false)]
    // Not the pattern itself in the message: the validator formats it, and its {2,63} is a format item.
    [RegularExpression(DeviceId.Pattern, ErrorMessage = "Device:Id must be a device id: 3 to 64 of a-z, 0-9 and '-', not starting with '-'.")]
    public string Id { get; set; } = "";

    /// <summary>The device secret: the MQTT password.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Secret { get; set; } = "";
}
