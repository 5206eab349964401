using BenchmarkDotNet.Attributes;
using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Bench;

/// <summary>
/// Parsing one real sentence of each supported formatter (from ublox-8.log; GNS from beidou-bd.log), and the real mix of a multi-GNSS u-blox 8 receiver
/// (ublox-8.log: GSV, GSA, RMC, VTG, GGA, GLL, ZDA from GP, GL, GN talkers). Times and allocations are per sentence.
/// </summary>
[MemoryDiagnoser]
public class NmeaParserBenchmarks
{
    private const int MixSize = 1000;

    private static readonly Dictionary<string, string> Samples = new()
    {
        ["GGA"] = "$GNGGA,000941.00,4404.13387,N,12118.85628,W,1,12,1.01,1144.8,M,-21.4,M,,*4D",
        ["RMC"] = "$GNRMC,000942.00,A,4404.13401,N,12118.85633,W,0.041,,100117,,,A*73",
        ["GSA"] = "$GNGSA,A,3,23,09,16,07,26,03,27,22,,,,,1.71,1.01,1.38*1B",
        ["GSV"] = "$GPGSV,4,1,16,02,05,307,,03,21,174,29,04,12,038,23,06,07,270,06*7E",
        ["VTG"] = "$GNVTG,,T,,M,0.029,N,0.053,K,A*30",
        ["GLL"] = "$GNGLL,4404.13387,N,12118.85628,W,000941.00,A,A*69",
        ["GNS"] = "$GNGNS,074156.799,3114.8950,N,12135.2442,E,ANNA,07,1.1,190.7,8.3,,0000*5A",
        ["ZDA"] = "$GNZDA,000941.00,10,01,2017,00,00*70",
    };

    private byte[] _line = [];
    private byte[][] _mix = [];

    [Params("GGA", "RMC", "GSA", "GSV", "VTG", "GLL", "GNS", "ZDA")]
    public string Sentence { get; set; } = "GGA";

    [GlobalSetup]
    public void Setup()
    {
        _line = System.Text.Encoding.ASCII.GetBytes(Samples[Sentence]);
        if (!NmeaParser.TryParse(_line, out _, out NmeaError error))
            throw new InvalidOperationException($"{Sentence} sample does not parse: {error}");
        byte[][] capture = Captures.Sentences("ublox-8.log");
        _mix = Enumerable.Range(0, MixSize).Select(i => capture[i % capture.Length]).ToArray();
    }

    [Benchmark]
    public NmeaSentence Parse()
    {
        return NmeaParser.TryParse(_line, out NmeaSentence s, out _) ? s : default;
    }

    /// <summary>The u-blox 8 mix; the same for every <see cref="Sentence"/> value.</summary>
    [Benchmark(OperationsPerInvoke = MixSize)]
    public int ParseUblox8Mix()
    {
        int ok = 0;
        foreach (byte[] line in _mix)
        {
            if (NmeaParser.TryParse(line, out _, out _))
                ok++;
        }
        return ok;
    }
}
