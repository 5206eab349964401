namespace IoTPlatform.DeviceProtocol;

/// <summary>Wire names of <see cref="DeviceKind"/> and the facts that follow from a kind.</summary>
public static class DeviceKinds
{
    /// <summary>Most slots a kiosk may have.</summary>
    public const int MaxSlots = 64;

    /// <summary>The wire names, in declaration order.</summary>
    public static IReadOnlyList<string> Names { get; } = ["bike", "umbrella-kiosk", "charger-kiosk"];

    public static string ToWireName(this DeviceKind kind) => kind switch
    {
        DeviceKind.Bike => "bike",
        DeviceKind.UmbrellaKiosk => "umbrella-kiosk",
        DeviceKind.ChargerKiosk => "charger-kiosk",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown device kind."),
    };

    public static bool TryParse(string? name, out DeviceKind kind)
    {
        switch (name)
        {
            case "bike": kind = DeviceKind.Bike; return true;
            case "umbrella-kiosk": kind = DeviceKind.UmbrellaKiosk; return true;
            case "charger-kiosk": kind = DeviceKind.ChargerKiosk; return true;
            default: kind = default; return false;
        }
    }

    /// <summary>Kiosks have numbered slots; bikes have none.</summary>
    public static bool HasSlots(this DeviceKind kind) => kind is DeviceKind.UmbrellaKiosk or DeviceKind.ChargerKiosk;
}
