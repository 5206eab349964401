namespace IoTPlatform.LockController.Tests;

/// <summary>Finds the shared test data: <c>../shared/testdata</c> beside the folder holding IoTPlatform.sln.</summary>
internal static class TestData
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string RepositoryRoot => Root.Value;

    public static string NmeaDirectory => Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared", "testdata", "nmea"));

    /// <summary>The 18 captures, as NUnit test cases named by file.</summary>
    public static IEnumerable<TestCaseData> NmeaCaptures() =>
        Directory.EnumerateFiles(NmeaDirectory, "*.log")
            .Order(StringComparer.Ordinal)
            .Select(p => new TestCaseData(Path.GetFileName(p)).SetArgDisplayNames(Path.GetFileNameWithoutExtension(p)));

    public static string Nmea(string fileName) => Path.Combine(NmeaDirectory, fileName);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IoTPlatform.sln")))
                return dir.FullName;
        }
        throw new InvalidOperationException($"No IoTPlatform.sln above {AppContext.BaseDirectory}");
    }
}
