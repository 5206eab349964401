using System.Collections.Concurrent;
using System.Diagnostics.Metrics;

namespace IoTPlatform.Broker;

/// <summary>
/// What the broker counts: connects (total and per second over the last ten seconds) and refusals by
/// reason and by device. Also published on the <c>IoTPlatform.Broker</c> meter.
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
    private readonly ConcurrentDictionary<string, long> _byReason = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Device, string Reason), long> _byDevice = new();
    private readonly long[] _connectsPerSecond = new long[WindowSeconds];
    private readonly long[] _secondOfSlot = new long[WindowSeconds];
    private readonly Lock _window = new();
    private long _connectsTotal;

    public BrokerStats(TimeProvider time, IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _time = time;
        _meter = meterFactory.Create(MeterName);
        _connects = _meter.CreateCounter<long>("broker.connects", description: "Accepted device connections.");
        _refusals = _meter.CreateCounter<long>("broker.refusals", description: "Refused connects, publishes and subscriptions, by reason.");
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

    public void Dispose() => _meter.Dispose();
}
