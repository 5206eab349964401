using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Tests.Gnss;

/// <summary>Decodes a capture file the way a serial source would: in chunks, then end of stream.</summary>
internal static class CaptureDecoding
{
    public static (List<GnssFix> Fixes, NmeaStatistics Statistics) Decode(string path, int chunkSize = 4096)
    {
        byte[] bytes = File.ReadAllBytes(path);
        var decoder = new NmeaDecoder();
        var fixes = new List<GnssFix>();
        for (int i = 0; i < bytes.Length; i += chunkSize)
            decoder.Write(bytes.AsSpan(i, Math.Min(chunkSize, bytes.Length - i)), fixes);
        decoder.Complete(fixes);
        return (fixes, decoder.Statistics);
    }
}
