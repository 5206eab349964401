using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Cli;

/// <summary>A logger for command-line use: one line per entry on a text writer (standard error).</summary>
internal sealed class TextWriterLogger<T>(TextWriter writer) : ILogger<T>
{
    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => logLevel >= LogLevel.Information;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
    {
        ArgumentNullException.ThrowIfNull(formatter);
        if (IsEnabled(logLevel))
            writer.WriteLine($"{logLevel}: {formatter(state, exception)}{(exception is null ? "" : $" ({exception.Message})")}");
    }
}
