using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Cli;

namespace IoTPlatform.LockController.Pi.Agent.Outbox;

/// <summary>
/// <c>outbox</c>, a hidden operator tool (run it with the controller stopped: the outbox and the seq file are locked
/// while it runs):
/// <list type="bullet">
/// <item><c>outbox inspect &lt;dir&gt; [--records N]</c>: opens the outbox as the controller would (repairing a torn
/// tail), prints what waits to be sent, and the first N records.</item>
/// <item><c>outbox soak &lt;dir&gt; [--count N] [--record-bytes N] [--fsync grouped|always|none] [--seq FILE]
/// [--seq-block N] [--each]</c>: appends synthetic readings in a tight loop (until N or Ctrl+C) and prints the append
/// rate and latency — to qualify an SD card and a policy. <c>--each</c> prints <c>&lt;id&gt; &lt;seq&gt;</c> per
/// record once its append returned (the kill -9 tests read it). Use an empty folder.</item>
/// <item><c>outbox seq &lt;file&gt; [--set N [--force]]</c>: prints the seq file's bound, or sets it (the recovery
/// of a corrupt file; lowering it needs <c>--force</c>, because lower values may have been used).</item>
/// </list>
/// </summary>
internal static class OutboxCommand
{
    public static Command Create()
    {
        var command = new Command("outbox", "Inspect or soak-test the store-and-forward outbox; read or set the seq file") { Hidden = true };
        command.Subcommands.Add(CreateInspect());
        command.Subcommands.Add(CreateSoak());
        command.Subcommands.Add(CreateSeq());
        return command;
    }

