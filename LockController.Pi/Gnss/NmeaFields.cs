using System.Globalization;

namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>Field decoders. Each returns false for a malformed field; an empty field is "absent", not an error.</summary>
internal static class NmeaFields
{
    private const NumberStyles DecimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    public const double KnotsToMps = 1852.0 / 3600.0;

    public static bool TryDouble(ReadOnlySpan<byte> field, out double? value)
    {
        value = null;
        if (field.IsEmpty)
            return true;
        if (!double.TryParse(field, DecimalStyle, CultureInfo.InvariantCulture, out double v) || !double.IsFinite(v))
            return false;
        value = v;
        return true;
    }

    public static bool TryInt(ReadOnlySpan<byte> field, out int? value)
    {
        value = null;
        if (field.IsEmpty)
            return true;
        if (!int.TryParse(field, NumberStyles.None, CultureInfo.InvariantCulture, out int v))
            return false;
        value = v;
        return true;
    }

    /// <summary><c>hhmmss</c> with an optional fraction of any length.</summary>
    public static bool TryTime(ReadOnlySpan<byte> field, out TimeSpan? value)
    {
        value = null;
        if (field.IsEmpty)
            return true;
        if (field.Length < 6 || !TwoDigits(field, 0, out int h) || !TwoDigits(field, 2, out int m) || !TwoDigits(field, 4, out int s))
            return false;
        if (h > 23 || m > 59 || s > 59)
            return false;
        long ticks = 0;
        if (field.Length > 6)
        {
            if (field[6] != (byte)'.')
                return false;
            long scale = TimeSpan.TicksPerSecond;
            for (int i = 7; i < field.Length; i++)
            {
                int d = field[i] - '0';
                if ((uint)d > 9)
                    return false;
                scale /= 10;
                ticks += d * scale;
            }
        }
        value = new TimeSpan(h, m, s) + TimeSpan.FromTicks(ticks);
        return true;
    }

    /// <summary>RMC's <c>ddmmyy</c>; two-digit years 80–99 are 19xx, 00–79 are 20xx.</summary>
    public static bool TryDateDdMmYy(ReadOnlySpan<byte> field, out DateOnly? value)
    {
        value = null;
        if (field.IsEmpty)
            return true;
        if (field.Length != 6 || !TwoDigits(field, 0, out int d) || !TwoDigits(field, 2, out int m) || !TwoDigits(field, 4, out int y))
            return false;
        return TryDate(y < 80 ? 2000 + y : 1900 + y, m, d, out value);
    }

    public static bool TryDate(int year, int month, int day, out DateOnly? value)
    {
        value = null;
        if (year < 1 || year > 9999 || month < 1 || month > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            return false;
        value = new DateOnly(year, month, day);
        return true;
    }

    /// <summary><c>ddmm.mmmm</c> (latitude, <paramref name="degreeDigits"/> 2) or <c>dddmm.mmmm</c> (longitude, 3) with its hemisphere.</summary>
    public static bool TryCoordinate(ReadOnlySpan<byte> field, ReadOnlySpan<byte> hemisphere, int degreeDigits, out double? value)
    {
        value = null;
        if (field.IsEmpty && hemisphere.IsEmpty)
            return true;
        if (field.IsEmpty || hemisphere.Length != 1)
            return false;
        int dot = field.IndexOf((byte)'.');
        int intDigits = dot < 0 ? field.Length : dot;
        if (intDigits < 3 || intDigits > degreeDigits + 2)
            return false;
        if (!int.TryParse(field[..(intDigits - 2)], NumberStyles.None, CultureInfo.InvariantCulture, out int degrees)
            || !double.TryParse(field[(intDigits - 2)..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double minutes)
            || minutes >= 60)
            return false;
        double v = degrees + (minutes / 60.0);
        double max = degreeDigits == 2 ? 90 : 180;
        if (v > max)
            return false;
        byte h = hemisphere[0];
        bool negative = degreeDigits == 2 ? h == (byte)'S' : h == (byte)'W';
        bool positive = degreeDigits == 2 ? h == (byte)'N' : h == (byte)'E';
        if (!negative && !positive)
            return false;
        value = negative ? -v : v;
        return true;
    }

    /// <summary>The NMEA 2.3 mode indicator of RMC, GLL, VTG: A, D, P, R, F are fixes; E, M, S, N are not.</summary>
    public static NmeaValidity ModeIndicator(ReadOnlySpan<byte> field) =>
        field.IsEmpty ? NmeaValidity.Unknown : ModeChar(field[0]);

    /// <summary>GNS's mode string, one character per constellation: valid when any constellation has a fix.</summary>
    public static NmeaValidity GnsMode(ReadOnlySpan<byte> field)
    {
        if (field.IsEmpty)
            return NmeaValidity.Unknown;
        foreach (byte c in field)
        {
            if (ModeChar(c) == NmeaValidity.Valid)
                return NmeaValidity.Valid;
        }
        return NmeaValidity.Invalid;
    }

    private static NmeaValidity ModeChar(byte c) => c switch
    {
        (byte)'A' or (byte)'D' or (byte)'P' or (byte)'R' or (byte)'F' => NmeaValidity.Valid,
        _ => NmeaValidity.Invalid,
    };

    public static bool TwoDigits(ReadOnlySpan<byte> s, int at, out int value)
    {
        int a = s[at] - '0';
        int b = s[at + 1] - '0';
        value = (a * 10) + b;
        return (uint)a <= 9 && (uint)b <= 9;
    }
}
