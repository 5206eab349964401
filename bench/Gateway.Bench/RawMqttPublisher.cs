using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// A device as a lean MQTT 5 publisher on a bare socket: CONNECT (clean start, user name + password, keepalive
/// 300 s), QoS 1 PUBLISHes written as prepared bytes, PUBACKs matched to their packet id by one read loop, a clean
/// DISCONNECT. Nothing else of MQTT (no subscriptions, no retries, no PINGREQ: the load never leaves the keepalive
/// idle). It exists so that the load generator's own CPU does not crowd the backend out of the 2 cores; the
/// server sees the same packets an MQTTnet client sends. For the same reason a publish has no timer of its own:
/// one watchdog per connection fails every publish whose PUBACK is older than <see cref="AckTimeout"/>.
/// </summary>
internal sealed class RawMqttPublisher : IDevicePublisher
{
    private static readonly TimeSpan AckTimeout = TimeSpan.FromSeconds(30);
    private readonly Socket _socket;
    private readonly byte[] _topic;
    private readonly SemaphoreSlim _sendGate = new(1, 1);
    private readonly ConcurrentDictionary<ushort, Pending> _pending = new();
    private readonly Task _readLoop;
    private readonly ITimer _watchdog;
    private int _nextPacketId;

    private RawMqttPublisher(Socket socket, string topic, byte[] leftover, int receiveMaximum)
    {
        _socket = socket;
        _topic = Encoding.UTF8.GetBytes(topic);
        ReceiveMaximum = receiveMaximum;
        _readLoop = ReadLoopAsync(leftover);
        _watchdog = TimeProvider.System.CreateTimer(_ => FailOverdue(), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
    }

    /// <summary>The server's Receive Maximum from the CONNACK (65,535 when it sent none).</summary>
    public int ReceiveMaximum { get; }

    public static async Task<IDevicePublisher> ConnectAsync(IPEndPoint broker, string id, string secret, string topic, CancellationToken cancellationToken)
    {
        var socket = new Socket(broker.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(broker, cancellationToken);
            var body = new List<byte> { 0, 4, (byte)'M', (byte)'Q', (byte)'T', (byte)'T', 5, 0b1100_0010, 300 >> 8, 300 & 0xFF, 0 };
            body.AddRange(Utf8String(id));
            body.AddRange(Utf8String(id));
            body.AddRange(Utf8String(secret));
            await socket.SendAsync((byte[])[0x10, .. RemainingLength(body.Count), .. body], cancellationToken);

            var buffer = new byte[1024];
            var filled = 0;
            int headerLength, length;
            while (!TryFrame(buffer.AsSpan(0, filled), out headerLength, out length))
            {
                var read = await socket.ReceiveAsync(buffer.AsMemory(filled), cancellationToken);
                if (read == 0)
                {
                    throw new IOException($"{id}: the broker closed the connection before CONNACK.");
                }

                filled += read;
            }

            var connack = buffer.AsSpan(headerLength, length);
            if (buffer[0] != 0x20 || connack.Length < 2 || connack[1] != 0)
            {
                throw new InvalidOperationException($"{id}: CONNACK {buffer[0]:X2} reason {(connack.Length > 1 ? connack[1] : -1):X2}.");
            }

            var receiveMaximum = ReceiveMaximumOf(connack[2..]);
            var leftover = buffer.AsSpan(headerLength + length, filled - headerLength - length).ToArray();
            return new RawMqttPublisher(socket, topic, leftover, receiveMaximum);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public async Task<bool> PublishAsync(byte[] payload, CancellationToken cancellationToken)
    {
        ushort packetId;
        var done = new Pending(Environment.TickCount64);
        do
        {
            packetId = (ushort)((Interlocked.Increment(ref _nextPacketId) % 65535) + 1);
        }
        while (!_pending.TryAdd(packetId, done));

        // PUBLISH QoS 1: topic, packet id, properties length 0, payload.
        var remaining = 2 + _topic.Length + 2 + 1 + payload.Length;
        var lengthBytes = RemainingLength(remaining);
        var packet = new byte[1 + lengthBytes.Length + remaining];
        packet[0] = 0x32;
        lengthBytes.CopyTo(packet, 1);
        var at = 1 + lengthBytes.Length;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(at), (ushort)_topic.Length);
        _topic.CopyTo(packet, at + 2);
        at += 2 + _topic.Length;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(at), packetId);
        packet[at + 2] = 0;
        payload.CopyTo(packet, at + 3);

        await _sendGate.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(packet, cancellationToken);
        }
        finally
        {
            _sendGate.Release();
        }

        return await done.Task;
    }

    public async Task DisconnectAsync(CancellationToken cancellationToken)
    {
        await _sendGate.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync((byte[])[0xE0, 0x00], cancellationToken);
            _socket.Shutdown(SocketShutdown.Send);
        }
        finally
        {
            _sendGate.Release();
        }

