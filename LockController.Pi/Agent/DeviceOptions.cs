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
    [RegularExpression(DeviceId.Pattern, ErrorMessage = "Device:Id must match " + DeviceId.Pattern + ".")]
    public string Id { get; set; } = "";

    /// <summary>The device secret: the MQTT password.</summary>
    [Required(AllowEmptyStrings = false)]
    public string Secret { get; set; } = "";
}
