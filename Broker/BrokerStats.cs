using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace IoTPlatform.Broker;

/// <summary>
/// What the broker counts: connects (total and per second over the last ten seconds) and refusals by
/// reason and by device, and commands handed to device sessions by result. Also published on the
/// <c>IoTPlatform.Broker</c> meter.
/// </summary>
public sealed class BrokerStats : IDisposable
{
    public const string MeterName = "IoTPlatform.Broker";
    private const int WindowSeconds = 10;

    /// <summary>Device key for refusals of ids that are not registered (kept out of the per-device table).</summary>
    public const string UnregisteredDevice = "(unregistered)";

    private readonly TimeProvider _time;
    private readonly Meter _meter;
    private readonly Counter<long> _connects;
    private readonly Counter<long> _refusals;
    private readonly Counter<long> _commands;
    private readonly ConcurrentDictionary<string, long> _byReason = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Device, string Reason), long> _byDevice = new();
    private readonly long[] _connectsPerSecond = new long[WindowSeconds];
    private readonly long[] _secondOfSlot = new long[WindowSeconds];
    private readonly Lock _window = new();
    private long _connectsTotal;
    private long _commandsSent;
    private long _commandsOffline;
    private long _commandsNotSubscribed;
    private long _commandsQueueFull;

    public BrokerStats(TimeProvider time, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = time;
        _meter = meterFactory.Create(MeterName);
        _connects = _meter.CreateCounter<long>("broker.connects", description: "Accepted device connections.");
        _refusals = _meter.CreateCounter<long>("broker.refusals", description: "Refused connects, publishes and subscriptions, by reason.");
        _commands = _meter.CreateCounter<long>("broker.commands", description: "Commands handed to a device session, or not, by result.");
    }

    public long ConnectsTotal => Interlocked.Read(ref _connectsTotal);

    public void Connected()
    {
        Interlocked.Increment(ref _connectsTotal);
        _connects.Add(1);
        var second = _time.GetUtcNow().ToUnixTimeSeconds();
        var slot = (int)(second % WindowSeconds);
        lock (_window)
        {
            if (_secondOfSlot[slot] != second)
            {
                _secondOfSlot[slot] = second;
                _connectsPerSecond[slot] = 0;
            }

            _connectsPerSecond[slot]++;
        }
    }

    /// <summary>Mean accepted connects per second over the last ten whole seconds.</summary>
    public double ConnectsPerSecond()
    {
        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        long sum = 0;
        lock (_window)
        {
            for (var i = 0; i < WindowSeconds; i++)
            {
                if (now - _secondOfSlot[i] is >= 1 and <= WindowSeconds)
                {
                    sum += _connectsPerSecond[i];
                }
            }
        }

        return sum / (double)WindowSeconds;
    }

    /// <summary>Counts a refusal. <paramref name="deviceId"/> is null when the id is not a registered device.</summary>
    public void Refused(string reason, string? deviceId)
    {
        _byReason.AddOrUpdate(reason, 1, (_, n) => n + 1);
        _byDevice.AddOrUpdate((deviceId ?? UnregisteredDevice, reason), 1, (_, n) => n + 1);
        _refusals.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    public IReadOnlyDictionary<string, long> RefusalsByReason() =>
        _byReason.OrderBy(p => p.Key, StringComparer.Ordinal).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);

    /// <summary>The devices with the most refusals, most first.</summary>
    public IReadOnlyList<(string DeviceId, IReadOnlyDictionary<string, long> Reasons)> TopRefusedDevices(int count) =>
        [.. _byDevice.GroupBy(p => p.Key.Device)
            .OrderByDescending(g => g.Sum(p => p.Value))
            .ThenBy(g => g.Key, StringComparer.Ordinal)
            .Take(count)
            .Select(g => (g.Key, (IReadOnlyDictionary<string, long>)g.ToDictionary(p => p.Key.Reason, p => p.Value, StringComparer.Ordinal)))];

    /// <summary>Commands queued on a device's session (<see cref="DeliveryResult.Sent"/>).</summary>
    public long CommandsSent => Interlocked.Read(ref _commandsSent);

    /// <summary>Commands not sent because the device had no connected session.</summary>
    public long CommandsOffline => Interlocked.Read(ref _commandsOffline);

    /// <summary>Commands not sent because the device was not subscribed to its commands topic.</summary>
    public long CommandsNotSubscribed => Interlocked.Read(ref _commandsNotSubscribed);

    /// <summary>Commands refused by a full session queue.</summary>
    public long CommandsQueueFull => Interlocked.Read(ref _commandsQueueFull);

    /// <summary>Counts one <see cref="CommandChannel.SendAsync"/>.</summary>
    public void CommandSendResult(DeliveryResult result)
    {
        var tag = result switch
        {
            DeliveryResult.Sent => Count(ref _commandsSent, "sent"),
            DeliveryResult.Offline => Count(ref _commandsOffline, "offline"),
            DeliveryResult.NotSubscribed => Count(ref _commandsNotSubscribed, "not-subscribed"),
            DeliveryResult.QueueFull => Count(ref _commandsQueueFull, "queue-full"),
            _ => throw new ArgumentOutOfRangeException(nameof(result), result, "Unknown delivery result."),
        };
        _commands.Add(1, new KeyValuePair<string, object?>("result", tag));

        static string Count(ref long counter, string tag)
        {
            Interlocked.Increment(ref counter);
            return tag;
        }
    }

    public void Dispose() => _meter.Dispose();
}
