using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// The gateway's log sink during a storm: every line from Information up is formatted (as a real sink
/// would) and counted by level; warnings and errors are kept for the report. Nothing is written out.
/// </summary>
internal sealed class CountingLoggerProvider : ILoggerProvider
{
    private const int Kept = 20;
    private readonly long[] _byLevel = new long[(int)LogLevel.None + 1];
    private readonly ConcurrentQueue<string> _problems = new();

    public long Count(LogLevel level) => Interlocked.Read(ref _byLevel[(int)level]);

    /// <summary>The first warnings and errors, as "Level Category: message".</summary>
    public IReadOnlyList<string> Problems => [.. _problems];

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose()
    {
    }

    private void Add(LogLevel level, string category, string message)
    {
        Interlocked.Increment(ref _byLevel[(int)level]);
        if (level >= LogLevel.Warning && _problems.Count < Kept)
        {
            _problems.Enqueue($"{level} {category}: {message}");
        }
    }

    private sealed class Logger(CountingLoggerProvider sink, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel is >= LogLevel.Information and < LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (IsEnabled(logLevel))
            {
                sink.Add(logLevel, category, formatter(state, exception) + (exception is null ? "" : " " + exception.Message));
            }
        }
    }
}
