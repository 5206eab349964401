using System.Collections.Concurrent;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent;

namespace IoTPlatform.LockController.Tests.Agent;

/// <summary>An <see cref="IRecordWriter"/> that keeps what it is given, numbered as the outbox writer numbers it (seq from 1, ts from the clock).</summary>
internal sealed class RecordingWriter(TimeProvider time) : IRecordWriter
{
    private long _seq;

    public ConcurrentQueue<object> Records { get; } = new();

    public IReadOnlyList<Reading> Readings => [.. Records.OfType<Reading>()];

    public IReadOnlyList<DeviceEvent> Events => [.. Records.OfType<DeviceEvent>()];

    public IReadOnlyList<DeviceEvent> EventsOf(EventType type) => [.. Events.Where(e => e.Type == type)];

    public ValueTask<Reading?> AppendAsync(Reading draft, CancellationToken cancellationToken)
    {
        Reading reading = draft with { Seq = Interlocked.Increment(ref _seq), Ts = time.GetUtcNow().ToUnixTimeMilliseconds() };
        Records.Enqueue(reading);
        return ValueTask.FromResult<Reading?>(reading);
    }

    public ValueTask<DeviceEvent?> AppendAsync(DeviceEvent draft, CancellationToken cancellationToken)
    {
        DeviceEvent deviceEvent = draft with { Seq = Interlocked.Increment(ref _seq), Ts = time.GetUtcNow().ToUnixTimeMilliseconds() };
        Records.Enqueue(deviceEvent);
        return ValueTask.FromResult<DeviceEvent?>(deviceEvent);
    }

    public ValueTask<bool> AppendAsync(CommandAck ack, CancellationToken cancellationToken)
    {
        Records.Enqueue(ack);
        return ValueTask.FromResult(true);
    }
}
