using IoTPlatform.DeviceProtocol;
using IoTPlatform.LockController.Pi.Agent.Commands;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>
/// The <see cref="IRecordWriter"/> over the on-disk <see cref="Outbox.Outbox"/>: readings and events get the next
/// <c>seq</c> from the persisted <see cref="Outbox.SeqCounter"/> and <c>ts</c> from the <see cref="ITrustedClock"/>, are
/// checked with <see cref="PayloadValidator"/> as the backend will check them, encoded with <see cref="PayloadCodec"/>
/// and appended. One append at a time, so that seq order is outbox order.
/// </summary>
public sealed class OutboxRecordWriter : IRecordWriter, IDisposable
{
    private readonly Outbox.Outbox _outbox;
    private readonly Outbox.SeqCounter _seq;
    private readonly ITrustedClock _clock;
    private readonly int? _slotCount;
    private readonly ILogger _logger;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private long _invalid;

    /// <summary>A writer appending to <paramref name="outbox"/> (neither it nor <paramref name="seq"/> owned).</summary>
    /// <param name="outbox">The outbox.</param>
    /// <param name="seq">The device's seq counter.</param>
    /// <param name="clock">The clock <c>ts</c> comes from.</param>
    /// <param name="slotCount">A kiosk's slot count, 0 for a bike (slot numbers are checked against it).</param>
    /// <param name="logger">The log.</param>
    public OutboxRecordWriter(Outbox.Outbox outbox, Outbox.SeqCounter seq, ITrustedClock clock, int slotCount, ILogger<OutboxRecordWriter> logger)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(seq);
        ArgumentNullException.ThrowIfNull(clock);
        ArgumentNullException.ThrowIfNull(logger);
        _outbox = outbox;
        _seq = seq;
        _clock = clock;
        _slotCount = slotCount;
        _logger = logger;
    }

    /// <summary>Records refused because they broke a protocol rule (each logged).</summary>
    public long Invalid => Interlocked.Read(ref _invalid);

    /// <inheritdoc />
    public async ValueTask<Reading?> AppendAsync(Reading draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long ts = _clock.UtcNow.ToUnixTimeMilliseconds();
            Reading reading = draft with { Seq = _seq.Next(), Ts = ts };
            if (!PayloadValidator.Validate(reading, ts, _slotCount, out ValidationError? error))
            {
                Refused("reading", reading.Seq, error);
                return null;
            }
            await _outbox.AppendAsync(TopicKind.Telemetry, PayloadCodec.Encode(reading), cancellationToken).ConfigureAwait(false);
            return reading;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<DeviceEvent?> AppendAsync(DeviceEvent draft, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(draft);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long ts = _clock.UtcNow.ToUnixTimeMilliseconds();
            DeviceEvent deviceEvent = draft with { Seq = _seq.Next(), Ts = ts };
            if (!PayloadValidator.Validate(deviceEvent, ts, _slotCount, out ValidationError? error))
            {
                Refused("event", deviceEvent.Seq, error);
                return null;
            }
            await _outbox.AppendAsync(TopicKind.Events, PayloadCodec.Encode(deviceEvent), cancellationToken).ConfigureAwait(false);
            return deviceEvent;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    public async ValueTask<bool> AppendAsync(CommandAck ack, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(ack);
        long now = _clock.UtcNow.ToUnixTimeMilliseconds();
        if (!PayloadValidator.Validate(ack, now, _slotCount, out ValidationError? error))
        {
            Interlocked.Increment(ref _invalid);
            string stage = ack.Stage.ToWireName();
            Log.AckInvalid(_logger, stage, ack.Id, error.ToString());
            return false;
        }
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await _outbox.AppendAsync(TopicKind.Acks, PayloadCodec.Encode(ack), cancellationToken).ConfigureAwait(false);
            return true;
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Refused(string kind, long seq, ValidationError error)
    {
        Interlocked.Increment(ref _invalid);
        Log.PayloadInvalid(_logger, kind, seq, error.ToString());
    }

    public void Dispose() => _gate.Dispose();
}
