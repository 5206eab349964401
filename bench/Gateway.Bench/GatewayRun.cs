using System.Runtime;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using IoTPlatform.Tests.Shared;
using static IoTPlatform.Gateway.Bench.Report;

namespace IoTPlatform.Gateway.Bench;

/// <summary>
/// What the console benches that drive the real backend as a child process share: a temp folder for its data dir
/// and log, a generated admin key, the run's deadline, and the end of the run — the folder is deleted after a
/// passing run and kept for inspection after a failing or overdue one. Also the header lines naming the backend
/// and the load generator.
/// </summary>
internal static class GatewayRun
{
    /// <summary>Runs <paramref name="run"/> (true = passed) within <paramref name="timeout"/>; 0 when it passed, else 1.</summary>
    public static async Task<int> InTempFolderAsync(string bench, TimeSpan timeout, Func<GatewayFolder, CancellationToken, Task<bool>> run)
    {
        ArgumentNullException.ThrowIfNull(run);
        using var deadline = new CancellationTokenSource(timeout);
        var folder = new GatewayFolder(
            Directory.CreateTempSubdirectory($"iotplatform-{bench}-").FullName, "bench-admin-" + Convert.ToHexString(RandomNumberGenerator.GetBytes(16)));
        var keep = false;
        try
        {
            var ok = await run(folder, deadline.Token);
            keep = !ok;
            return ok ? 0 : 1;
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested)
        {
            Line($"FAILED: the run did not finish within {timeout.TotalSeconds} s.");
            keep = true;
            return 1;
        }
        finally
        {
            if (keep)
            {
                Line($"kept for inspection: {folder.Root} (gateway.log, data/)");
            }
            else
            {
                try
                {
                    Directory.Delete(folder.Root, recursive: true);
                }
                catch (IOException)
                {
                    // A leftover temp folder is harmless.
                }
            }
        }
    }

    public static void DescribeBackend(GatewayProcess gateway, IReadOnlyList<string> args, IReadOnlyList<string> environment)
    {
        ArgumentNullException.ThrowIfNull(gateway);
        Line($"backend: child process {gateway.Id} (dotnet DeviceGateway.dll), MQTT {gateway.MqttEndPoint}, HTTP {gateway.BaseAddress}, args {string.Join(' ', args)}{(environment.Count > 0 ? ", environment " + string.Join(' ', environment) : "")}");
    }

    public static void DescribeLoadGenerator() =>
        Line($"load generator: {RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, server GC {GCSettings.IsServerGC}");
}

/// <summary>A bench run's temp folder: the backend's data dir and log in it, and the admin key it starts with.</summary>
internal sealed record GatewayFolder(string Root, string AdminKey)
{
    public string DataDir => Path.Combine(Root, "data");

    public Task<GatewayProcess> StartGatewayAsync(IReadOnlyList<string> args, IReadOnlyList<string> environment, CancellationToken cancellationToken) =>
        GatewayProcess.StartAsync(DataDir, AdminKey, args, environment, Path.Combine(Root, "gateway.log"), cancellationToken);
}
