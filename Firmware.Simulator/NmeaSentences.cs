using System.Globalization;
using System.Text;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>
/// Writes the NMEA 0183 sentences a u-blox receiver sends every second — <c>$GPRMC</c> then <c>$GPGGA</c> — with
/// their checksums, for a position at a UTC time.
/// </summary>
internal static class NmeaSentences
{
    private const double KnotsPerMps = 1.943844;

    /// <summary>One epoch: RMC (time, date, position, speed, course) and GGA (fix quality 1, satellites, altitude), CRLF-terminated.</summary>
    public static string Epoch(DateTimeOffset utc, double lat, double lon, double speedMps, double courseDegrees, double altitude = 45.0)
    {
        utc = utc.ToUniversalTime();
        string time = utc.ToString("HHmmss.ff", CultureInfo.InvariantCulture), date = utc.ToString("ddMMyy", CultureInfo.InvariantCulture);
        string latitude = Angle(Math.Abs(lat), 2), longitude = Angle(Math.Abs(lon), 3);
        char ns = lat >= 0 ? 'N' : 'S', ew = lon >= 0 ? 'E' : 'W';
        string rmc = string.Create(CultureInfo.InvariantCulture,
            $"GPRMC,{time},A,{latitude},{ns},{longitude},{ew},{speedMps * KnotsPerMps:F3},{courseDegrees:F2},{date},,,A");
        string gga = string.Create(CultureInfo.InvariantCulture,
            $"GPGGA,{time},{latitude},{ns},{longitude},{ew},1,09,0.9,{altitude:F1},M,47.0,M,,");
        return Sentence(rmc) + Sentence(gga);
    }

    /// <summary><c>$body*HH\r\n</c>.</summary>
    public static string Sentence(string body) => string.Create(CultureInfo.InvariantCulture, $"${body}*{Checksum(body):X2}\r\n");

    /// <summary>The XOR of every character between <c>$</c> and <c>*</c>.</summary>
    public static byte Checksum(string body)
    {
        byte sum = 0;
        foreach (byte b in Encoding.ASCII.GetBytes(body))
            sum ^= b;
        return sum;
    }

    /// <summary>ddmm.mmmmm / dddmm.mmmmm.</summary>
    private static string Angle(double degrees, int width)
    {
        int whole = (int)Math.Floor(degrees);
        double minutes = (degrees - whole) * 60;
        if (minutes >= 59.999995)
        {
            whole++;
            minutes = 0;
        }
        return whole.ToString(width == 2 ? "00" : "000", CultureInfo.InvariantCulture) + minutes.ToString("00.00000", CultureInfo.InvariantCulture);
    }
}
