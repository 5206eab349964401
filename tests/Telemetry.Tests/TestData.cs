namespace IoTPlatform.Telemetry.Tests;

/// <summary>Finds the shared test data: <c>../shared/testdata</c> beside the folder holding IoTPlatform.sln.</summary>
internal static class TestData
{
    private static readonly Lazy<string> Root = new(FindRoot);

    public static string TracesDirectory => Path.GetFullPath(Path.Combine(Root.Value, "..", "shared", "testdata", "traces"));

    /// <summary>The lines of a recorded ride in <c>traces/</c>.</summary>
    public static string[] Trace(string fileName) => File.ReadAllLines(Path.Combine(TracesDirectory, fileName));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "IoTPlatform.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No IoTPlatform.sln above {AppContext.BaseDirectory}");
    }
}
