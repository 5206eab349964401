using IoTPlatform.LockController.Pi.Hardware;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Tests.Hardware;

/// <summary>One <see cref="RecordingLogger{T}"/> behind every category.</summary>
internal sealed class RecordingLoggerFactory : ILoggerFactory
{
    public RecordingLogger<LockHardware> Logger { get; } = new();

    public ILogger CreateLogger(string categoryName) => Logger;

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }
}
