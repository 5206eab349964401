namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>Reads from a stream no faster than a byte rate, waiting on a <see cref="TimeProvider"/>.</summary>
internal sealed class PacedStream(Stream inner, double bytesPerSecond, TimeProvider time) : ReadOnlyStreamWrapper
{
    private const int MaxChunk = 64;

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = await inner.ReadAsync(buffer[..Math.Min(buffer.Length, MaxChunk)], cancellationToken).ConfigureAwait(false);
        if (n > 0)
            await Task.Delay(TimeSpan.FromSeconds(n / bytesPerSecond), time, cancellationToken).ConfigureAwait(false);
        return n;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
            inner.Dispose();
        base.Dispose(disposing);
    }
}
