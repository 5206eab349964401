using System.Text.Json.Serialization;

namespace IoTPlatform.DeviceProtocol;

/// <summary>Where the controller's wall clock comes from, as it reports in its status. <c>unsynced</c> means no GNSS time, no NTP sync and no RTC since boot: the controller then rejects time-bound commands with <c>clock-unsynced</c>.</summary>
[JsonConverter(typeof(StrictStringEnumConverter<ClockState>))]
public enum ClockState
{
    [JsonStringEnumMemberName("gnss")]
    Gnss,

    [JsonStringEnumMemberName("ntp")]
    Ntp,

    [JsonStringEnumMemberName("rtc")]
    Rtc,

    [JsonStringEnumMemberName("unsynced")]
    Unsynced,
}
