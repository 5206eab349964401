using System.Globalization;
using System.Text;

namespace IoTPlatform.Telemetry.History.InfluxDb;

/// <summary>
/// Builds InfluxDB line protocol, one point per line:
/// <c>measurement,tag=value field=1i,text="a \"b\"" 1763805600000000000</c>. Escaping follows the
/// line-protocol rules: in the measurement commas and spaces; in tag keys, tag values and field keys
/// commas, equals signs and spaces; in string field values double quotes and backslashes. A newline can
/// not be escaped in any of them, so every control character is refused (the payload validator refuses
/// them in device text already): no value can ever break a line.
/// </summary>
public sealed class LineProtocolWriter
{
    private readonly StringBuilder _text = new();
    private State _state = State.BetweenLines;

    private enum State
    {
        BetweenLines,
        Tags,
        Fields,
    }

    /// <summary>Complete lines written since the last <see cref="Clear"/>.</summary>
    public int LineCount { get; private set; }

    /// <summary>Starts a point.</summary>
    public LineProtocolWriter Measurement(string name)
    {
        Expect(State.BetweenLines, "A point is still open: end it with Timestamp first.");
        Append(name, escapeEquals: false, what: "measurement");
        _state = State.Tags;
        return this;
    }

    /// <summary>Adds a tag; tags come before the fields. An empty value is not allowed by InfluxDB: leave the tag out instead.</summary>
    public LineProtocolWriter Tag(string key, string value)
    {
        Expect(State.Tags, "Tags come right after the measurement, before any field.");
        ArgumentException.ThrowIfNullOrEmpty(value);
        _text.Append(',');
        Append(key, escapeEquals: true, what: "tag key");
        _text.Append('=');
        Append(value, escapeEquals: true, what: "tag value");
        return this;
    }

    /// <summary>An integer field: written with the <c>i</c> suffix.</summary>
    public LineProtocolWriter Field(string key, long value)
    {
        FieldKey(key);
        _text.Append(value.ToString(CultureInfo.InvariantCulture)).Append('i');
        return this;
    }

    /// <summary>A float field, invariant culture, round-trip precision; NaN and infinities do not exist in line protocol.</summary>
    public LineProtocolWriter Field(string key, double value)
    {
        if (!double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(nameof(value), value, $"Field '{key}': line protocol has no NaN or infinity.");
        }

        FieldKey(key);
        _text.Append(value.ToString("R", CultureInfo.InvariantCulture));
        return this;
    }

    /// <summary>A boolean field.</summary>
    public LineProtocolWriter Field(string key, bool value)
    {
        FieldKey(key);
        _text.Append(value ? "true" : "false");
        return this;
    }

    /// <summary>A string field: in double quotes, with double quotes and backslashes escaped.</summary>
    public LineProtocolWriter Field(string key, string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        FieldKey(key);
        _text.Append('"');
        foreach (var c in value)
        {
            RefuseControl(c, "string field value", value);
            if (c is '"' or '\\')
            {
                _text.Append('\\');
            }

            _text.Append(c);
        }

        _text.Append('"');
        return this;
    }

    /// <summary>Adds the field when <paramref name="value"/> has one; a missing field is simply absent.</summary>
    public LineProtocolWriter FieldIfSet(string key, long? value) => value is { } v ? Field(key, v) : this;

    /// <inheritdoc cref="FieldIfSet(string, long?)"/>
    public LineProtocolWriter FieldIfSet(string key, double? value) => value is { } v ? Field(key, v) : this;

    /// <inheritdoc cref="FieldIfSet(string, long?)"/>
    public LineProtocolWriter FieldIfSet(string key, string? value) => value is { } v ? Field(key, v) : this;

    /// <summary>Ends the point with its time (in the precision the write names; nanoseconds here).</summary>
    public LineProtocolWriter Timestamp(long time)
    {
        Expect(State.Fields, "A point needs at least one field.");
        _text.Append(' ').Append(time.ToString(CultureInfo.InvariantCulture)).Append('\n');
        _state = State.BetweenLines;
        LineCount++;
        return this;
    }

    /// <summary>Forgets every line (to start the next batch).</summary>
    public void Clear()
    {
        _text.Clear();
        _state = State.BetweenLines;
        LineCount = 0;
    }

    /// <summary>The complete lines, each ending with a newline.</summary>
    public override string ToString()
    {
        Expect(State.BetweenLines, "A point is still open: end it with Timestamp first.");
        return _text.ToString();
    }

    private void FieldKey(string key)
    {
        if (_state == State.BetweenLines)
        {
            throw new InvalidOperationException("A field needs a measurement first.");
        }

        _text.Append(_state == State.Tags ? ' ' : ',');
        Append(key, escapeEquals: true, what: "field key");
        _text.Append('=');
        _state = State.Fields;
    }

    private void Append(string name, bool escapeEquals, string what)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        if (name[^1] == '\\')
        {
            // A trailing backslash would escape the separator that follows it.
            throw new ArgumentException($"A {what} must not end with a backslash: '{name}'.", nameof(name));
        }

        foreach (var c in name)
        {
            RefuseControl(c, what, name);
            if (c is ',' or ' ' || (escapeEquals && c == '='))
            {
                _text.Append('\\');
            }

            _text.Append(c);
        }
    }

    private static void RefuseControl(char c, string what, string text)
    {
        if (char.IsControl(c))
        {
            throw new ArgumentException($"A {what} holds a control character (U+{(int)c:X4}), which line protocol can not carry: '{text.ReplaceLineEndings(" ")}'.");
        }
    }

    private void Expect(State state, string message)
    {
        if (_state != state)
        {
            throw new InvalidOperationException(message);
        }
    }
}
