using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Tests.Support;

/// <summary>Keeps every log entry so that tests can check them; an error entry fails the test that checks.</summary>
internal sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, EventId Id, string Message)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, eventId, formatter(state, exception)));

    public int Count(int eventId) => Entries.Count(e => e.Id.Id == eventId);

    public IEnumerable<string> Errors => Entries.Where(e => e.Level >= LogLevel.Error).Select(e => e.Message);
}
