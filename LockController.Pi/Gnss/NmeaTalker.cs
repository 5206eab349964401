namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>The talker of a sentence: which constellation (or combination) produced it.</summary>
public enum NmeaTalker
{
    /// <summary>A talker id this parser does not know; the sentence is still used.</summary>
    Unknown = 0,

    /// <summary><c>GP</c>: GPS.</summary>
    Gps,

    /// <summary><c>GL</c>: GLONASS.</summary>
    Glonass,

    /// <summary><c>GA</c>: Galileo.</summary>
    Galileo,

    /// <summary><c>GB</c> or <c>BD</c>: BeiDou.</summary>
    BeiDou,

    /// <summary><c>GQ</c>: QZSS.</summary>
    Qzss,

    /// <summary><c>GN</c>: a solution combining several constellations.</summary>
    MultiGnss,
}
