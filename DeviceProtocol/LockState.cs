using System.Text.Json.Serialization;

namespace IoTPlatform.DeviceProtocol;

/// <summary>Sensed state of a lock (or of a kiosk's lock bar). Wire: <c>locked|unlocked|jammed|unknown</c>.</summary>
[JsonConverter(typeof(StrictStringEnumConverter<LockState>))]
public enum LockState
{
    [JsonStringEnumMemberName("locked")]
    Locked,

    [JsonStringEnumMemberName("unlocked")]
    Unlocked,

    [JsonStringEnumMemberName("jammed")]
    Jammed,

    [JsonStringEnumMemberName("unknown")]
    Unknown,
}
