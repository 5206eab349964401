using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using IoTPlatform.DeviceProtocol.Signing;

namespace IoTPlatform.DeviceProtocol;

/// <summary>
/// Encodes and decodes the JSON payloads of protocol v1 with the source-generated
/// <see cref="ProtocolJsonContext"/>. Decoding never throws: any input gives either the payload or a
/// <see cref="DecodeError"/> with a stable reason from <see cref="DecodeReasons"/>. Unknown fields are
/// ignored. A payload is decoded whole or not at all: one bad item rejects its array.
/// </summary>
public static class PayloadCodec
{
    /// <summary>Most items in a telemetry or events array (a backlog replay sends several batches).</summary>
    public const int MaxItems = 1000;

    /// <summary>Deepest nesting of objects and arrays; a kiosk's reading array needs 4.</summary>
    public const int MaxDepth = 8;

    /// <summary>Largest payload decoded at all (1 MiB). The broker's own limit (<c>Broker:MaxPayloadBytes</c>) is lower and applies first.</summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>
    /// The context the codec uses: <see cref="ProtocolJsonContext"/>'s options with relaxed escaping, so
    /// that a signature's <c>+</c> and <c>/</c> go on the wire as themselves, not as <c>\u002B</c>. The
    /// payloads are JSON for MQTT and JSON APIs, never embedded in HTML. Use it for the key set endpoint.
    /// </summary>
    public static ProtocolJsonContext Context { get; } = new(new JsonSerializerOptions(ProtocolJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    // ---- decoding ------------------------------------------------------------------------------

    /// <summary>Decodes a telemetry payload: one reading object, or an array of 1…<see cref="MaxItems"/> readings.</summary>
    public static bool TryDecodeReadings(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out IReadOnlyList<Reading>? readings, [NotNullWhen(false)] out DecodeError? error)
    {
        if (!TryDecodeMany(utf8, Context.Reading, Context.ListReading, out readings, out var isArray, out error))
        {
            return false;
        }

        for (var i = 0; i < readings.Count; i++)
        {
            var r = readings[i];
            var failure = NotFinite(isArray, i, "lat", r.Lat) ?? NotFinite(isArray, i, "lon", r.Lon) ?? NotFinite(isArray, i, "alt", r.Alt)
                ?? NotFinite(isArray, i, "speed", r.Speed) ?? NotFinite(isArray, i, "course", r.Course) ?? NotFinite(isArray, i, "hdop", r.Hdop);
            if (failure is null && FindNull(r.Slots) is int j)
            {
                var path = string.Create(CultureInfo.InvariantCulture, $"{ItemPath(isArray, i)}.slots[{j}]");
                failure = new DecodeError(DecodeReasons.WrongType, path, $"'slots[{j}]' must be an object, not null.");
            }

            if (failure is not null)
            {
                return Fail(failure, out readings, out error);
            }
        }

        return true;
    }

    /// <inheritdoc cref="TryDecodeReadings(ReadOnlySpan{byte}, out IReadOnlyList{Reading}, out DecodeError)"/>
    public static bool TryDecodeReadings(in ReadOnlySequence<byte> utf8, [NotNullWhen(true)] out IReadOnlyList<Reading>? readings, [NotNullWhen(false)] out DecodeError? error) =>
        FromSequence(utf8, TryDecodeReadings, out readings, out error);

    /// <summary>Decodes an events payload: one event object, or an array of 1…<see cref="MaxItems"/> events.</summary>
    public static bool TryDecodeEvents(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out IReadOnlyList<DeviceEvent>? events, [NotNullWhen(false)] out DecodeError? error)
    {
        if (!TryDecodeMany(utf8, Context.DeviceEvent, Context.ListDeviceEvent, out events, out var isArray, out error))
        {
            return false;
        }

        for (var i = 0; i < events.Count; i++)
        {
            if (EventNotFinite(events[i], isArray, i) is { } failure)
            {
                return Fail(failure, out events, out error);
            }
        }

        return true;
    }

    /// <inheritdoc cref="TryDecodeEvents(ReadOnlySpan{byte}, out IReadOnlyList{DeviceEvent}, out DecodeError)"/>
    public static bool TryDecodeEvents(in ReadOnlySequence<byte> utf8, [NotNullWhen(true)] out IReadOnlyList<DeviceEvent>? events, [NotNullWhen(false)] out DecodeError? error) =>
        FromSequence(utf8, TryDecodeEvents, out events, out error);

    /// <summary>Decodes exactly one event object (an array is <c>wrong-type</c>).</summary>
    public static bool TryDecodeEvent(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out DeviceEvent? deviceEvent, [NotNullWhen(false)] out DecodeError? error)
    {
        if (!TryDecodeOne(utf8, Context.DeviceEvent, out deviceEvent, out error))
        {
            return false;
        }

        return EventNotFinite(deviceEvent, isArray: false, 0) is not { } failure || Fail(failure, out deviceEvent, out error);
    }

    /// <inheritdoc cref="TryDecodeEvent(ReadOnlySpan{byte}, out DeviceEvent, out DecodeError)"/>
    public static bool TryDecodeEvent(in ReadOnlySequence<byte> utf8, [NotNullWhen(true)] out DeviceEvent? deviceEvent, [NotNullWhen(false)] out DecodeError? error) =>
        FromSequence(utf8, TryDecodeEvent, out deviceEvent, out error);

    /// <summary>Decodes a status payload (including the will <c>{"online":false}</c>).</summary>
    public static bool TryDecodeStatus(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out DeviceStatus? status, [NotNullWhen(false)] out DecodeError? error) =>
        TryDecodeOne(utf8, Context.DeviceStatus, out status, out error);

    /// <inheritdoc cref="TryDecodeStatus(ReadOnlySpan{byte}, out DeviceStatus, out DecodeError)"/>
    public static bool TryDecodeStatus(in ReadOnlySequence<byte> utf8, [NotNullWhen(true)] out DeviceStatus? status, [NotNullWhen(false)] out DecodeError? error) =>
        FromSequence(utf8, TryDecodeStatus, out status, out error);

    /// <summary>Decodes a command (the controller's side). Decoding does not check the signature: see <see cref="CommandVerifier"/>.</summary>
    public static bool TryDecodeCommand(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out DeviceCommand? command, [NotNullWhen(false)] out DecodeError? error) =>
        TryDecodeOne(utf8, Context.DeviceCommand, out command, out error);

    /// <inheritdoc cref="TryDecodeCommand(ReadOnlySpan{byte}, out DeviceCommand, out DecodeError)"/>
    public static bool TryDecodeCommand(in ReadOnlySequence<byte> utf8, [NotNullWhen(true)] out DeviceCommand? command, [NotNullWhen(false)] out DecodeError? error) =>
        FromSequence(utf8, TryDecodeCommand, out command, out error);

    /// <summary>Decodes a command ack.</summary>
    public static bool TryDecodeAck(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out CommandAck? ack, [NotNullWhen(false)] out DecodeError? error) =>
        TryDecodeOne(utf8, Context.CommandAck, out ack, out error);

    /// <inheritdoc cref="TryDecodeAck(ReadOnlySpan{byte}, out CommandAck, out DecodeError)"/>
    public static bool TryDecodeAck(in ReadOnlySequence<byte> utf8, [NotNullWhen(true)] out CommandAck? ack, [NotNullWhen(false)] out DecodeError? error) =>
        FromSequence(utf8, TryDecodeAck, out ack, out error);

    /// <summary>Decodes the command-signing key set served at <c>GET /api/keys/command-signing</c>.</summary>
    public static bool TryDecodeKeySet(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out CommandSigningKeySet? keySet, [NotNullWhen(false)] out DecodeError? error)
    {
        if (!TryDecodeOne(utf8, Context.CommandSigningKeySet, out keySet, out error))
        {
            return false;
        }

        if (FindNull(keySet.Keys) is int j)
        {
            var path = string.Create(CultureInfo.InvariantCulture, $"$.keys[{j}]");
            return Fail(new DecodeError(DecodeReasons.WrongType, path, $"'{path}' must be an object, not null."), out keySet, out error);
        }

        return true;
    }

    // ---- encoding ------------------------------------------------------------------------------

    public static byte[] Encode(Reading reading) => JsonSerializer.SerializeToUtf8Bytes(reading, Context.Reading);

    /// <summary>Encodes a backlog batch as a JSON array (at most <see cref="MaxItems"/> readings).</summary>
    public static byte[] EncodeReadings(IReadOnlyList<Reading> readings)
    {
        CheckBatch(readings);
        return JsonSerializer.SerializeToUtf8Bytes(readings, Context.IReadOnlyListReading);
    }

    public static byte[] Encode(DeviceEvent deviceEvent) => JsonSerializer.SerializeToUtf8Bytes(deviceEvent, Context.DeviceEvent);

    /// <summary>Encodes a batch of events as a JSON array (at most <see cref="MaxItems"/>).</summary>
    public static byte[] EncodeEvents(IReadOnlyList<DeviceEvent> events)
    {
        CheckBatch(events);
        return JsonSerializer.SerializeToUtf8Bytes(events, Context.IReadOnlyListDeviceEvent);
    }

    public static byte[] Encode(DeviceStatus status) => JsonSerializer.SerializeToUtf8Bytes(status, Context.DeviceStatus);

    public static byte[] Encode(DeviceCommand command) => JsonSerializer.SerializeToUtf8Bytes(command, Context.DeviceCommand);

    public static byte[] Encode(CommandAck ack) => JsonSerializer.SerializeToUtf8Bytes(ack, Context.CommandAck);

    public static byte[] Encode(CommandSigningKeySet keySet) => JsonSerializer.SerializeToUtf8Bytes(keySet, Context.CommandSigningKeySet);

    /// <summary>Writes a reading to <paramref name="output"/> (no intermediate array).</summary>
    public static void Encode(Reading reading, IBufferWriter<byte> output) => Write(output, reading, Context.Reading);

    public static void Encode(DeviceEvent deviceEvent, IBufferWriter<byte> output) => Write(output, deviceEvent, Context.DeviceEvent);

    public static void Encode(DeviceStatus status, IBufferWriter<byte> output) => Write(output, status, Context.DeviceStatus);

    public static void Encode(DeviceCommand command, IBufferWriter<byte> output) => Write(output, command, Context.DeviceCommand);

    public static void Encode(CommandAck ack, IBufferWriter<byte> output) => Write(output, ack, Context.CommandAck);

    // ---- internals -----------------------------------------------------------------------------

    private delegate bool SpanDecoder<T>(ReadOnlySpan<byte> utf8, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out DecodeError? error)
        where T : class;

    private static bool FromSequence<T>(in ReadOnlySequence<byte> utf8, SpanDecoder<T> decode, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out DecodeError? error)
        where T : class
    {
        if (utf8.IsSingleSegment)
        {
            return decode(utf8.FirstSpan, out value, out error);
        }

        if (utf8.Length > MaxPayloadBytes)
        {
            return Fail(new DecodeError(DecodeReasons.TooLarge, "$", string.Create(CultureInfo.InvariantCulture,
                $"The payload has {utf8.Length} bytes; at most {MaxPayloadBytes} are accepted.")), out value, out error);
        }

        var length = (int)utf8.Length;
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            utf8.CopyTo(rented);
            return decode(rented.AsSpan(0, length), out value, out error);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private static bool TryDecodeOne<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> info, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out DecodeError? error)
        where T : class
    {
        if (!JsonPrescan.Check(utf8, allowArray: false, out var json, out _, out error))
        {
            value = null;
            return false;
        }

        return TryDeserialize(json, info, out value, out error);
    }

    private static bool TryDecodeMany<T>(ReadOnlySpan<byte> utf8, JsonTypeInfo<T> one, JsonTypeInfo<List<T>> many, [NotNullWhen(true)] out IReadOnlyList<T>? values, out bool isArray, [NotNullWhen(false)] out DecodeError? error)
        where T : class
    {
        values = null;
        if (!JsonPrescan.Check(utf8, allowArray: true, out var json, out isArray, out error))
        {
            return false;
        }

        if (isArray)
        {
            if (!TryDeserialize(json, many, out var list, out error))
            {
                return false;
            }

            values = list;
            return true;
        }

        if (!TryDeserialize(json, one, out var single, out error))
        {
            return false;
        }

        values = [single];
        return true;
    }

    private static bool TryDeserialize<T>(ReadOnlySpan<byte> json, JsonTypeInfo<T> info, [NotNullWhen(true)] out T? value, [NotNullWhen(false)] out DecodeError? error)
        where T : class
    {
        try
        {
            value = JsonSerializer.Deserialize(json, info);
        }
        catch (JsonException ex)
        {
            return Fail(DecodeErrorClassifier.Classify(ex, json, info), out value, out error);
        }
        catch (Exception ex) when (ex is FormatException or InvalidOperationException or NotSupportedException or OverflowException or ArgumentException)
        {
            // The serializer wraps these in JsonException; this is the last guard of "never throws".
            return Fail(new DecodeError(DecodeReasons.WrongType, "$", ex.Message), out value, out error);
        }

        if (value is null)
        {
            return Fail(new DecodeError(DecodeReasons.WrongType, "$", "The payload must be a JSON object, not null."), out value, out error);
        }

        error = null;
        return true;
    }

    private static bool Fail<T>(DecodeError failure, out T? value, out DecodeError error)
        where T : class
    {
        value = null;
        error = failure;
        return false;
    }

    private static string ItemPath(bool isArray, int index) =>
        isArray ? string.Create(CultureInfo.InvariantCulture, $"$[{index}]") : "$";

    /// <summary>
    /// System.Text.Json reads 1e400 as Infinity into a double; the wire has no infinities, so a number
    /// too large for a double is an invalid value.
    /// </summary>
    private static DecodeError? NotFinite(bool isArray, int index, string field, double? value) =>
        value is double v && !double.IsFinite(v)
            ? new DecodeError(DecodeReasons.InvalidValue, ItemPath(isArray, index) + "." + field, $"'{field}' is too large for a finite number.")
            : null;

    private static DecodeError? EventNotFinite(DeviceEvent e, bool isArray, int index) =>
        NotFinite(isArray, index, "lat", e.Lat) ?? NotFinite(isArray, index, "lon", e.Lon) ?? NotFinite(isArray, index, "distance", e.Distance);

    private static int? FindNull<T>(IReadOnlyList<T?>? items)
        where T : class
    {
        if (items is not null)
        {
            for (var i = 0; i < items.Count; i++)
            {
                if (items[i] is null)
                {
                    return i;
                }
            }
        }

        return null;
    }

    private static void CheckBatch<T>(IReadOnlyList<T> items)
    {
        ArgumentNullException.ThrowIfNull(items);
        if (items.Count is 0 or > MaxItems)
        {
            throw new ArgumentOutOfRangeException(nameof(items), items.Count, $"A batch holds 1 to {MaxItems} items.");
        }
    }

    private static void Write<T>(IBufferWriter<byte> output, T value, JsonTypeInfo<T> info)
    {
        ArgumentNullException.ThrowIfNull(output);
        using var writer = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = Context.Options.Encoder });
        JsonSerializer.Serialize(writer, value, info);
    }
}
