using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace IoTPlatform.DeviceGateway.Commands;

/// <summary>
/// Counters of the command service, served at <c>GET /api/commands/stats</c> and on the <c>IoTPlatform.Commands</c>
/// meter: commands created, publishes, states entered, and acks by what became of them.
/// </summary>
public sealed class CommandStats : IDisposable
{
    public const string MeterName = "IoTPlatform.Commands";

    /// <summary>What became of an ack from a device.</summary>
    public static class AckKinds
    {
        /// <summary>It moved its command on.</summary>
        public const string Accepted = "accepted";

        /// <summary>Not JSON, or not a valid ack.</summary>
        public const string Malformed = "malformed";

        /// <summary>No command of this device has its id.</summary>
        public const string Unknown = "unknown";

        /// <summary>The command was already at or past the stage the ack reports.</summary>
        public const string Duplicate = "duplicate";

        /// <summary>A <c>done</c> (or <c>received</c>) after the service had given the command up; recorded with <c>late: true</c>.</summary>
        public const string Late = "late";

        public static IReadOnlyList<string> All { get; } = [Accepted, Malformed, Unknown, Duplicate, Late];
    }

    private readonly Meter _meter;
    private readonly Counter<long> _created;
    private readonly Counter<long> _attempts;
    private readonly Counter<long> _states;
    private readonly Counter<long> _acks;
    private readonly ConcurrentDictionary<string, long> _acksByKind = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _statesEntered = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private long _createdCount;
    private long _attemptCount;

    public CommandStats(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _created = _meter.CreateCounter<long>("commands.created", description: "Commands put in the ledger, by action.");
        _attempts = _meter.CreateCounter<long>("commands.attempts", description: "Publishes of a command to its device (first sends and re-sends).");
        _states = _meter.CreateCounter<long>("commands.states", description: "Commands entering a state, by state.");
        _acks = _meter.CreateCounter<long>("commands.acks", description: "Acks from devices, by what became of them.");
    }

    public long Created => Interlocked.Read(ref _createdCount);

    public long Attempts => Interlocked.Read(ref _attemptCount);

    public void CommandCreated(string action)
    {
        Interlocked.Increment(ref _createdCount);
        _created.Add(1, new KeyValuePair<string, object?>("action", action));
    }

    /// <summary>A request that made no command: offline, rate-limited, reused key.</summary>
    public void Refused(string reason) => _refused.AddOrUpdate(reason, 1, (_, n) => n + 1);

    public void Attempt()
    {
        Interlocked.Increment(ref _attemptCount);
        _attempts.Add(1);
    }

    public void Entered(CommandState state)
    {
        var name = state.ToWireName();
        _statesEntered.AddOrUpdate(name, 1, (_, n) => n + 1);
        _states.Add(1, new KeyValuePair<string, object?>("state", name));
    }

    public void Ack(string kind)
    {
        _acksByKind.AddOrUpdate(kind, 1, (_, n) => n + 1);
        _acks.Add(1, new KeyValuePair<string, object?>("kind", kind));
    }

    public long AcksOf(string kind) => _acksByKind.GetValueOrDefault(kind);

    /// <summary>Every ack kind with its count, zeros included.</summary>
    public IReadOnlyDictionary<string, long> AcksByKind() => AckKinds.All.ToDictionary(k => k, AcksOf, StringComparer.Ordinal);

    /// <summary>How many times commands entered each state, zeros included.</summary>
    public IReadOnlyDictionary<string, long> StatesEntered() =>
        CommandStates.Names.ToDictionary(s => s, s => _statesEntered.GetValueOrDefault(s), StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long> RefusedByReason() => new SortedDictionary<string, long>(_refused, StringComparer.Ordinal);

    public void Dispose() => _meter.Dispose();
}
