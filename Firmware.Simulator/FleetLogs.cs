using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>
/// Where the firmware copies log: warnings and errors are counted, and the last errors kept with their device id,
/// so that a fleet of hundreds does not flood the terminal.
/// </summary>
internal sealed class FleetLogs
{
    private const int Kept = 200;
    private readonly ConcurrentQueue<string> _errors = new();
    private readonly ConcurrentDictionary<string, long> _warningsBySource = new(StringComparer.Ordinal);
    private long _warnings, _errorCount;

    public long Warnings => Interlocked.Read(ref _warnings);

    public long Errors => Interlocked.Read(ref _errorCount);

    /// <summary>Warnings by logger category and event id ("GnssReceiver/104"), most first.</summary>
    public IReadOnlyList<KeyValuePair<string, long>> WarningsBySource => [.. _warningsBySource.OrderByDescending(w => w.Value)];

    /// <summary>The last errors (at most 200), "device category: message".</summary>
    public IReadOnlyList<string> LastErrors => [.. _errors];

    public ILoggerProvider For(string device) => new Provider(this, device);

    private void Write(string device, string category, EventId id, LogLevel level, string message, Exception? exception)
    {
        if (level == LogLevel.Warning)
        {
            Interlocked.Increment(ref _warnings);
            _warningsBySource.AddOrUpdate($"{category[(category.LastIndexOf('.') + 1)..]}/{id.Id}", 1, (_, n) => n + 1);
            return;
        }
        Interlocked.Increment(ref _errorCount);
        _errors.Enqueue($"{device} {category}: {message}{(exception is null ? "" : $" ({exception.GetType().Name}: {exception.Message})")}");
        while (_errors.Count > Kept)
            _errors.TryDequeue(out _);
    }

    private sealed class Provider(FleetLogs logs, string device) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(logs, device, categoryName);

        public void Dispose()
        {
        }
    }

    private sealed class Logger(FleetLogs logs, string device, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Warning && logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            ArgumentNullException.ThrowIfNull(formatter);
            if (IsEnabled(logLevel))
                logs.Write(device, category, eventId, logLevel, formatter(state, exception), exception);
        }
    }
}