        await _readLoop.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
    }

    public async ValueTask DisposeAsync()
    {
        await _watchdog.DisposeAsync();
        _socket.Dispose();
        try
        {
            await _readLoop;
        }
        catch (ObjectDisposedException)
        {
            // Closed under the read.
        }

        _sendGate.Dispose();
    }

    private async Task ReadLoopAsync(byte[] leftover)
    {
        var buffer = new byte[16 * 1024];
        leftover.CopyTo(buffer, 0);
        var filled = leftover.Length;
        Exception? failure = null;
        try
        {
            while (true)
            {
                var start = 0;
                while (TryFrame(buffer.AsSpan(start, filled - start), out var headerLength, out var length))
                {
                    var type = buffer[start];
                    var body = buffer.AsSpan(start + headerLength, length);
                    if (type == 0x40 && body.Length >= 2 && _pending.TryRemove(BinaryPrimitives.ReadUInt16BigEndian(body), out var done))
                    {
                        // MQTT 5 PUBACK: reason code omitted means success (0x00).
                        done.TrySetResult(body.Length == 2 || body[2] == 0);
                    }
                    else if (type == 0xE0)
                    {
                        failure = new IOException($"The broker sent DISCONNECT (reason {(body.Length > 0 ? body[0] : 0):X2}).");
                    }

                    start += headerLength + length;
                }

                Buffer.BlockCopy(buffer, start, buffer, 0, filled - start);
                filled -= start;
                var read = await _socket.ReceiveAsync(buffer.AsMemory(filled), CancellationToken.None);
                if (read == 0)
                {
                    break;
                }

                filled += read;
            }
        }
        catch (SocketException e)
        {
            failure = e;
        }
        catch (ObjectDisposedException e)
        {
            failure = e;
        }

        failure ??= new IOException("The broker closed the connection.");
        foreach (var id in _pending.Keys)
        {
            if (_pending.TryRemove(id, out var done))
            {
                done.TrySetException(failure);
            }
        }
    }

    private void FailOverdue()
    {
        var overdue = Environment.TickCount64 - (long)AckTimeout.TotalMilliseconds;
        foreach (var (id, pending) in _pending)
        {
            if (pending.SentAt < overdue && _pending.TryRemove(id, out var late))
            {
                late.TrySetException(new TimeoutException($"No PUBACK for packet {id} within {AckTimeout.TotalSeconds} s."));
            }
        }
    }

    /// <summary>A publish waiting for its PUBACK, and when it was sent (<see cref="Environment.TickCount64"/>).</summary>
    private sealed class Pending(long sentAt) : TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously)
    {
        public long SentAt { get; } = sentAt;
    }

    /// <summary>True when <paramref name="data"/> starts with a whole packet: fixed header length and body length.</summary>
    private static bool TryFrame(ReadOnlySpan<byte> data, out int headerLength, out int length)
    {
        headerLength = 0;
        length = 0;
        var multiplier = 1;
        for (var i = 1; i < Math.Min(data.Length, 5); i++)
        {
            length += (data[i] & 0x7F) * multiplier;
            multiplier *= 128;
            if ((data[i] & 0x80) == 0)
            {
                headerLength = i + 1;
                return data.Length >= headerLength + length;
            }
        }

        return false;
    }

    /// <summary>Receive Maximum (0x21) from CONNACK properties; 65,535 when absent.</summary>
    private static int ReceiveMaximumOf(ReadOnlySpan<byte> properties)
    {
        if (properties.IsEmpty || !TryFrame([0, .. properties], out var header, out var length))
        {
            return 65_535;
        }

        var p = properties.Slice(header - 1, length);
        while (!p.IsEmpty)
        {
            var id = p[0];
            p = p[1..];
            switch (id)
            {
                case 0x21:
                    return BinaryPrimitives.ReadUInt16BigEndian(p);
                case 0x24 or 0x25 or 0x28 or 0x29 or 0x2A:
                    p = p[1..];
                    break;
                case 0x13 or 0x22:
                    p = p[2..];
                    break;
                case 0x11 or 0x27:
                    p = p[4..];
                    break;
                case 0x12 or 0x1A or 0x1C or 0x1F or 0x15 or 0x16:
                    p = p[(2 + BinaryPrimitives.ReadUInt16BigEndian(p))..];
                    break;
                case 0x26:
                    p = p[(2 + BinaryPrimitives.ReadUInt16BigEndian(p))..];
                    p = p[(2 + BinaryPrimitives.ReadUInt16BigEndian(p))..];
                    break;
                default:
                    throw new InvalidDataException($"Unknown CONNACK property 0x{id:X2}.");
            }
        }

        return 65_535;
    }

    private static byte[] RemainingLength(int length)
    {
        var bytes = new List<byte>(4);
        do
        {
            var digit = (byte)(length % 128);
            length /= 128;
            bytes.Add(length > 0 ? (byte)(digit | 0x80) : digit);
        }
        while (length > 0);
        return [.. bytes];
    }

    private static byte[] Utf8String(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return [(byte)(bytes.Length >> 8), (byte)bytes.Length, .. bytes];
    }
}
