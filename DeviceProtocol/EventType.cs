using System.Text.Json.Serialization;

namespace IoTPlatform.DeviceProtocol;

/// <summary>Kind of a device event on <c>v1/devices/{id}/events</c>.</summary>
[JsonConverter(typeof(StrictStringEnumConverter<EventType>))]
public enum EventType
{
    [JsonStringEnumMemberName("lock_changed")]
    LockChanged,

    [JsonStringEnumMemberName("motion_while_locked")]
    MotionWhileLocked,

    [JsonStringEnumMemberName("tamper")]
    Tamper,

    [JsonStringEnumMemberName("low_battery")]
    LowBattery,

    [JsonStringEnumMemberName("boot")]
    Boot,

    [JsonStringEnumMemberName("slot_changed")]
    SlotChanged,

    [JsonStringEnumMemberName("jammed")]
    Jammed,
}
