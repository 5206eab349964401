using System.Text.Json.Serialization;

namespace IoTPlatform.DeviceProtocol;

/// <summary>What a lock controller is mounted on. Wire names are kebab-case.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<DeviceKind>))]
public enum DeviceKind
{
    [JsonStringEnumMemberName("bike")]
    Bike,

    [JsonStringEnumMemberName("umbrella-kiosk")]
    UmbrellaKiosk,

    [JsonStringEnumMemberName("charger-kiosk")]
    ChargerKiosk,
}
