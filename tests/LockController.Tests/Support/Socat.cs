using System.Diagnostics;

namespace IoTPlatform.LockController.Tests.Support;

/// <summary>A pty pair made by socat: the receiver reads <see cref="DevicePath"/>, the test writes <see cref="FeedPath"/>.</summary>
internal sealed class Socat : IDisposable
{
    private readonly Process _process;

    private Socat(Process process, string devicePath, string feedPath)
    {
        _process = process;
        DevicePath = devicePath;
        FeedPath = feedPath;
    }

    public string DevicePath { get; }

    public string FeedPath { get; }

    public static string? Executable =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Select(d => Path.Combine(d, "socat")).FirstOrDefault(File.Exists);

    public static void RequireOrIgnore()
    {
        if (Executable is null)
            Assert.Ignore("socat is not installed (Debian package 'socat'): the pty serial tests need it.");
    }

    /// <summary>Starts socat with the two links in <paramref name="directory"/> and waits until both exist.</summary>
    public static async Task<Socat> StartAsync(string directory)
    {
        string device = Path.Combine(directory, "gps");
        string feed = Path.Combine(directory, "feed");
        var start = new ProcessStartInfo(Executable!) { RedirectStandardError = true, RedirectStandardOutput = true };
        start.ArgumentList.Add($"pty,raw,echo=0,link={device}");
        start.ArgumentList.Add($"pty,raw,echo=0,link={feed}");
        var process = Process.Start(start)!;
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var socat = new Socat(process, device, feed);
        if (!await Eventually.HoldsAsync(() => File.Exists(device) && File.Exists(feed), TimeSpan.FromSeconds(10)))
        {
            socat.Dispose();
            Assert.Fail("socat did not create its ptys");
        }
        return socat;
    }

    /// <summary>Writes bytes into the feed end (what the receiver would send).</summary>
    public async Task FeedAsync(byte[] bytes)
    {
        await using var feed = new FileStream(FeedPath, FileMode.Open, FileAccess.Write, FileShare.ReadWrite, 1, useAsync: false);
        for (int i = 0; i < bytes.Length; i += 256)
        {
            await feed.WriteAsync(bytes.AsMemory(i, Math.Min(256, bytes.Length - i)));
            await feed.FlushAsync();
        }
    }

    /// <summary>The device disappears: socat is killed and its links go.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            await _process.WaitForExitAsync();
        }
        File.Delete(DevicePath);
        File.Delete(FeedPath);
    }

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
                _process.Kill();
        }
        catch (InvalidOperationException)
        {
        }
        _process.Dispose();
    }
}
