using System.Buffers;
using System.Text;

namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>
/// Parses one NMEA 0183 line. Never throws on input: a line that cannot be used comes back as false with
/// the reason. Numbers are read with the invariant culture, from bytes, without allocating.
/// </summary>
public static class NmeaParser
{
    /// <summary>
    /// The longest line accepted. The standard says 82 characters with CR LF; several receivers send longer
    /// sentences (multi-GNSS GSA, proprietary ones), so the limit leaves room without letting noise run on.
    /// </summary>
    public const int MaxLineLength = 160;

    private static readonly SearchValues<byte> Whitespace = SearchValues.Create(" \t\r\n"u8);

    /// <summary>Parses a line given as text; characters outside ASCII make it <see cref="NmeaError.Garbage"/>.</summary>
    public static bool TryParse(string? line, out NmeaSentence sentence, out NmeaError error)
    {
        sentence = default;
        if (string.IsNullOrEmpty(line))
        {
            error = NmeaError.Empty;
            return false;
        }
        if (line.Length > MaxLineLength * 2)
        {
            error = NmeaError.TooLong;
            return false;
        }
        Span<byte> bytes = stackalloc byte[line.Length];
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            // Latin-1 truncation would turn U+0124 into '$'; anything outside ASCII becomes DEL, which is garbage.
            bytes[i] = c < 0x80 ? (byte)c : (byte)0x7F;
        }
        return TryParse(bytes, out sentence, out error);
    }

    /// <summary>Parses one line of bytes (with or without its CR LF).</summary>
    public static bool TryParse(ReadOnlySpan<byte> line, out NmeaSentence sentence, out NmeaError error)
    {
        sentence = default;
        error = Check(line, out ReadOnlySpan<byte> body);
        if (error != NmeaError.None)
            return false;
        error = ParseBody(body, out sentence);
        return error == NmeaError.None;
    }

    /// <summary>Frames and checksums a line; on success <paramref name="body"/> is what lies between <c>$</c> and <c>*</c>.</summary>
    private static NmeaError Check(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> body)
    {
        body = default;
        int start = line.IndexOfAnyExcept(Whitespace);
        if (start < 0)
            return NmeaError.Empty;
        int end = line.LastIndexOfAnyExcept(Whitespace);
        line = line[start..(end + 1)];
        if (line.Contains((byte)0))
            return NmeaError.NulByte;
        if (line[0] == (byte)'#')
            return NmeaError.Comment;
        if (line.IndexOfAnyExceptInRange((byte)0x20, (byte)0x7E) >= 0)
            return NmeaError.Garbage;
        if (line[0] != (byte)'$')
            return NmeaError.NoStart;
        if (line.Length > MaxLineLength)
            return NmeaError.TooLong;
        if (line[1..].Contains((byte)'$'))
            return NmeaError.Spliced;
        int star = line.LastIndexOf((byte)'*');
        if (star < 0 || line.Length - star < 3)
            return NmeaError.Truncated;
        if (line.Length - star > 3 || !TryHex(line[star + 1], out int hi) || !TryHex(line[star + 2], out int lo))
            return NmeaError.BadChecksum;
        body = line[1..star];
        int sum = 0;
        foreach (byte b in body)
            sum ^= b;
        return sum == ((hi << 4) | lo) ? NmeaError.None : NmeaError.BadChecksum;
    }

    private static NmeaError ParseBody(ReadOnlySpan<byte> body, out NmeaSentence sentence)
    {
        sentence = default;
        int comma = body.IndexOf((byte)',');
        ReadOnlySpan<byte> address = comma < 0 ? body : body[..comma];
        if (address.Length > 0 && address[0] == (byte)'P')
            return NmeaError.Unsupported;
        if (address.Length != 5 || address.IndexOfAnyExceptInRange((byte)'A', (byte)'Z') >= 0)
            return NmeaError.BadAddress;
        NmeaSentenceType type = TypeOf(address[2..]);
        if (type == NmeaSentenceType.None)
            return NmeaError.Unsupported;
        var fields = new NmeaFieldReader(comma < 0 ? default : body[(comma + 1)..]);
        bool ok = type switch
        {
            NmeaSentenceType.Gga => NmeaSentenceParsers.Gga(ref fields, out sentence),
            NmeaSentenceType.Rmc => NmeaSentenceParsers.Rmc(ref fields, out sentence),
            NmeaSentenceType.Gsa => NmeaSentenceParsers.Gsa(ref fields, out sentence),
            NmeaSentenceType.Gsv => NmeaSentenceParsers.Gsv(ref fields, out sentence),
            NmeaSentenceType.Vtg => NmeaSentenceParsers.Vtg(ref fields, out sentence),
            NmeaSentenceType.Gll => NmeaSentenceParsers.Gll(ref fields, out sentence),
            NmeaSentenceType.Gns => NmeaSentenceParsers.Gns(ref fields, out sentence),
            _ => NmeaSentenceParsers.Zda(ref fields, out sentence),
        };
        if (!ok)
        {
            sentence = default;
            return NmeaError.BadField;
        }
        sentence = sentence with { Type = type, Talker = TalkerOf(address[..2]) };
        return NmeaError.None;
    }

    private static NmeaSentenceType TypeOf(ReadOnlySpan<byte> f) =>
        f.SequenceEqual("GGA"u8) ? NmeaSentenceType.Gga
        : f.SequenceEqual("RMC"u8) ? NmeaSentenceType.Rmc
        : f.SequenceEqual("GSA"u8) ? NmeaSentenceType.Gsa
        : f.SequenceEqual("GSV"u8) ? NmeaSentenceType.Gsv
        : f.SequenceEqual("VTG"u8) ? NmeaSentenceType.Vtg
        : f.SequenceEqual("GLL"u8) ? NmeaSentenceType.Gll
        : f.SequenceEqual("GNS"u8) ? NmeaSentenceType.Gns
        : f.SequenceEqual("ZDA"u8) ? NmeaSentenceType.Zda
        : NmeaSentenceType.None;

    private static NmeaTalker TalkerOf(ReadOnlySpan<byte> t) => (t[0], t[1]) switch
    {
        ((byte)'G', (byte)'P') => NmeaTalker.Gps,
        ((byte)'G', (byte)'L') => NmeaTalker.Glonass,
        ((byte)'G', (byte)'A') => NmeaTalker.Galileo,
        ((byte)'G', (byte)'B') or ((byte)'B', (byte)'D') => NmeaTalker.BeiDou,
        ((byte)'G', (byte)'Q') => NmeaTalker.Qzss,
        ((byte)'G', (byte)'N') => NmeaTalker.MultiGnss,
        _ => NmeaTalker.Unknown,
    };

    private static bool TryHex(byte c, out int value)
    {
        value = c switch
        {
            >= (byte)'0' and <= (byte)'9' => c - '0',
            >= (byte)'A' and <= (byte)'F' => c - 'A' + 10,
            >= (byte)'a' and <= (byte)'f' => c - 'a' + 10,
            _ => -1,
        };
        return value >= 0;
    }

    /// <summary>The two hex digits of the checksum of <paramref name="body"/> (what lies between <c>$</c> and <c>*</c>).</summary>
    public static string Checksum(string body)
    {
        ArgumentNullException.ThrowIfNull(body);
        int sum = 0;
        foreach (byte b in Encoding.ASCII.GetBytes(body))
            sum ^= b;
        return sum.ToString("X2", System.Globalization.CultureInfo.InvariantCulture);
    }
}
