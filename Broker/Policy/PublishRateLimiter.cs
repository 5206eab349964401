using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace IoTPlatform.Broker.Policy;

/// <summary>
/// A token bucket per device (<see cref="BrokerOptions.PublishRatePerSecond"/>, burst
/// <see cref="BrokerOptions.PublishBurst"/>) so one runaway device cannot starve the rest of the fleet.
/// </summary>
public sealed class PublishRateLimiter(TimeProvider time, IOptions<BrokerOptions> options)
{
    private readonly ConcurrentDictionary<string, Bucket> _buckets = new(StringComparer.Ordinal);
    private readonly double _rate = options.Value.PublishRatePerSecond;
    private readonly double _burst = options.Value.PublishBurst;

    /// <summary>Takes one publish from the device's bucket; false when it is empty.</summary>
    public bool TryTake(string deviceId)
    {
        var now = time.GetTimestamp();
        var bucket = _buckets.GetOrAdd(deviceId, _ => new Bucket(_burst, now));
        lock (bucket)
        {
            var elapsed = time.GetElapsedTime(bucket.Stamp, now).TotalSeconds;
            bucket.Tokens = Math.Min(_burst, bucket.Tokens + (elapsed * _rate));
            bucket.Stamp = now;
            if (bucket.Tokens < 1)
            {
                return false;
            }

            bucket.Tokens -= 1;
            return true;
        }
    }

    /// <summary>Drops the bucket of a device that went offline (a reconnect starts full, as it would after a wait).</summary>
    public void Forget(string deviceId) => _buckets.TryRemove(deviceId, out _);

    private sealed class Bucket(double tokens, long stamp)
    {
        public double Tokens { get; set; } = tokens;

        public long Stamp { get; set; } = stamp;
    }
}
