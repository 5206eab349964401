using System.Text.Json;
using System.Text.Json.Serialization;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>A command a rider sent, and its state at the end as the backend's API gave it.</summary>
internal sealed record SentCommand(string Id, string DeviceId, string Action, int? Slot, string FirstState)
{
    public string? FinalState { get; set; }
}

/// <summary>What a run did: per device, the commands and their ledger states, the faults, the actuation logs.</summary>
internal sealed class FleetResult
{
    public required IReadOnlyList<SimulatedController> Devices { get; init; }

    public required IReadOnlyList<SentCommand> Commands { get; init; }

    public required IReadOnlyDictionary<string, long> Refused { get; init; }

    public required IReadOnlyDictionary<string, long> Faults { get; init; }

    public required long Reconnects { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>When the run began (before the first registration).</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>When the controllers began to stop (every presence transition before it was caused by a fault).</summary>
    public required DateTimeOffset StoppingAt { get; init; }

    public required long FirmwareWarnings { get; init; }

    /// <summary>Firmware warnings by logger and event id, most first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> FirmwareWarningSources { get; init; } = [];

    public required IReadOnlyList<string> FirmwareErrors { get; init; }

    private static readonly string[] StateNames = ["QUEUED", "SENT", "DELIVERED", "SUCCEEDED", "FAILED", "REJECTED", "TIMED_OUT", "EXPIRED", "CANCELLED", "UNKNOWN"];

    /// <summary>Command counts by final state (every state named, zeros included).</summary>
    public IReadOnlyDictionary<string, int> States =>
        StateNames.ToDictionary(s => s, s => Commands.Count(c => (c.FinalState ?? "UNKNOWN") == s), StringComparer.Ordinal);

    /// <summary>Actuations after their command's expiry.</summary>
    public int StaleActuations => Devices.Sum(d => d.Ledger.Actuations().Count(a => a.Stale));

    /// <summary>Second (and later) actuations for one command id.</summary>
    public int DoubleActuations => Devices.Sum(d => d.Ledger.Actuations().GroupBy(a => a.CommandId, StringComparer.Ordinal).Sum(g => g.Count() - 1));

    public int Actuations => Devices.Sum(d => d.Ledger.Actuations().Length);

    /// <summary>The report file (<c>--report</c>).</summary>
    public string ToJson()
    {
        var report = new Report(
            [.. Devices.Select(d =>
            {
                long[] acked = d.Ledger.AckedSeqs();
                return new DeviceReport(d.Id, d.Kind.ToWireName(), d.Ledger.SentSeqs().Length, acked.Length, DeviceLedger.Ranges(acked),
                    d.Ledger.Disconnects, d.Ledger.Reboots, d.Ledger.Actuations().Length);
            })],
            States.Where(s => s.Value > 0).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal),
            StaleActuations, DoubleActuations, Reconnects, Faults, Refused, Math.Round(Elapsed.TotalSeconds, 1));
        return JsonSerializer.Serialize(report, ReportJson.Default.Report);
    }

    /// <summary>The summary table printed at the end.</summary>
    public string Summary()
    {
        var lines = new List<string>
        {
            $"{"kind",-16}{"devices",8}{"sent",10}{"acked",10}{"disconn",9}{"reboots",9}{"actuations",12}",
        };
        foreach (var group in Devices.GroupBy(d => d.Kind).OrderBy(g => g.Key))
        {
            lines.Add($"{group.Key.ToWireName(),-16}{group.Count(),8}{group.Sum(d => d.Ledger.SentSeqs().Length),10}{group.Sum(d => d.Ledger.AckedSeqs().Length),10}" +
                $"{group.Sum(d => d.Ledger.Disconnects),9}{group.Sum(d => d.Ledger.Reboots),9}{group.Sum(d => d.Ledger.Actuations().Length),12}");
        }
        lines.Add("");
        lines.Add($"commands {Commands.Count}: " + string.Join(", ", States.Where(s => s.Value > 0).Select(s => $"{s.Key} {s.Value}")));
        if (Refused.Count > 0)
            lines.Add("refused requests: " + string.Join(", ", Refused.Select(r => $"{r.Key} {r.Value}")));
        lines.Add($"stale actuations {StaleActuations}, double actuations {DoubleActuations}, reconnects {Reconnects}");
        lines.Add("faults injected: " + string.Join(", ", Faults.Select(f => $"{f.Key} {f.Value}")));
        lines.Add($"firmware warnings {FirmwareWarnings}" + (FirmwareWarningSources.Count == 0 ? "" : $" ({string.Join(", ", FirmwareWarningSources.Take(6).Select(w => $"{w.Key} {w.Value}"))})")
            + $", errors {FirmwareErrors.Count}; {Elapsed.TotalSeconds:F0} s");
        return string.Join(Environment.NewLine, lines);
    }

    internal sealed record Report(
        IReadOnlyList<DeviceReport> Devices, IReadOnlyDictionary<string, int> Commands, int StaleActuations, int DoubleActuations, long Reconnects,
        IReadOnlyDictionary<string, long> Faults, IReadOnlyDictionary<string, long> Refused, double Seconds);

    internal sealed record DeviceReport(string Id, string Kind, int ReadingsSent, int ReadingsAcked, IReadOnlyList<long[]> AckedSeqRanges, int Disconnects, int Reboots, int Actuations);
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = false)]
[JsonSerializable(typeof(FleetResult.Report))]
internal sealed partial class ReportJson : JsonSerializerContext;
