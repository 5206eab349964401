namespace IoTPlatform.Telemetry.Ingest;

/// <summary>Why the GPS check did not trust a reading's position. The reading is stored all the same.</summary>
public static class PositionReasons
{
    /// <summary>No position in the reading, or <c>fix</c> 0.</summary>
    public const string NoFix = "no-fix";

    /// <summary>Latitude and longitude both 0 ("null island"), a receiver's default.</summary>
    public const string NullIsland = "null-island";

    /// <summary>Reaching it from the device's previous trusted fix would need more than the configured speed.</summary>
    public const string ImplausibleSpeed = "implausible-speed";

    /// <summary>The reading's <c>ts</c> is ahead of the receiver's clock by more than the configured skew.</summary>
    public const string TsInFuture = "ts-in-future";

    public static IReadOnlyList<string> All { get; } = [NoFix, NullIsland, ImplausibleSpeed, TsInFuture];
}
