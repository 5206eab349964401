using System.IO.Hashing;
using System.Text;

namespace IoTPlatform.Telemetry.Tests.Spool;

public sealed class Crc32Tests
{
    [Test]
    public void The_spool_crc_is_the_standard_crc32() =>
        Assert.That(Crc32.HashToUInt32(Encoding.ASCII.GetBytes("123456789")), Is.EqualTo(0xCBF43926u));
}
