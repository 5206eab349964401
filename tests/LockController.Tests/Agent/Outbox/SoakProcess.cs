using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace IoTPlatform.LockController.Tests.Agent.Outbox;

/// <summary>
/// <c>LockController.Pi outbox soak … --each</c> in a child process, to be killed with SIGKILL: what it printed (one
/// <c>&lt;id&gt; &lt;seq&gt;</c> line per append that returned) is what it had done before the kill.
/// </summary>
internal sealed class SoakProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();
    private readonly Task _pumpOut;
    private readonly Task<string> _pumpErr;

    public SoakProcess(params string[] soakArguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LockController.Pi.dll"));
        start.ArgumentList.Add("outbox");
        start.ArgumentList.Add("soak");
        foreach (string a in soakArguments)
        {
            start.ArgumentList.Add(a);
        }

        start.ArgumentList.Add("--count");
        start.ArgumentList.Add("0");
        start.ArgumentList.Add("--each");
        _process = Process.Start(start)!;
        _pumpOut = PumpAsync(_process.StandardOutput);
        _pumpErr = _process.StandardError.ReadToEndAsync();
    }

    /// <summary>The complete lines printed so far, as (id, seq).</summary>
    public IReadOnlyList<(long Id, long Seq)> Appended
    {
        get
        {
            string text;
            lock (_output)
            {
                text = _output.ToString();
            }

            return [.. text[..(text.LastIndexOf('\n') + 1)]
                .Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => line.Split(' '))
                .Select(p => (long.Parse(p[0], CultureInfo.InvariantCulture), long.Parse(p[1], CultureInfo.InvariantCulture)))];
        }
    }

    /// <summary>Waits until at least <paramref name="count"/> appends were printed.</summary>
    public async Task WaitForAppendsAsync(int count)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (Appended.Count < count)
        {
            if (_process.HasExited)
            {
                Assert.Fail($"soak exited ({_process.ExitCode}) after {Appended.Count} appends: {await _pumpErr}");
            }

            await Task.Delay(1, deadline.Token);
        }
    }

    /// <summary>Polls <paramref name="condition"/> as fast as it can and kills the moment it holds (or after a few seconds).</summary>
    public Task<IReadOnlyList<(long Id, long Seq)>> KillWhenAsync(Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition() && watch.Elapsed < TimeSpan.FromSeconds(5) && !_process.HasExited)
        {
            Thread.SpinWait(20);
        }

        return KillAsync();
    }

    /// <summary>SIGKILL, then everything it printed before.</summary>
    public async Task<IReadOnlyList<(long Id, long Seq)>> KillAsync()
    {
        _process.Kill(); // SIGKILL on Linux: no handler, no flush, no finally
        await _process.WaitForExitAsync();
        await _pumpOut;
        await _pumpErr;
        return Appended;
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
        }

        _process.Dispose();
    }

    private async Task PumpAsync(StreamReader reader)
    {
        var buffer = new char[4096];
        int read;
        while ((read = await reader.ReadAsync(buffer)) > 0)
        {
            lock (_output)
            {
                _output.Append(buffer, 0, read);
            }
        }
    }
}
