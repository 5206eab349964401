using IoTPlatform.LockController.Pi.Agent.Outbox;
using IoTPlatform.LockController.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace IoTPlatform.LockController.Tests.Agent.Outbox;

using Outbox = IoTPlatform.LockController.Pi.Agent.Outbox.Outbox;

/// <summary>A scratch folder for one test's outbox, with a fake clock and a recording logger.</summary>
internal sealed class OutboxFolder : IDisposable
{
    public OutboxFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "outbox-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public FakeTimeProvider Time { get; } = new(new DateTimeOffset(2025, 11, 22, 10, 0, 0, TimeSpan.Zero));

    public RecordingLogger<Outbox> Logger { get; } = new();

    public string[] Segments => [.. Directory.EnumerateFiles(Path, "*.seg").Order(StringComparer.Ordinal)];

    public Outbox Open(OutboxOptions? options = null) => Outbox.Open(Path, options ?? new OutboxOptions(), Time, Logger);

    /// <summary>Opens the outbox in a copy of the files as they are now: what a process killed at this instant leaves behind.</summary>
    public Outbox OpenSnapshot(OutboxOptions? options = null)
    {
        string copy = Path + "-snapshot-" + Guid.NewGuid().ToString("N")[..6];
        Directory.CreateDirectory(copy);
        foreach (string file in Directory.EnumerateFiles(Path).Where(f => System.IO.Path.GetFileName(f) != Outbox.LockFileName))
        {
            File.Copy(file, System.IO.Path.Combine(copy, System.IO.Path.GetFileName(file)));
        }

        return Outbox.Open(copy, options ?? new OutboxOptions(), Time, new RecordingLogger<Outbox>());
    }

    public void Dispose()
    {
        foreach (string dir in Directory.EnumerateDirectories(System.IO.Path.GetDirectoryName(Path)!, System.IO.Path.GetFileName(Path) + "*"))
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
