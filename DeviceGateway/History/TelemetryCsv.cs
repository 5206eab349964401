using System.Globalization;
using System.Text;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;

namespace IoTPlatform.DeviceGateway.History;

/// <summary>
/// Readings as CSV (RFC 4180): a header line, CRLF line ends; numbers in the invariant culture with round-trip
/// precision, an absent value empty. No field needs quoting: they are numbers, times, lock names and GPS-check codes.
/// </summary>
public static class TelemetryCsv
{
    public const string Header = "seq,ts,time,lat,lon,alt,speed,course,hdop,sats,fix,battery,lock,position_rejected";

    public static async Task WriteAsync(Stream stream, IEnumerable<StoredReading> readings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(readings);
        var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await writer.WriteAsync((Header + "\r\n").AsMemory(), cancellationToken).ConfigureAwait(false);
            var line = new StringBuilder(Header.Length * 2);
            foreach (var stored in readings)
            {
                await writer.WriteAsync(AppendLine(line.Clear(), stored), cancellationToken).ConfigureAwait(false);
            }

            await writer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One reading's line, with its CRLF.</summary>
    private static StringBuilder AppendLine(StringBuilder line, StoredReading stored)
    {
        var r = stored.Reading;
        var time = DateTimeOffset.FromUnixTimeMilliseconds(r.Ts).UtcDateTime;
        return line.Append(
            CultureInfo.InvariantCulture,
            $"{r.Seq},{r.Ts},{time:yyyy-MM-dd'T'HH:mm:ss.fff'Z'},{r.Lat},{r.Lon},{r.Alt},{r.Speed},{r.Course},{r.Hdop},{r.Sats},{r.Fix},{r.Battery},{r.Lock?.ToWireName()},{stored.PositionRejected}\r\n");
    }
}
