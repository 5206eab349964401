using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Tests.Gnss;

/// <summary>Builds sentences with a correct checksum for tests.</summary>
internal static class Nmea
{
    public static string Sentence(string body) => $"${body}*{NmeaParser.Checksum(body)}";

    public static NmeaSentence Parse(string line)
    {
        bool ok = NmeaParser.TryParse(line, out NmeaSentence s, out NmeaError error);
        Assert.That(error, Is.EqualTo(NmeaError.None), line);
        Assert.That(ok, Is.True);
        return s;
    }

    public static NmeaError Reject(string line)
    {
        bool ok = NmeaParser.TryParse(line, out NmeaSentence s, out NmeaError error);
        Assert.That(ok, Is.False, line);
        Assert.That(s, Is.EqualTo(default(NmeaSentence)));
        return error;
    }
}
