using System.Net;
using System.Net.Sockets;

namespace IoTPlatform.DeviceGateway.Tests.EndToEnd;

/// <summary>
/// A TCP relay on a loopback port in front of the broker, to cut a device off as a broker outage would:
/// <see cref="Cut"/> closes every relayed connection and refuses new ones (the listener stops, so a connect is
/// refused); <see cref="Restore"/> listens on the same port again.
/// </summary>
internal sealed class TcpRelay : IAsyncDisposable
{
    private readonly IPEndPoint _target;
    private readonly List<TcpClient> _open = [];
    private readonly Lock _gate = new();
    private TcpListener _listener;
    private CancellationTokenSource _running = new();
    private Task _accepting;
    private int _connections;

    public TcpRelay(IPEndPoint target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = AcceptAsync(_listener, _running.Token);
    }

    public int Port { get; }

    /// <summary>Connections accepted so far.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public void Cut()
    {
        _running.Cancel();
        _listener.Stop();
        lock (_gate)
        {
            foreach (TcpClient client in _open)
                client.Dispose();
            _open.Clear();
        }
    }

    public void Restore()
    {
        _running.Dispose();
        _running = new CancellationTokenSource();
        _listener = new TcpListener(IPAddress.Loopback, Port);
        _listener.Start();
        _accepting = AcceptAsync(_listener, _running.Token);
    }

    private async Task AcceptAsync(TcpListener listener, CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TcpClient inbound = await listener.AcceptTcpClientAsync(cancellationToken);
                var outbound = new TcpClient();
                try
                {
                    await outbound.ConnectAsync(_target, cancellationToken);
                }
                catch (SocketException)
                {
                    inbound.Dispose();
                    outbound.Dispose();
                    continue;
                }
                lock (_gate)
                {
                    _open.Add(inbound);
                    _open.Add(outbound);
                }
                Interlocked.Increment(ref _connections);
                _ = PumpAsync(inbound, outbound, cancellationToken);
                _ = PumpAsync(outbound, inbound, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
            // Cut or disposed.
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to, CancellationToken cancellationToken)
    {
        var buffer = new byte[8192];
        try
        {
            NetworkStream source = from.GetStream(), target = to.GetStream();
            int n;
            while ((n = await source.ReadAsync(buffer, cancellationToken)) > 0)
                await target.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or ObjectDisposedException or SocketException or InvalidOperationException)
        {
            // One side closed or the relay was cut.
        }
        from.Dispose();
        to.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        Cut();
        await _accepting;
        _running.Dispose();
    }
}