    public static int Inspect(string directory, int records, TextWriter output, TextWriter error)
    {
        using var outbox = Outbox.Open(directory, new OutboxOptions(), TimeProvider.System, new TextWriterLogger<Outbox>(error));
        OutboxStats s = outbox.Stats;
        IReadOnlyList<OutboxRecord> all = outbox.Peek(int.MaxValue);
        output.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"outbox {outbox.Directory}: {s.Count} record(s) to send ({s.Bytes} bytes; files {s.FileBytes} bytes in {s.Segments} segment(s)); "
            + $"telemetry {all.Count(r => r.Kind == TopicKind.Telemetry)}, events {all.Count(r => r.Kind == TopicKind.Events)}, acks {all.Count(r => r.Kind == TopicKind.Acks)}; "
            + $"torn records repaired now {s.TornRecordsRepaired} ({s.TornBytesCut} bytes), cursor reset {s.CursorResets}"));
        if (all.Count > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ids {all[0].Id}..{all[^1].Id}"));
        }

        foreach (OutboxRecord record in all.Take(records))
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{record.Id} {Topics.LevelName(record.Kind)} {Encoding.UTF8.GetString(record.Payload)}"));
        }

        return 0;
    }

    public static async Task<int> SoakAsync(SoakSettings settings, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var options = new OutboxOptions { FsyncPolicy = settings.Fsync, MaxRecordBytes = Math.Max(settings.RecordBytes, new OutboxOptions().MaxRecordBytes) };
        if (options.MaxRecordBytes > options.SegmentBytes)
        {
            options.SegmentBytes = options.MaxRecordBytes;
            options.MaxBytes = Math.Max(options.MaxBytes, 4 * options.SegmentBytes);
        }

        using var outbox = Outbox.Open(settings.Directory, options, TimeProvider.System, new TextWriterLogger<Outbox>(error));
        using SeqCounter? counter = settings.SeqFile is null ? null : SeqCounter.Open(settings.SeqFile, settings.SeqBlock, new TextWriterLogger<SeqCounter>(error));
        var latencies = new List<double>();
        var buffer = new byte[settings.RecordBytes];
        buffer.AsSpan().Fill((byte)'x');
        var total = Stopwatch.StartNew();
        long n = 0;
        try
        {
            while (settings.Count == 0 || n < settings.Count)
            {
                cancellationToken.ThrowIfCancellationRequested();
                long seq = counter?.Next() ?? n + 1;
                byte[] payload = SoakPayload(buffer, seq, TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds());
                long started = Stopwatch.GetTimestamp();
                OutboxRecord record = await outbox.AppendAsync(TopicKind.Telemetry, payload, cancellationToken).ConfigureAwait(false);
                latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                n++;
                if (settings.Each)
                {
                    await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{record.Id} {seq}")).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }

        latencies.Sort();
        double Percentile(double p) => latencies.Count == 0 ? 0 : latencies[(int)Math.Min(latencies.Count - 1, p * latencies.Count)];
        OutboxStats s = outbox.Stats;
        await output.WriteLineAsync(string.Create(
            CultureInfo.InvariantCulture,
            $"soak: {n} appends of {settings.RecordBytes} bytes in {total.Elapsed.TotalSeconds:F1} s ({n / Math.Max(total.Elapsed.TotalSeconds, 1e-9):F0}/s), fsync {settings.Fsync}; "
            + $"latency p50 {Percentile(0.5):F2} ms, p99 {Percentile(0.99):F2} ms, max {Percentile(1):F2} ms; "
            + $"outbox {s.Count} records, {s.FileBytes} bytes, dropped {s.Dropped}")).ConfigureAwait(false);
        return 0;
    }

    public static int Seq(string path, long? set, bool force, TextWriter output, TextWriter error)
    {
        SeqFileState state = SeqCounter.TryRead(path, out long bound, out string? reason);
        if (set is not { } value)
        {
            switch (state)
            {
                case SeqFileState.Missing:
                    output.WriteLine($"{path}: missing; the controller would start at {SeqCounter.FirstValue}");
                    return 0;
                case SeqFileState.Corrupt:
                    error.WriteLine($"{path}: corrupt ({reason}); the controller refuses to start. Set it with --set (see docs/firmware-outbox.md)");
                    return 1;
                default:
                    output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: bound {bound}; the controller resumes at {bound}"));
                    return 0;
            }
        }

        if (value <= 0)
        {
            error.WriteLine("outbox seq: --set takes a positive number");
            return 2;
        }

        if (state == SeqFileState.Good && value < bound && !force)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"outbox seq: {value} is below the bound {bound}: values up to {bound - 1} may have been sent, and repeats are dropped as duplicates. Add --force if you are sure."));
            return 2;
        }

        SeqCounter.Set(path, value);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{path}: bound {value}; the controller resumes at {value}"));
        return 0;
    }

    // A reading-shaped payload of recordBytes bytes (or just what seq and ts need): {"seq":…,"ts":…,"pad":"xx…"}.
    // The padding is filled once, so that the loop's time goes to the appends.
    private static byte[] SoakPayload(byte[] buffer, long seq, long ts)
    {
        string head = string.Create(CultureInfo.InvariantCulture, $"{{\"seq\":{seq},\"ts\":{ts},\"pad\":\"");
        int length = Math.Max(buffer.Length, head.Length + 2);
        byte[] payload = length == buffer.Length ? buffer : new byte[length];
        if (payload != buffer)
        {
            payload.AsSpan().Fill((byte)'x');
        }

        int written = Encoding.ASCII.GetBytes(head, payload);
        payload.AsSpan(written, Math.Min(64, length - written - 2)).Fill((byte)'x'); // where a longer head was before
        payload[^2] = (byte)'"';
        payload[^1] = (byte)'}';
        return payload;
    }

    private static Command CreateInspect()
    {
        var directory = new Argument<string>("dir") { Description = "The outbox folder" };
        var records = new Option<int>("--records") { Description = "Print the first N records (id, topic, payload)", DefaultValueFactory = _ => 0 };
        var command = new Command("inspect", "Open the outbox (repairing a torn tail) and print what waits to be sent") { directory, records };
        command.SetAction(result => Inspect(result.GetValue(directory)!, result.GetValue(records), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    private static Command CreateSoak()
    {
        var directory = new Argument<string>("dir") { Description = "An empty folder for a scratch outbox" };
        var count = new Option<long>("--count") { Description = "Appends to make; 0 = until stopped", DefaultValueFactory = _ => 10_000 };
        var recordBytes = new Option<int>("--record-bytes") { Description = "Payload size", DefaultValueFactory = _ => 300 };
        var fsync = new Option<OutboxFsyncPolicy>("--fsync") { Description = "Fsync policy", DefaultValueFactory = _ => OutboxFsyncPolicy.Grouped };
        var seq = new Option<string?>("--seq") { Description = "A seq file to draw each record's seq from" };
        var seqBlock = new Option<int>("--seq-block") { Description = "Seq block size", DefaultValueFactory = _ => new OutboxOptions().SeqBlockSize };
        var each = new Option<bool>("--each") { Description = "Print '<id> <seq>' once each append returned" };
        var command = new Command("soak", "Append synthetic readings in a tight loop and print the rate and latency") { directory, count, recordBytes, fsync, seq, seqBlock, each };
        command.SetAction((result, ct) => SoakAsync(
            new SoakSettings(result.GetValue(directory)!, result.GetValue(count), Math.Max(1, result.GetValue(recordBytes)), result.GetValue(fsync), result.GetValue(seq), Math.Max(1, result.GetValue(seqBlock)), result.GetValue(each)),
            result.InvocationConfiguration.Output,
            result.InvocationConfiguration.Error,
            ct));
        return command;
    }

    private static Command CreateSeq()
    {
        var path = new Argument<string>("file") { Description = "The seq file" };
        var set = new Option<long?>("--set") { Description = "Write this bound: the next value handed out" };
        var force = new Option<bool>("--force") { Description = "Allow --set below the current bound" };
        var command = new Command("seq", "Print the seq file's bound, or set it") { path, set, force };
        command.SetAction(result => Seq(result.GetValue(path)!, result.GetValue(set), result.GetValue(force), result.InvocationConfiguration.Output, result.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>What <c>outbox soak</c> does.</summary>
    public sealed record SoakSettings(string Directory, long Count, int RecordBytes, OutboxFsyncPolicy Fsync, string? SeqFile, int SeqBlock, bool Each);
}
