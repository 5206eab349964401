namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>Why a line from the receiver was not used. <see cref="None"/> when it was.</summary>
public enum NmeaError
{
    /// <summary>No error: the sentence was parsed.</summary>
    None = 0,

    /// <summary>An empty line.</summary>
    Empty,

    /// <summary>A <c>#</c> comment line (capture metadata), not NMEA.</summary>
    Comment,

    /// <summary>The line contains NUL bytes (line noise, a receiver powering up).</summary>
    NulByte,

    /// <summary>Bytes that are not printable ASCII (binary protocol data, wrong baud rate).</summary>
    Garbage,

    /// <summary>Text that does not start with <c>$</c>.</summary>
    NoStart,

    /// <summary>A second sentence start inside the sentence: two sentences run together.</summary>
    Spliced,

    /// <summary>The sentence ends before its <c>*hh</c> checksum (cut off).</summary>
    Truncated,

    /// <summary>The checksum does not match the sentence.</summary>
    BadChecksum,

    /// <summary>Longer than any sentence a receiver sends.</summary>
    TooLong,

    /// <summary>The address field is not a talker id and a formatter.</summary>
    BadAddress,

    /// <summary>A field of a supported sentence is not what the standard allows.</summary>
    BadField,

    /// <summary>A well-formed sentence this parser does not use (proprietary <c>$P…</c>, GST, TXT…).</summary>
    Unsupported,
}
