using System.Net;
using System.Net.Sockets;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>
/// One device's network: a TCP relay on a loopback port between its firmware and the broker. <see cref="Cut"/> drops
/// the device off the network (<c>disconnect</c>): every relayed connection is reset and new ones are closed at once
/// until the outage ends — the broker sees the connection go, the firmware must store and forward.
/// </summary>
internal sealed class LinkRelay : IAsyncDisposable
{
    private readonly EndPoint _target;
    private readonly TcpListener _listener;
    private readonly List<Socket> _open = [];
    private readonly Lock _gate = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private readonly TimeProvider _time;
    private long _cutUntil;

    public LinkRelay(EndPoint target, TimeProvider time)
    {
        _target = target;
        _time = time;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        EndPoint = (IPEndPoint)_listener.LocalEndpoint;
        _accepting = AcceptAsync(_stop.Token);
    }

    /// <summary>Where the firmware connects.</summary>
    public IPEndPoint EndPoint { get; }

    /// <summary>True during an outage.</summary>
    public bool IsCut => _time.GetUtcNow().UtcTicks < Interlocked.Read(ref _cutUntil);

    /// <summary>Resets every connection and refuses new ones for <paramref name="outage"/>.</summary>
    public void Cut(TimeSpan outage)
    {
        Interlocked.Exchange(ref _cutUntil, (_time.GetUtcNow() + outage).UtcTicks);
        lock (_gate)
        {
            foreach (Socket socket in _open)
                Reset(socket);
            _open.Clear();
        }
    }

    /// <summary>Closes with a reset (linger 0), as a link that went away; a socket its pump already closed is left alone.</summary>
    private static void Reset(Socket socket)
    {
        try
        {
            socket.LingerState = new LingerOption(true, 0);
        }
        catch (Exception e) when (e is ObjectDisposedException or SocketException)
        {
            // Already closed.
        }
        socket.Dispose();
    }

    private async Task AcceptAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                Socket inbound = await _listener.AcceptSocketAsync(cancellationToken).ConfigureAwait(false);
                if (IsCut)
                {
                    Reset(inbound);
                    continue;
                }
                _ = RelayAsync(inbound, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RelayAsync(Socket inbound, CancellationToken cancellationToken)
    {
        var outbound = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        inbound.NoDelay = true;
        try
        {
            await outbound.ConnectAsync(_target, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            inbound.Dispose();
            outbound.Dispose();
            return;
        }
        lock (_gate)
        {
            _open.Add(inbound);
            _open.Add(outbound);
        }
        await Task.WhenAll(PumpAsync(inbound, outbound, cancellationToken), PumpAsync(outbound, inbound, cancellationToken)).ConfigureAwait(false);
        lock (_gate)
        {
            _open.Remove(inbound);
            _open.Remove(outbound);
        }
    }

    private static async Task PumpAsync(Socket from, Socket to, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[4096];
        try
        {
            int n;
            while ((n = await from.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
                await to.SendAsync(buffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // One side went away or the link was cut.
        }
        from.Dispose();
        to.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        _listener.Stop();
        await _accepting.ConfigureAwait(false);
        Cut(TimeSpan.Zero);
        _stop.Dispose();
    }
}
