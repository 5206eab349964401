using BenchmarkDotNet.Attributes;
using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Bench;

/// <summary>
/// The whole path from serial bytes to fixes (framing, checksum, parsing, epoch assembly, counting) over a
/// complete capture, in 1 KiB reads as the serial receiver does. One operation is one capture.
/// </summary>
[MemoryDiagnoser]
public class NmeaDecoderBenchmarks
{
    private readonly List<GnssFix> _fixes = new(128);
    private byte[] _capture = [];

    [Params("ublox-8.log", "neo-m8n.log")]
    public string Capture { get; set; } = "ublox-8.log";

    [GlobalSetup]
    public void Setup() => _capture = File.ReadAllBytes(Captures.Path(Capture));

    [Benchmark]
    public int DecodeCapture()
    {
        var decoder = new NmeaDecoder();
        _fixes.Clear();
        for (int i = 0; i < _capture.Length; i += 1024)
            decoder.Write(_capture.AsSpan(i, Math.Min(1024, _capture.Length - i)), _fixes);
        decoder.Complete(_fixes);
        return _fixes.Count;
    }
}
