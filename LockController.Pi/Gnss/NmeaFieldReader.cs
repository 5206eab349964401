namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>Walks the comma-separated fields of a sentence body without allocating.</summary>
internal ref struct NmeaFieldReader
{
    private ReadOnlySpan<byte> _rest;
    private bool _done;

    public NmeaFieldReader(ReadOnlySpan<byte> fields)
    {
        _rest = fields;
        _done = false;
    }

    /// <summary>The next field; an empty span once the fields run out (NMEA's "null field").</summary>
    public ReadOnlySpan<byte> Next()
    {
        if (_done)
            return default;
        int comma = _rest.IndexOf((byte)',');
        if (comma < 0)
        {
            _done = true;
            return _rest;
        }
        ReadOnlySpan<byte> field = _rest[..comma];
        _rest = _rest[(comma + 1)..];
        return field;
    }

    /// <summary>Skips <paramref name="count"/> fields.</summary>
    public void Skip(int count)
    {
        for (int i = 0; i < count; i++)
            Next();
    }
}
