namespace IoTPlatform.LockController.Pi.Gnss;

/// <summary>One decoder per formatter; each reads the fields after the address and returns false for a malformed one.</summary>
internal static class NmeaSentenceParsers
{
    // GGA: time, lat, N/S, lon, E/W, quality, satellites, HDOP, altitude, M, geoid separation, M, age, station
    public static bool Gga(ref NmeaFieldReader f, out NmeaSentence s)
    {
        s = default;
        if (!NmeaFields.TryTime(f.Next(), out TimeSpan? time)
            || !TryPosition(ref f, out double? lat, out double? lon)
            || !NmeaFields.TryInt(f.Next(), out int? quality)
            || !NmeaFields.TryInt(f.Next(), out int? sats)
            || !NmeaFields.TryDouble(f.Next(), out double? hdop)
            || !NmeaFields.TryDouble(f.Next(), out double? alt))
            return false;
        s = new NmeaSentence
        {
            TimeOfDay = time, Latitude = lat, Longitude = lon, AltitudeMsl = alt,
            SatellitesUsed = sats, Hdop = hdop, Validity = GgaQuality(quality),
        };
        return true;
    }

    // RMC: time, status, lat, N/S, lon, E/W, speed (knots), course, date, magnetic variation, E/W, mode, navigational status
    public static bool Rmc(ref NmeaFieldReader f, out NmeaSentence s)
    {
        s = default;
        if (!NmeaFields.TryTime(f.Next(), out TimeSpan? time))
            return false;
        ReadOnlySpan<byte> status = f.Next();
        if (!TryPosition(ref f, out double? lat, out double? lon)
            || !NmeaFields.TryDouble(f.Next(), out double? knots)
            || !NmeaFields.TryDouble(f.Next(), out double? course)
            || !NmeaFields.TryDateDdMmYy(f.Next(), out DateOnly? date)
            || !TryStatus(status, out NmeaValidity validity))
            return false;
        f.Skip(2);
        s = new NmeaSentence
        {
            TimeOfDay = time, Date = date, Latitude = lat, Longitude = lon,
            SpeedMps = knots * NmeaFields.KnotsToMps, CourseDeg = course,
            Validity = Combine(validity, NmeaFields.ModeIndicator(f.Next())),
        };
        return true;
    }

    // GSA: selection mode, navigation mode (1/2/3), 12 satellite ids, PDOP, HDOP, VDOP[, system id]
    public static bool Gsa(ref NmeaFieldReader f, out NmeaSentence s)
    {
        s = default;
        f.Next();
        if (!NmeaFields.TryInt(f.Next(), out int? mode) || mode is < 1 or > 3)
            return false;
        int used = 0;
        for (int i = 0; i < 12; i++)
        {
            if (!f.Next().IsEmpty)
                used++;
        }
        f.Next();
        if (!NmeaFields.TryDouble(f.Next(), out double? hdop))
            return false;
        s = new NmeaSentence
        {
            GsaMode = mode, SatellitesUsed = used, Hdop = hdop,
            Validity = mode switch { null => NmeaValidity.Unknown, 1 => NmeaValidity.Invalid, _ => NmeaValidity.Valid },
        };
        return true;
    }

    // GSV: number of messages, message number, satellites in view, then 4 × (id, elevation, azimuth, SNR)
    public static bool Gsv(ref NmeaFieldReader f, out NmeaSentence s)
    {
        s = default;
        if (!NmeaFields.TryInt(f.Next(), out _) || !NmeaFields.TryInt(f.Next(), out _) || !NmeaFields.TryInt(f.Next(), out int? inView))
            return false;
        s = new NmeaSentence { SatellitesInView = inView };
        return true;
    }

    // VTG: course, T, magnetic course, M, speed, N, speed, K[, mode]; NMEA before 2.0: course, magnetic course, knots, km/h
    public static bool Vtg(ref NmeaFieldReader f, out NmeaSentence s)
    {
        s = default;
        ReadOnlySpan<byte> courseField = f.Next();
        ReadOnlySpan<byte> second = f.Next();
        bool modern = second.SequenceEqual("T"u8);
        if (!NmeaFields.TryDouble(courseField, out double? course))
            return false;
        if (modern)
            f.Skip(2);
        if (!NmeaFields.TryDouble(f.Next(), out double? knots))
            return false;
        if (modern)
            f.Next();
        if (!NmeaFields.TryDouble(f.Next(), out double? kmh))
            return false;
        if (modern)
            f.Next();
        s = new NmeaSentence
        {
            CourseDeg = course,
            SpeedMps = knots is { } k ? k * NmeaFields.KnotsToMps : kmh / 3.6,
            Validity = modern ? NmeaFields.ModeIndicator(f.Next()) : NmeaValidity.Unknown,
        };
        return true;
    }

