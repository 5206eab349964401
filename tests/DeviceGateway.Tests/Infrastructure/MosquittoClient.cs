using System.Diagnostics;
using System.Net;
using System.Text;

namespace IoTPlatform.DeviceGateway.Tests.Infrastructure;

/// <summary>
/// Runs the real Debian <c>mosquitto_pub</c> / <c>mosquitto_sub</c> (package <c>mosquitto-clients</c>, installed
/// by <c>scripts/test.sh</c>). Arguments are passed as a list, never through a shell; every run has a hard
/// timeout after which the process tree is killed and the test fails.
/// </summary>
public static class MosquittoClient
{
    public const string Pub = "mosquitto_pub";
    public const string Sub = "mosquitto_sub";

    /// <summary>The <c>-V</c> values of the two protocol versions the broker serves.</summary>
    public const string V311 = "mqttv311";
    public const string V5 = "5";

    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(20);

    /// <summary>Connection arguments of device <paramref name="deviceId"/>: client id = username = id, password = secret.</summary>
    public static string[] Device(IPEndPoint broker, string version, string deviceId, string secret, string? clientId = null) =>
    [
        "-h", broker.Address.ToString(),
        "-p", broker.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "-V", version,
        "-i", clientId ?? deviceId,
        "-u", deviceId,
        "-P", secret,
    ];

    /// <summary>Runs <paramref name="tool"/> to its end and returns what it did; fails the test if it outlives <paramref name="timeout"/>.</summary>
    public static async Task<MosquittoResult> RunAsync(string tool, IEnumerable<string> arguments, TimeSpan? timeout = null)
    {
        using var running = Start(tool, arguments);
        return await running.WaitAsync(timeout ?? DefaultTimeout);
    }

    /// <summary>Starts <paramref name="tool"/> and leaves it running (for sessions the test stops, pauses or kills).</summary>
    public static RunningMosquitto Start(string tool, IEnumerable<string> arguments)
    {
        var path = Locate(tool);
        var info = new ProcessStartInfo(path)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var running = new RunningMosquitto(process, string.Join(' ', info.ArgumentList.Prepend(tool)));
        process.Start();
        process.StandardInput.Close();
        running.BeginReading();
        return running;
    }

    /// <summary>The full path of the tool on PATH; fails with a clear message when it is missing (CI must install it).</summary>
    public static string Locate(string tool)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, tool);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        Assert.Fail($"'{tool}' is not on PATH. These tests drive the broker with the real Mosquitto clients: " +
            "install the Debian package 'mosquitto-clients' (scripts/test.sh does) — they are not skipped.");
        return tool;
    }
}
