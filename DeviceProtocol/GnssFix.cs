namespace IoTPlatform.DeviceProtocol;

/// <summary>The values of a reading's <c>fix</c> field.</summary>
public static class GnssFix
{
    public const int None = 0;
    public const int TwoD = 2;
    public const int ThreeD = 3;

    public static bool IsValid(int fix) => fix is None or TwoD or ThreeD;
}
