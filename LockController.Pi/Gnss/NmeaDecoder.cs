namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>
/// Bytes from a receiver in, fixes out: framing, parsing, counting and epoch assembly in one place.
/// Not thread-safe: one decoder per byte stream.
/// </summary>
public sealed class NmeaDecoder
{
    private readonly NmeaFramer _framer = new();
    private readonly GnssEpochAssembler _assembler = new();

    /// <summary>Creates a decoder counting into <paramref name="statistics"/> (a new one when null).</summary>
    public NmeaDecoder(NmeaStatistics? statistics = null) => Statistics = statistics ?? new NmeaStatistics();

    /// <summary>What this decoder has seen.</summary>
    public NmeaStatistics Statistics { get; }

    /// <summary>Decodes a chunk of bytes, adding the fixes of the epochs it completed to <paramref name="fixes"/>.</summary>
    public void Write(ReadOnlySpan<byte> data, ICollection<GnssFix> fixes)
    {
        ArgumentNullException.ThrowIfNull(fixes);
        while (_framer.TryRead(ref data, out ReadOnlySpan<byte> segment, out NmeaError framing))
            Handle(segment, framing, fixes);
    }

    /// <summary>End of stream: decodes an unterminated last line and completes the epoch in progress.</summary>
    public void Complete(ICollection<GnssFix> fixes)
    {
        ArgumentNullException.ThrowIfNull(fixes);
        if (_framer.TryFlush(out ReadOnlySpan<byte> segment, out NmeaError framing))
            Handle(segment, framing, fixes);
        long before = _assembler.Epochs;
        bool fix = _assembler.TryComplete(out GnssFix? completed);
        Collect(before, fix, completed, fixes);
    }

    private void Handle(ReadOnlySpan<byte> segment, NmeaError framing, ICollection<GnssFix> fixes)
    {
        if (framing == NmeaError.TooLong)
        {
            Statistics.CountRejected(NmeaError.TooLong);
            return;
        }
        if (!NmeaParser.TryParse(segment, out NmeaSentence sentence, out NmeaError error))
        {
            if (error != NmeaError.Empty)
                Statistics.CountRejected(framing == NmeaError.Spliced && error is NmeaError.Truncated or NmeaError.BadChecksum ? NmeaError.Spliced : error);
            return;
        }
        Statistics.CountAccepted();
        long before = _assembler.Epochs;
        bool fix = _assembler.Add(sentence, out GnssFix? completed);
        Collect(before, fix, completed, fixes);
    }

    private void Collect(long epochsBefore, bool fix, GnssFix? completed, ICollection<GnssFix> fixes)
    {
        if (_assembler.Epochs != epochsBefore)
            Statistics.CountEpoch(fix);
        if (fix && completed is not null)
            fixes.Add(completed);
    }
}
