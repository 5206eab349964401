namespace IoTPlatform.Telemetry.Latest;

/// <summary>When the device said something: its <c>ts</c>, ties broken by <c>seq</c>. The newer stamp wins, whatever arrived last.</summary>
public readonly record struct Stamp(long Ts, long Seq) : IComparable<Stamp>
{
    public int CompareTo(Stamp other) => Ts != other.Ts ? Ts.CompareTo(other.Ts) : Seq.CompareTo(other.Seq);

    public static bool operator >(Stamp left, Stamp right) => left.CompareTo(right) > 0;

    public static bool operator <(Stamp left, Stamp right) => left.CompareTo(right) < 0;

    public static bool operator >=(Stamp left, Stamp right) => left.CompareTo(right) >= 0;

    public static bool operator <=(Stamp left, Stamp right) => left.CompareTo(right) <= 0;

    /// <summary>True when <paramref name="candidate"/> is newer than <paramref name="current"/> (or there is none).</summary>
    public static bool Newer(Stamp candidate, Stamp? current) => current is not { } c || candidate > c;
}
