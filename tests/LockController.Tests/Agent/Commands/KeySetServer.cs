using System.Net;
using System.Net.Sockets;

namespace IoTPlatform.LockController.Tests.Agent.Commands;

/// <summary>
/// A real HTTP server on 127.0.0.1 (<see cref="HttpListener"/>) that answers <c>GET /api/keys/command-signing</c>
/// with whatever the test sets, and counts requests.
/// </summary>
internal sealed class KeySetServer : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Task _loop;
    private volatile byte[] _body = [];
    private volatile int _status = 200;
    private int _requests;

    public KeySetServer()
    {
        // HttpListener cannot bind port 0: take a free port from the kernel, then listen on it.
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        _listener.Prefixes.Add(BaseUri.ToString());
        _listener.Start();
        _loop = Task.Run(ServeAsync);
    }

    public Uri BaseUri { get; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Raised (on the server's thread) when a request has been answered.</summary>
    public event Action? Answered;

    public void Serve(byte[] body, int status = 200)
    {
        _body = body;
        _status = status;
    }

    private async Task ServeAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            Interlocked.Increment(ref _requests);
            using (HttpListenerResponse response = context.Response)
            {
                bool known = context.Request.Url?.AbsolutePath == "/api/keys/command-signing";
                response.StatusCode = known ? _status : 404;
                response.ContentType = "application/json";
                byte[] body = known ? _body : [];
                response.ContentLength64 = body.Length;
                await response.OutputStream.WriteAsync(body);
            }
            Answered?.Invoke();
        }
    }

    public void Dispose()
    {
        _listener.Stop();
        _listener.Close();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
            // The loop ends on the listener's shutdown exception.
        }
    }
}
