namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>
/// Cuts a byte stream into candidate sentences. A line ends at CR or LF; like gpsd's packet lexer, a
/// <c>$</c> inside a line starts a new sentence, so the next sentence is still read when one is cut short.
/// A segment that a <c>$</c> cut off is marked <see cref="NmeaError.Spliced"/>: if it does not parse, that
/// is the reason to count. <c>#</c> lines run to their end. A line longer than
/// <see cref="NmeaParser.MaxLineLength"/> is reported as <see cref="NmeaError.TooLong"/>.
/// </summary>
public sealed class NmeaFramer
{
    private readonly byte[] _buffer = new byte[NmeaParser.MaxLineLength];
    private int _length;
    private bool _comment;
    private bool _overflow;

    /// <summary>
    /// Consumes bytes from <paramref name="input"/> until a segment is complete. The segment is valid until the
    /// next call. <paramref name="framingError"/> is <see cref="NmeaError.None"/> when the segment is a whole line
    /// for <see cref="NmeaParser.TryParse(ReadOnlySpan{byte}, out NmeaSentence, out NmeaError)"/>.
    /// </summary>
    public bool TryRead(ref ReadOnlySpan<byte> input, out ReadOnlySpan<byte> segment, out NmeaError framingError)
    {
        for (int i = 0; i < input.Length; i++)
        {
            byte b = input[i];
            if (b is (byte)'\r' or (byte)'\n')
            {
                if (_length == 0 && !_overflow)
                    continue;
                input = input[(i + 1)..];
                return Emit(out segment, out framingError, spliced: false);
            }
            if (b == (byte)'$' && !_comment && (_length > 0 || _overflow))
            {
                input = input[i..];
                return Emit(out segment, out framingError, spliced: _length > 0 && _buffer[0] == (byte)'$');
            }
            if (_length == 0 && !_overflow && b == (byte)'#')
                _comment = true;
            if (_length < _buffer.Length)
                _buffer[_length++] = b;
            else if (!_comment)
                _overflow = true;
        }
        input = default;
        segment = default;
        framingError = NmeaError.None;
        return false;
    }

    /// <summary>End of stream: returns the unterminated rest, if any.</summary>
    public bool TryFlush(out ReadOnlySpan<byte> segment, out NmeaError framingError)
    {
        if (_length == 0 && !_overflow)
        {
            segment = default;
            framingError = NmeaError.None;
            return false;
        }
        return Emit(out segment, out framingError, spliced: false);
    }

    private bool Emit(out ReadOnlySpan<byte> segment, out NmeaError framingError, bool spliced)
    {
        segment = _buffer.AsSpan(0, _length);
        framingError = _overflow ? NmeaError.TooLong : spliced ? NmeaError.Spliced : NmeaError.None;
        _length = 0;
        _comment = false;
        _overflow = false;
        return true;
    }
}
