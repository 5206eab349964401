using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IoTPlatform.DeviceGateway.Tests.Infrastructure;

/// <summary>
/// MQTT 3.1.1 over a bare socket, byte by byte: for what a well-behaved client library will not do —
/// fall silent without PINGREQ, or announce a 50 MB packet.
/// </summary>
public sealed class RawMqtt : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawMqtt(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawMqtt> OpenAsync(IPEndPoint endpoint)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(endpoint);
        return new RawMqtt(tcp);
    }

    /// <summary>
    /// Sends CONNECT (clean session, username = client id, optionally a retained QoS 1 will) and returns
    /// the CONNACK return code.
    /// </summary>
    public async Task<byte> ConnectAsync(string clientId, string secret, ushort keepAliveSeconds, string? willTopic = null, string? willPayload = null)
    {
        var flags = willTopic is null ? (byte)0b1100_0010 : (byte)0b1110_1110;
        var body = new List<byte> { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 4, flags, (byte)(keepAliveSeconds >> 8), (byte)keepAliveSeconds };
        body.AddRange(Utf8String(clientId));
        if (willTopic is not null)
        {
            body.AddRange(Utf8String(willTopic));
            body.AddRange(Utf8String(willPayload ?? ""));
        }

        body.AddRange(Utf8String(clientId));
        body.AddRange(Utf8String(secret));
        await SendAsync([0x10, .. RemainingLength(body.Count), .. body]);
        var connack = new byte[4];
        await _stream.ReadExactlyAsync(connack);
        Assert.That(connack[0], Is.EqualTo(0x20), "CONNACK expected");
        return connack[3];
    }

    /// <summary>Drops the connection without DISCONNECT, as a crashed device would.</summary>
    public void Abort() => _tcp.Client.Close(0);

    public async Task SendAsync(byte[] bytes)
    {
        await _stream.WriteAsync(bytes);
        await _stream.FlushAsync();
    }

    /// <summary>True when the peer closed the connection within <paramref name="timeout"/>.</summary>
    public async Task<bool> WaitClosedAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new byte[256];
        try
        {
            while (await _stream.ReadAsync(buffer, cancel.Token) > 0)
            {
            }

            return true;
        }
        catch (IOException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    public static byte[] RemainingLength(long length)
    {
        var bytes = new List<byte>();
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            bytes.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);
        return [.. bytes];
    }

    public static byte[] Utf8String(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
    }

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync();
        _tcp.Dispose();
    }
}
