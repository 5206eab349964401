using System.CommandLine;
using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Pi.Cli;

/// <summary>
/// <c>gnss --port /dev/ttyACM0 [--baud 9600]</c> or <c>gnss --file capture.log [--speed 1]</c>: reads a live
/// receiver (reopening it when it goes away) or replays a capture at serial pace, printing fixes as JSON lines
/// and the disciplined clock's state on standard error. For checking a receiver in the field.
/// </summary>
internal static class GnssCommand
{
    public static Command Create()
    {
        var defaults = new GnssOptions();
        var port = new Option<string?>("--port") { Description = "Serial device path (Gnss:Port)" };
        var baud = new Option<int>("--baud") { Description = "Serial rate (Gnss:Baud)", DefaultValueFactory = _ => defaults.Baud };
        var file = new Option<string?>("--file") { Description = "Capture to replay instead (Gnss:File)" };
        var speed = new Option<double>("--speed") { Description = "Replay speed, 0 = unpaced (Gnss:Speed)", DefaultValueFactory = _ => defaults.Speed };
        var command = new Command("gnss", "Read a GNSS receiver and print its fixes as JSON lines") { port, baud, file, speed };
        command.SetAction((result, ct) => RunAsync(
            new GnssOptions
            {
                Port = result.GetValue(port),
                Baud = result.GetValue(baud),
                File = result.GetValue(file),
                Speed = result.GetValue(speed),
            },
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error,
            ct));
        return command;
    }

    public static async Task<int> RunAsync(GnssOptions options, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(options.Port) && string.IsNullOrWhiteSpace(options.File))
        {
            await error.WriteLineAsync("gnss: give --port or --file").ConfigureAwait(false);
            return 2;
        }
        TimeProvider time = TimeProvider.System;
        var receiver = new GnssReceiver(options.CreateConnection(time), options, time, new TextWriterLogger<GnssReceiver>(error));
        var clock = new GnssClock(time, new GnssClockOptions(), new TextWriterLogger<GnssClock>(error));
        try
        {
            await foreach (GnssFix fix in receiver.ReadFixesAsync(cancellationToken).ConfigureAwait(false))
            {
                clock.OnFix(fix);
                await output.WriteLineAsync(GnssFixJson.Format(fix)).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        NmeaStatistics s = receiver.Statistics;
        GnssClockState c = clock.State;
        await error.WriteLineAsync(
            $"gnss: {s.Accepted} sentences, {s.Epochs} epochs, {s.Fixes} fixes, {s.Rejected} lines not used; "
            + $"clock offset {c.Offset.TotalMilliseconds:F0} ms, trustworthy {c.IsTrustworthy}").ConfigureAwait(false);
        return 0;
    }
}
