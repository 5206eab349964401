using System.Text;
using IoTPlatform.LockController.Pi.Gnss;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>
/// A GNSS receiver that is not there: every whole second of the clock it emits RMC and GGA for where its
/// <see cref="Motion"/> is, into the firmware's own <see cref="GnssReceiver"/> and parser. Faults: a sentence replaced
/// by line noise (<c>garbage-nmea</c>), one epoch's position thrown tens of kilometres away (<c>gps-jump</c>).
/// </summary>
internal sealed class SimulatedGnssConnection(Motion motion, FaultPlan faults, FaultCounters counters, Random random, TimeProvider time) : IGnssConnection
{
    public string Description => "simulated receiver";

    public bool EndsAtEndOfStream => false;

    public Stream Open() => new NmeaStream(this);

    /// <summary>The bytes of the epoch at <paramref name="utc"/>, faults applied.</summary>
    internal byte[] NextEpoch(DateTimeOffset utc)
    {
        (double lat, double lon, double speed, double course) = motion.Now();
        double garbage, jump;
        lock (random)
        {
            jump = random.NextDouble();
            garbage = random.NextDouble();
        }
        if (jump < faults.Rate(FaultPlan.GpsJump))
        {
            counters.Count(FaultPlan.GpsJump);
            lat = Math.Clamp(lat + 0.3, -85, 85);
            lon += 0.3;
        }
        string epoch = NmeaSentences.Epoch(utc, lat, lon, speed, course);
        if (garbage < faults.Rate(FaultPlan.GarbageNmea))
        {
            counters.Count(FaultPlan.GarbageNmea);
            epoch = Garble(epoch);
        }
        return Encoding.ASCII.GetBytes(epoch);
    }

    /// <summary>Line noise in place of one of the sentences: flipped characters, so its checksum no longer holds.</summary>
    private string Garble(string epoch)
    {
        char[] chars = epoch.ToCharArray();
        lock (random)
        {
            int first = epoch.IndexOf('\n', StringComparison.Ordinal) + 1;
            bool second = random.Next(2) == 0;
            int from = second ? first : 1, to = second ? chars.Length - 2 : first - 2;
            for (int i = 0; i < 3; i++)
            {
                int at = random.Next(from, to);
                chars[at] = (char)random.Next(0x21, 0x7F);
            }
        }
        return new string(chars);
    }

    private sealed class NmeaStream(SimulatedGnssConnection receiver) : Stream
    {
        private byte[] _pending = [];
        private int _offset;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_offset >= _pending.Length)
            {
                DateTimeOffset now = receiver.Time.GetUtcNow();
                var next = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerSecond), TimeSpan.Zero).AddSeconds(1);
                await Task.Delay(next - now, receiver.Time, cancellationToken).ConfigureAwait(false);
                _pending = receiver.NextEpoch(next);
                _offset = 0;
            }
            int n = Math.Min(buffer.Length, _pending.Length - _offset);
            _pending.AsMemory(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private TimeProvider Time => time;
}
