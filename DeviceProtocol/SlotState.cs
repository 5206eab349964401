using System.Text.Json.Serialization;

namespace IoTPlatform.DeviceProtocol;

/// <summary>State of one kiosk slot. Wire: <c>empty|occupied|released|fault</c>.</summary>
[JsonConverter(typeof(StrictStringEnumConverter<SlotState>))]
public enum SlotState
{
    [JsonStringEnumMemberName("empty")]
    Empty,

    [JsonStringEnumMemberName("occupied")]
    Occupied,

    [JsonStringEnumMemberName("released")]
    Released,

    [JsonStringEnumMemberName("fault")]
    Fault,
}
