using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using IoTPlatform.LockController.Pi.Cli;
using IoTPlatform.LockController.Tests.Gnss;

namespace IoTPlatform.LockController.Tests.Cli;

/// <summary>The <c>nmea &lt;file&gt;</c> command end to end: in process through the real parser, and as a process.</summary>
[TestFixture]
public sealed class NmeaCommandTests
{
    private static readonly string[] AllowedFields = ["time", "lat", "lon", "alt", "speed", "course", "mode", "sats", "hdop"];

    private static async Task<(int Exit, string Out, string Err)> InvokeAsync(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        int exit = await CommandLineApp.CreateRoot().Parse(args).InvokeAsync(new InvocationConfiguration { Output = output, Error = error });
        return (exit, output.ToString(), error.ToString());
    }

    [Test]
    public async Task A_real_capture_prints_one_json_line_per_fix_epoch_in_time_order_matching_gpsd()
    {
        (int exit, string stdout, string stderr) = await InvokeAsync("nmea", TestData.Nmea("ublox-lea-4h.log"));
        string[] lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        GpsdReference gpsd = GpsdReference.Load(TestData.Nmea("ublox-lea-4h.log.chk"));
        var gpsdFixes = gpsd.Epochs.Where(e => e.Value.IsFix).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit, Is.Zero);
            Assert.That(stderr, Does.Contain("9 fixes"));
            Assert.That(lines, Has.Length.EqualTo(gpsdFixes.Count).And.Length.EqualTo(9));
            DateTimeOffset previous = DateTimeOffset.MinValue;
            for (int i = 0; i < lines.Length; i++)
            {
                using var doc = JsonDocument.Parse(lines[i]);
                JsonElement o = doc.RootElement;
                Assert.That(o.EnumerateObject().Select(p => p.Name), Is.SubsetOf(AllowedFields));
                string timeText = o.GetProperty("time").GetString()!;
                Assert.That(timeText, Does.Match(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"));
                var time = DateTimeOffset.Parse(timeText, CultureInfo.InvariantCulture);
                Assert.That(time, Is.GreaterThan(previous), "time order");
                previous = time;
                Assert.That(time.Date, Is.EqualTo(new DateTime(2006, 8, 10)), "the receiver's own date, not gpsd's rollover-shifted one");
                (TimeSpan gpsdTime, GpsdTpv tpv) = gpsdFixes[i];
                Assert.That(time.UtcDateTime.TimeOfDay, Is.EqualTo(gpsdTime));
                Assert.That(o.GetProperty("lat").GetDouble(), Is.EqualTo(tpv.Lat!.Value).Within(1e-6));
                Assert.That(o.GetProperty("lon").GetDouble(), Is.EqualTo(tpv.Lon!.Value).Within(1e-6));
                // The receiver's GSA says 2D while it tracks 3 satellites (03:08:58–03:09:01); gpsd calls those
                // epochs 3D because GGA carries an altitude (the held one). We keep the receiver's mode, and a 2D
                // fix has no altitude.
                int mode = o.GetProperty("mode").GetInt32();
                int sats = o.GetProperty("sats").GetInt32();
                Assert.That(mode, Is.EqualTo(sats == 3 ? 2 : 3), $"{timeText}: {sats} satellites");
                Assert.That(o.TryGetProperty("alt", out _), Is.EqualTo(mode == 3));
                Assert.That(o.GetProperty("hdop").GetDouble(), Is.GreaterThan(0));
                Assert.That(o.GetProperty("speed").GetDouble(), Is.GreaterThanOrEqualTo(0));
            }
            Assert.That(lines.Count(l => l.Contains("\"mode\":2", StringComparison.Ordinal)), Is.EqualTo(4));
        }
    }

    [Test]
    public async Task Fields_the_receiver_did_not_give_are_left_out()
    {
        // polarx2 is a 2D receiver (GSA mode 2): no altitude in its fixes.
        (int exit, string stdout, _) = await InvokeAsync("nmea", TestData.Nmea("polarx2.log"));
        string first = stdout.Split('\n')[0];
        using var doc = JsonDocument.Parse(first);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit, Is.Zero);
            Assert.That(doc.RootElement.GetProperty("mode").GetInt32(), Is.EqualTo(2));
            Assert.That(doc.RootElement.TryGetProperty("alt", out _), Is.False);
        }
    }

    [Test]
    public async Task A_capture_without_a_fix_prints_nothing_and_succeeds()
    {
        (int exit, string stdout, string stderr) = await InvokeAsync("nmea", TestData.Nmea("tn200.log"));
        Assert.That((exit, stdout, stderr.Contains(" 0 fixes", StringComparison.Ordinal)), Is.EqualTo((0, "", true)));
    }

    [Test]
    public async Task A_missing_file_exits_non_zero_with_a_message()
    {
        string missing = Path.Combine(Path.GetTempPath(), $"no-such-capture-{Guid.NewGuid():N}.log");
        (int exit, string stdout, string stderr) = await InvokeAsync("nmea", missing);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(exit, Is.Not.Zero);
            Assert.That(stdout, Is.Empty);
            Assert.That(stderr, Does.Contain("cannot read").And.Contain(missing));
        }
    }

    [Test]
    public async Task As_a_process_it_prints_fixes_and_exits_1_for_a_missing_file()
    {
        (int ok, string okOut) = await RunProcessAsync("nmea", TestData.Nmea("bu353s4.log"));
        (int missing, _) = await RunProcessAsync("nmea", Path.Combine(Path.GetTempPath(), $"missing-{Guid.NewGuid():N}.log"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ok, Is.Zero);
            Assert.That(okOut.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(25));
            Assert.That(okOut, Does.StartWith("{\"time\":\"2014-12-31T03:07:19.000Z\",\"lat\":-37.78478833333333,\"lon\":175.31489666666667,\"alt\":59.9,\"speed\":0.355,\"course\":181.39,\"mode\":3,\"sats\":8,\"hdop\":1.1}"));
            Assert.That(missing, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task The_gnss_command_replays_a_capture_through_the_receiver_with_the_same_fixes()
    {
        (int nmeaExit, string nmeaOut, _) = await InvokeAsync("nmea", TestData.Nmea("neo-m8n.log"));
        (int exit, string stdout, string stderr) = await InvokeAsync("gnss", "--file", TestData.Nmea("neo-m8n.log"), "--speed", "0");
        (int noSource, _, string noSourceErr) = await InvokeAsync("gnss");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((nmeaExit, exit), Is.EqualTo((0, 0)));
            Assert.That(stdout, Is.EqualTo(nmeaOut).And.Not.Empty);
            Assert.That(stderr, Does.Contain("23 fixes").And.Contain("trustworthy False"));
            Assert.That(noSource, Is.EqualTo(2));
            Assert.That(noSourceErr, Does.Contain("--port or --file"));
        }
    }

    private static async Task<(int Exit, string Out)> RunProcessAsync(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "LockController.Pi.dll");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(dll);
        foreach (string a in args)
            start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> stderr = process.StandardError.ReadToEndAsync(timeout.Token);
        await process.WaitForExitAsync(timeout.Token);
        await stderr;
        return (process.ExitCode, await stdout);
    }
}
