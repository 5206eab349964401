using System.Buffers;
using System.Text;
using System.Text.Json;
using IoTPlatform.DeviceProtocol;

namespace IoTPlatform.Telemetry.History;

/// <summary>A reading's kiosk slots as one JSON text column: <c>[{"n":1,"state":"occupied","item":"umb-0042","charge":80}]</c>.</summary>
internal static class SlotsJson
{
    public static string? Write(IReadOnlyList<SlotReading>? slots)
    {
        if (slots is null)
        {
            return null;
        }

        var buffer = new ArrayBufferWriter<byte>(64 * (slots.Count + 1));
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var slot in slots)
            {
                json.WriteStartObject();
                json.WriteNumber("n", slot.N);
                json.WriteString("state", slot.State.ToWireName());
                if (slot.Item is { } item)
                {
                    json.WriteString("item", item);
                }

                if (slot.Charge is { } charge)
                {
                    json.WriteNumber("charge", charge);
                }

                json.WriteEndObject();
            }

            json.WriteEndArray();
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>Reads back what <see cref="Write"/> wrote; null for null.</summary>
    public static IReadOnlyList<SlotReading>? Read(string? text)
    {
        if (text is null)
        {
            return null;
        }

        using var document = JsonDocument.Parse(text);
        var slots = new List<SlotReading>(document.RootElement.GetArrayLength());
        foreach (var element in document.RootElement.EnumerateArray())
        {
            slots.Add(new SlotReading
            {
                N = element.GetProperty("n").GetInt32(),
                State = StoredWire.Slot(element.GetProperty("state").GetString()) ?? SlotState.Fault,
                Item = element.TryGetProperty("item", out var item) ? item.GetString() : null,
                Charge = element.TryGetProperty("charge", out var charge) ? charge.GetInt32() : null,
            });
        }

        return slots;
    }
}
