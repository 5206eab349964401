using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Hardware.Battery;

/// <summary>
/// What every battery source shares: turns a <see cref="BatterySample"/> into a <see cref="BatteryReading"/>
/// (voltage to percent by <see cref="BatteryOptions.ToPercent"/>), keeps the last good level across failed reads,
/// counts reads and errors, and logs an error when it first appears or changes (not at every read).
/// </summary>
public abstract class BatterySource : IBatterySource
{
    private readonly BatteryOptions _options;
    private readonly ILogger _logger;
    private readonly Lock _gate = new();
    private int? _percent;
    private int? _millivolts;
    private string? _lastError;
    private long _reads;
    private long _errors;

    protected BatterySource(BatteryOptions options, string name, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        _options = options;
        _logger = logger;
        Name = name;
    }

    /// <summary>How logs name the source.</summary>
    public string Name { get; }

    /// <summary>The options.</summary>
    protected BatteryOptions Options => _options;

    public long Reads => Interlocked.Read(ref _reads);

    public long Errors => Interlocked.Read(ref _errors);

    public async ValueTask<BatteryReading> ReadAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _reads);
        BatterySample sample = await SampleAsync(cancellationToken).ConfigureAwait(false);
        lock (_gate)
        {
            if (sample.Error is { } error)
            {
                Interlocked.Increment(ref _errors);
                if (error != _lastError)
                    Log.BatteryReadFailed(_logger, Name, error);
                _lastError = error;
                return new BatteryReading(_percent, _millivolts, error);
            }
            if (_lastError is not null)
                Log.BatteryReadRecovered(_logger, Name);
            _lastError = null;
            _millivolts = sample.Millivolts;
            _percent = sample.Percent ?? _options.ToPercent(sample.Millivolts ?? 0);
            return new BatteryReading(_percent, _millivolts, null);
        }
    }

    /// <summary>One read of the source. Errors are returned, not thrown; cancellation may throw.</summary>
    protected abstract ValueTask<BatterySample> SampleAsync(CancellationToken cancellationToken);
}
