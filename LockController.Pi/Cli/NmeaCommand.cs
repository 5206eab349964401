using System.CommandLine;
using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.LockController.Pi.Cli;

/// <summary>
/// <c>nmea &lt;file&gt;</c>: decodes a capture and prints one JSON object per epoch with a fix, in the order the
/// receiver sent them, then a summary on standard error. Exit code 1 only when the file cannot be read.
/// </summary>
internal static class NmeaCommand
{
    public static Command Create()
    {
        var file = new Argument<FileInfo>("file") { Description = "An NMEA 0183 capture (a log of the receiver's serial output)" };
        var command = new Command("nmea", "Print the fixes of an NMEA 0183 capture as JSON lines") { file };
        command.SetAction((result, ct) => RunAsync(
            result.GetRequiredValue(file), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error, ct));
        return command;
    }

    public static async Task<int> RunAsync(FileInfo file, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        FileStream stream;
        try
        {
            stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, useAsync: true);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or NotSupportedException or System.Security.SecurityException)
        {
            await error.WriteLineAsync($"nmea: cannot read {file.FullName}: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        var decoder = new NmeaDecoder();
        var fixes = new List<GnssFix>();
        var buffer = new byte[4096];
        await using (stream.ConfigureAwait(false))
        {
            try
            {
                int n;
                while ((n = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    decoder.Write(buffer.AsSpan(0, n), fixes);
                    await WriteAsync(fixes, output).ConfigureAwait(false);
                }
            }
            catch (IOException ex)
            {
                await error.WriteLineAsync($"nmea: cannot read {file.FullName}: {ex.Message}").ConfigureAwait(false);
                return 1;
            }
        }
        decoder.Complete(fixes);
        await WriteAsync(fixes, output).ConfigureAwait(false);
        NmeaStatistics s = decoder.Statistics;
        string rejected = string.Join(", ", s.RejectedByReason().Select(r => $"{r.Key} {r.Value}"));
        await error.WriteLineAsync($"nmea: {s.Accepted} sentences, {s.Epochs} epochs, {s.Fixes} fixes; not used: {(rejected.Length == 0 ? "none" : rejected)}").ConfigureAwait(false);
        return 0;
    }

    private static async Task WriteAsync(List<GnssFix> fixes, TextWriter output)
    {
        foreach (GnssFix fix in fixes)
            await output.WriteLineAsync(GnssFixJson.Format(fix)).ConfigureAwait(false);
        fixes.Clear();
    }
}
