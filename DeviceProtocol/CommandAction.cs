using System.Text.Json.Serialization;

namespace IoTPlatform.DeviceProtocol;

/// <summary>What a command asks a controller to do. <c>unlock</c>/<c>lock</c> for bikes; <c>release</c>/<c>secure</c> (with a slot) for kiosks.</summary>
[JsonConverter(typeof(StrictStringEnumConverter<CommandAction>))]
public enum CommandAction
{
    [JsonStringEnumMemberName("unlock")]
    Unlock,

    [JsonStringEnumMemberName("lock")]
    Lock,

    [JsonStringEnumMemberName("release")]
    Release,

    [JsonStringEnumMemberName("secure")]
    Secure,
}