    // GLL: lat, N/S, lon, E/W, time, status[, mode]
    public static bool Gll(ref NmeaFieldReader f, out NmeaSentence s)
    {
        s = default;
        if (!TryPosition(ref f, out double? lat, out double? lon)
            || !NmeaFields.TryTime(f.Next(), out TimeSpan? time)
            || !TryStatus(f.Next(), out NmeaValidity validity))
            return false;
        s = new NmeaSentence
        {
            TimeOfDay = time, Latitude = lat, Longitude = lon,
            Validity = Combine(validity, NmeaFields.ModeIndicator(f.Next())),
        };
        return true;
    }

    // GNS: time, lat, N/S, lon, E/W, mode (one letter per system), satellites, HDOP, altitude, geoid separation, …
    public static bool Gns(ref NmeaFieldReader f, out NmeaSentence s)
    {
        s = default;
        if (!NmeaFields.TryTime(f.Next(), out TimeSpan? time) || !TryPosition(ref f, out double? lat, out double? lon))
            return false;
        NmeaValidity validity = NmeaFields.GnsMode(f.Next());
        if (!NmeaFields.TryInt(f.Next(), out int? sats)
            || !NmeaFields.TryDouble(f.Next(), out double? hdop)
            || !NmeaFields.TryDouble(f.Next(), out double? alt))
            return false;
        s = new NmeaSentence
        {
            TimeOfDay = time, Latitude = lat, Longitude = lon, AltitudeMsl = alt,
            SatellitesUsed = sats, Hdop = hdop, Validity = validity,
        };
        return true;
    }

    // ZDA: time, day, month, year, local zone hours, minutes
    public static bool Zda(ref NmeaFieldReader f, out NmeaSentence s)
    {
        s = default;
        if (!NmeaFields.TryTime(f.Next(), out TimeSpan? time)
            || !NmeaFields.TryInt(f.Next(), out int? day)
            || !NmeaFields.TryInt(f.Next(), out int? month)
            || !NmeaFields.TryInt(f.Next(), out int? year))
            return false;
        DateOnly? date = null;
        if (day is { } d && month is { } m && year is { } y && !NmeaFields.TryDate(y, m, d, out date))
            return false;
        s = new NmeaSentence { TimeOfDay = time, Date = date };
        return true;
    }

    private static bool TryPosition(ref NmeaFieldReader f, out double? lat, out double? lon)
    {
        lon = null;
        return NmeaFields.TryCoordinate(f.Next(), f.Next(), 2, out lat)
            && NmeaFields.TryCoordinate(f.Next(), f.Next(), 3, out lon)
            && lat.HasValue == lon.HasValue;
    }

    private static bool TryStatus(ReadOnlySpan<byte> field, out NmeaValidity validity)
    {
        validity = field.IsEmpty ? NmeaValidity.Unknown
            : field.SequenceEqual("A"u8) ? NmeaValidity.Valid
            : field.SequenceEqual("V"u8) ? NmeaValidity.Invalid
            : (NmeaValidity)(-1);
        return validity >= 0;
    }

    /// <summary>GGA quality: 1–5 are fixes (GPS, DGPS, PPS, RTK, float RTK); 0 none, 6 estimated, 7 manual, 8 simulated.</summary>
    private static NmeaValidity GgaQuality(int? quality) => quality switch
    {
        null => NmeaValidity.Unknown,
        >= 1 and <= 5 => NmeaValidity.Valid,
        _ => NmeaValidity.Invalid,
    };

    /// <summary>A status and a mode indicator: invalid when either says so.</summary>
    private static NmeaValidity Combine(NmeaValidity status, NmeaValidity mode) =>
        status == NmeaValidity.Invalid || mode == NmeaValidity.Invalid ? NmeaValidity.Invalid
        : status == NmeaValidity.Valid || mode == NmeaValidity.Valid ? NmeaValidity.Valid
        : NmeaValidity.Unknown;
}
