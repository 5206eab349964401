namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>
/// Groups parsed sentences into receiver epochs and makes one <see cref="GnssFix"/> per epoch that has a
/// valid fix. An epoch is the run of sentences stamped with the same UTC time of day; sentences without a
/// time (GSA, GSV, VTG) belong to the epoch in progress. An epoch is closed when a sentence with another
/// time arrives, or at <see cref="TryComplete"/> (end of stream).
/// </summary>
/// <remarks>
/// Torn epochs, with gpsd's end-of-cycle rule (driver_nmea0183.c): the formatter of the last time-stamped
/// sentence before the time changes (GGA, RMC, GLL or GNS; any talker) ends the receiver's cycle, and the set
/// of such formatters only grows. An epoch that contains none of them was cut short — sentences lost to
/// noise, a spliced line, the end of the stream — and gives no fix, as gpsd reports none. Until one cycle has
/// been seen every epoch counts as whole. ZDA is left out of the rule, as in gpsd, because receivers send it
/// at their own phase of the cycle.
/// </remarks>
/// <remarks>
/// Validity: the epoch needs a position from a sentence that reports a valid fix (GGA quality 1–5, RMC/GLL
/// status A with a fix mode, GNS with a fix mode), and no position sentence of the epoch may report an
/// invalid one; when GSA is present, its best mode over all constellations must be 2 or 3.
/// Position values come from the last position sentence of the epoch. Mode: GSA's, else 3 when GGA/GNS
/// gave an altitude, else 2. The date comes from RMC or ZDA of the epoch, else from the last date seen
/// (rolled forward across midnight).
/// </remarks>
public sealed class GnssEpochAssembler
{
    private Epoch _epoch = new();
    private int _cycleEnders;
    private DateOnly? _lastDate;
    private TimeSpan _lastDateTimeOfDay;

    /// <summary>Epochs completed, with or without a fix.</summary>
    public long Epochs { get; private set; }

    /// <summary>Epochs that did not reach the end of the receiver's cycle.</summary>
    public long TornEpochs { get; private set; }

    /// <summary>Adds a sentence; returns true with the fix of the previous epoch when this sentence closed it and it had one.</summary>
    public bool Add(in NmeaSentence sentence, out GnssFix? completed)
    {
        completed = null;
        bool closed = false;
        if (sentence.TimeOfDay is { } t && _epoch.Time is { } current && t != current)
        {
            closed = TryComplete(out completed);
        }
        _epoch.Add(sentence);
        return closed;
    }

    /// <summary>Closes the epoch in progress (end of stream, reconnect); true with its fix when it had one.</summary>
    public bool TryComplete(out GnssFix? fix)
    {
        fix = null;
        Epoch e = _epoch;
        _epoch = new Epoch();
        if (e.Time is not { } time)
            return false;
        Epochs++;
        DateOnly? date = DateFor(e.Date, time);
        if (!IsWhole(e))
        {
            TornEpochs++;
            return false;
        }
        if (!e.HasFix)
            return false;
        GnssFixMode mode = e.GsaMode is 2 or 3 ? (GnssFixMode)e.GsaMode.Value
            : e.Altitude.HasValue ? GnssFixMode.ThreeD : GnssFixMode.TwoD;
        fix = new GnssFix(time, date is { } d ? new DateTimeOffset(d.ToDateTime(TimeOnly.MinValue) + time, TimeSpan.Zero) : null,
            e.Latitude!.Value, e.Longitude!.Value, mode)
        {
            AltitudeMsl = mode == GnssFixMode.ThreeD ? e.Altitude : null,
            SpeedMps = e.Speed,
            CourseDeg = e.Course,
            SatellitesUsed = e.SatellitesUsed ?? e.GsaSatellites,
            Hdop = e.Hdop ?? e.GsaHdop,
        };
        return true;
    }

    private bool IsWhole(Epoch e)
    {
        bool whole = _cycleEnders == 0 || (e.TimedFormatters & _cycleEnders) != 0;
        _cycleEnders |= e.LastTimedFormatter;
        return whole;
    }

    private DateOnly? DateFor(DateOnly? epochDate, TimeSpan time)
    {
        if (epochDate is { } d)
        {
            _lastDate = d;
            _lastDateTimeOfDay = time;
            return d;
        }
        if (_lastDate is not { } last)
            return null;
        // Carried forward: a time of day far below the last dated one means midnight passed.
        if (time < _lastDateTimeOfDay - TimeSpan.FromHours(12))
        {
            last = last.AddDays(1);
            _lastDate = last;
        }
        _lastDateTimeOfDay = time;
        return last;
    }

    private sealed class Epoch
    {
        public TimeSpan? Time;
        public DateOnly? Date;
        public double? Latitude;
        public double? Longitude;
        public double? Altitude;
        public double? Speed;
        public double? Course;
        public int? SatellitesUsed;
        public double? Hdop;
        public int? GsaMode;
        public int? GsaSatellites;
        public double? GsaHdop;
        private bool _validPosition;
        private bool _invalid;

        /// <summary>One bit per formatter of the epoch's time-stamped sentences (ZDA aside).</summary>
        public int TimedFormatters { get; private set; }

        /// <summary>The bit of the epoch's last time-stamped sentence (ZDA aside).</summary>
        public int LastTimedFormatter { get; private set; }

        public bool HasFix => _validPosition && !_invalid && Latitude.HasValue && (GsaMode is null or >= 2);

        public void Add(in NmeaSentence s)
        {
            Time ??= s.TimeOfDay;
            if (s.TimeOfDay.HasValue && s.Type != NmeaSentenceType.Zda)
            {
                LastTimedFormatter = 1 << (int)s.Type;
                TimedFormatters |= LastTimedFormatter;
            }
            Date = s.Date ?? Date;
            switch (s.Type)
            {
                case NmeaSentenceType.Gsa:
                    if (s.GsaMode is { } mode)
                        GsaMode = Math.Max(GsaMode ?? 0, mode);
                    GsaSatellites = (GsaSatellites ?? 0) + (s.SatellitesUsed ?? 0);
                    GsaHdop ??= s.Hdop;
                    return;
                case NmeaSentenceType.Gga or NmeaSentenceType.Gns:
                    SatellitesUsed = s.SatellitesUsed ?? SatellitesUsed;
                    Hdop = s.Hdop ?? Hdop;
                    if (s.Validity == NmeaValidity.Valid)
                        Altitude = s.AltitudeMsl ?? Altitude;
                    break;
            }
            Speed = s.SpeedMps ?? Speed;
            Course = s.CourseDeg ?? Course;
            if (s.Validity == NmeaValidity.Invalid && s.Type != NmeaSentenceType.Vtg)
                _invalid = true;
            if (s.Latitude is { } lat && s.Longitude is { } lon && s.Validity == NmeaValidity.Valid)
            {
                Latitude = lat;
                Longitude = lon;
                _validPosition = true;
            }
        }
    }
}
