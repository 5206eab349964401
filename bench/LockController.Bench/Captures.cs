namespace IoTPlatform.LockController.Bench;

/// <summary>The shared NMEA captures: <c>../shared/testdata/nmea</c> beside the folder holding IoTPlatform.sln.</summary>
internal static class Captures
{
    public static string Path(string fileName)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "IoTPlatform.sln")))
                return System.IO.Path.Combine(dir.FullName, "..", "shared", "testdata", "nmea", fileName);
        }
        throw new InvalidOperationException($"No IoTPlatform.sln above {AppContext.BaseDirectory}");
    }

    /// <summary>The capture's lines that are valid sentences, without line ends.</summary>
    public static byte[][] Sentences(string fileName) =>
        File.ReadAllText(Path(fileName), System.Text.Encoding.Latin1)
            .Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)
            .Select(System.Text.Encoding.Latin1.GetBytes)
            .Where(l => Pi.Gnss.NmeaParser.TryParse(l, out _, out _))
            .ToArray();
}
