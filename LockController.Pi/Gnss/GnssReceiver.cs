using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>
/// Reads a receiver through an <see cref="IGnssConnection"/> and yields its fixes. A device that cannot be
/// opened, fails or ends is reopened after <see cref="GnssOptions.ReconnectDelay"/> (doubling on failed opens,
/// up to <see cref="GnssOptions.MaxReconnectDelay"/>): USB receivers disappear and come back. A file ends the
/// sequence at its end. The epoch in progress when a device goes away is completed with what it had.
/// </summary>
public sealed class GnssReceiver
{
    private readonly IGnssConnection _connection;
    private readonly GnssOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private long _opens;

    /// <summary>A receiver on <paramref name="connection"/>.</summary>
    public GnssReceiver(IGnssConnection connection, GnssOptions options, TimeProvider time, ILogger<GnssReceiver> logger)
    {
        ArgumentNullException.ThrowIfNull(connection);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        _connection = connection;
        _options = options;
        _time = time;
        _logger = logger;
    }

    /// <summary>Counts over all connections.</summary>
    public NmeaStatistics Statistics { get; } = new();

    /// <summary>How many times the device was opened.</summary>
    public long Opens => Interlocked.Read(ref _opens);

    /// <summary>The fixes, as their epochs complete, until cancelled (or, for a file, until its end).</summary>
    public async IAsyncEnumerable<GnssFix> ReadFixesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var fixes = new List<GnssFix>();
        TimeSpan delay = _options.ReconnectDelay;
        while (true)
        {
            Stream? stream = TryOpen(out Exception? openError);
            if (stream is null)
            {
                Log.GnssOpenFailed(_logger, _connection.Description, delay, openError!);
                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _options.MaxReconnectDelay.Ticks));
                continue;
            }
            Interlocked.Increment(ref _opens);
            Log.GnssOpened(_logger, _connection.Description);
            delay = _options.ReconnectDelay;
            var decoder = new NmeaDecoder(Statistics);
            var buffer = new byte[1024];
            Exception? readError;
            using var gone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task watching = WatchPresenceAsync(gone);
            await using (stream.ConfigureAwait(false))
            {
                while (true)
                {
                    (int n, readError) = await ReadAsync(stream, buffer, gone.Token, cancellationToken).ConfigureAwait(false);
                    if (n <= 0)
                        break;
                    decoder.Write(buffer.AsSpan(0, n), fixes);
                    foreach (GnssFix fix in fixes)
                        yield return fix;
                    fixes.Clear();
                }
            }
            await gone.CancelAsync().ConfigureAwait(false);
            await watching.ConfigureAwait(false);
            decoder.Complete(fixes);
            foreach (GnssFix fix in fixes)
                yield return fix;
            fixes.Clear();
            if (readError is null && _connection.EndsAtEndOfStream)
            {
                Log.GnssEnded(_logger, _connection.Description);
                yield break;
            }
            Log.GnssLost(_logger, _connection.Description, delay, readError);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private Stream? TryOpen(out Exception? error)
    {
        error = null;
        try
        {
            return _connection.Open();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            error = ex;
            return null;
        }
    }

    /// <summary>Cancels <paramref name="gone"/> when the device is no longer there; returns when it is cancelled.</summary>
    private async Task WatchPresenceAsync(CancellationTokenSource gone)
    {
        try
        {
            while (!gone.IsCancellationRequested)
            {
                await Task.Delay(_options.PresenceCheckInterval, _time, gone.Token).ConfigureAwait(false);
                if (!_connection.IsPresent())
                {
                    await gone.CancelAsync().ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The read loop ended, or the device went away: either way the watch is over.
        }
    }

    private static async Task<(int Read, Exception? Error)> ReadAsync(Stream stream, byte[] buffer, CancellationToken gone, CancellationToken cancellationToken)
    {
        // Some serial drivers ignore cancellation of a pending read, so the wait for it is what gets
        // cancelled; an abandoned read is observed and its buffer never reused (one buffer per open).
        Task<int> read = stream.ReadAsync(buffer, gone).AsTask();
        try
        {
            return (await read.WaitAsync(gone).ConfigureAwait(false), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested && gone.IsCancellationRequested)
        {
            _ = read.ContinueWith(static t => t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return (0, new IOException("The device is no longer there."));
        }
        catch (Exception ex) when (!cancellationToken.IsCancellationRequested
            && ex is IOException or ObjectDisposedException or InvalidOperationException or TimeoutException or UnauthorizedAccessException or OperationCanceledException)
        {
            return (0, ex);
        }
    }
}
