namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>A read-only view of a stream that disposes its owner (a serial port) with it.</summary>
internal sealed class OwningStream(Stream inner, IDisposable owner) : ReadOnlyStreamWrapper
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.ReadAsync(buffer, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            owner.Dispose();
        base.Dispose(disposing);
    }
}
