using System.Text;
using IoTPlatform.DeviceGateway.History;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;

namespace IoTPlatform.DeviceGateway.Tests.History;

/// <summary>The CSV writer on its own, under a culture whose decimal separator is a comma.</summary>
[SetCulture("de-DE")]
public sealed class TelemetryCsvTests
{
    [Test]
    public async Task Numbers_are_written_in_the_invariant_culture_whatever_the_current_one()
    {
        var reading = new Reading { Seq = 7, Ts = 1_795_381_200_123, Lat = 39.90421, Lon = -116.5, Alt = 44.1, Speed = 4.25, Hdop = 0.9, Fix = 3, Battery = 87, Lock = LockState.Jammed };
        using var stream = new MemoryStream();

        await TelemetryCsv.WriteAsync(stream, [new StoredReading("bike-0001", reading, null, 0)], CancellationToken.None);

        Assert.That(
            Encoding.UTF8.GetString(stream.ToArray()),
            Is.EqualTo(TelemetryCsv.Header + "\r\n7,1795381200123,2026-11-22T21:00:00.123Z,39.90421,-116.5,44.1,4.25,,0.9,,3,87,jammed,\r\n"));
    }
}
