using System.Collections.Concurrent;
using System.Diagnostics;
using IoTPlatform.DeviceProtocol;
using Microsoft.Extensions.Logging;

namespace IoTPlatform.Firmware.Simulator;

/// <summary>
/// Runs a fleet: registers the devices through the API, fetches the signing keys, starts every controller, waits
/// until they are connected with a trusted clock, lets riders loose for the duration while faults are injected,
/// then lets every command end and reads its state from the API.
/// </summary>
internal sealed class FleetRunner(FleetOptions options, ILogger logger)
{
    private readonly ConcurrentQueue<SentCommand> _commands = new();
    private readonly ConcurrentDictionary<string, long> _refused = new(StringComparer.Ordinal);
    private readonly FaultCounters _faults = new();
    private readonly FleetLogs _logs = new();
    private readonly List<SimulatedController> _devices = [];
    private DateTimeOffset _startedAt, _stoppingAt;

    /// <summary>Called about once a second with a one-line progress text.</summary>
    public Action<string>? Progress { get; init; }

    public IReadOnlyList<SimulatedController> Devices => _devices;

    public async Task<FleetResult> RunAsync(CancellationToken cancellationToken)
    {
        var total = Stopwatch.StartNew();
        _startedAt = DateTimeOffset.UtcNow;
        string root = options.DataRoot ?? Directory.CreateTempSubdirectory("fw-simulator-").FullName;
        using var http = new HttpClient { BaseAddress = options.Api, Timeout = TimeSpan.FromSeconds(options.CommandWaitSeconds + 20) };
        http.DefaultRequestHeaders.Add("X-Api-Key", options.ApiKey);
        var api = new FleetApi(http);
        try
        {
            await api.SigningKeysAsync(cancellationToken).ConfigureAwait(false);
            await CreateDevicesAsync(api, root, cancellationToken).ConfigureAwait(false);
            await StartDevicesAsync(cancellationToken).ConfigureAwait(false);
            await WaitReadyAsync(cancellationToken).ConfigureAwait(false);

            using var riding = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            DateTimeOffset end = DateTimeOffset.UtcNow + options.Duration;
            var rideStart = Stopwatch.StartNew();
            Task chaos = ChaosAsync(riding.Token);
            Task[] riders = [.. _devices.Select((d, i) => RiderAsync(d, api, i, end, cancellationToken))];
            Task progress = ProgressAsync(rideStart, riding.Token);
            await Task.WhenAll(riders).ConfigureAwait(false);
            await riding.CancelAsync().ConfigureAwait(false);
            await chaos.ConfigureAwait(false);
            await progress.ConfigureAwait(false);
            await SettleAsync(api, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            _stoppingAt = DateTimeOffset.UtcNow;
            await Task.WhenAll(_devices.Select(d => d.StopAsync())).ConfigureAwait(false);
            if (options.DataRoot is null)
                TryDelete(root);
        }
        var result = new FleetResult
        {
            Devices = _devices,
            Commands = [.. _commands],
            Refused = _refused.ToDictionary(r => r.Key, r => r.Value, StringComparer.Ordinal),
            Faults = _faults.Snapshot(),
            Reconnects = _devices.Sum(d => (long)Math.Max(0, d.Ledger.Connections - 1)),
            Elapsed = total.Elapsed,
            StartedAt = _startedAt,
            StoppingAt = _stoppingAt,
            FirmwareWarnings = _logs.Warnings,
            FirmwareWarningSources = _logs.WarningsBySource,
            FirmwareErrors = _logs.LastErrors,
        };
        return result;
    }

    /// <summary>Stops every controller and its relay.</summary>
    public async Task DisposeDevicesAsync()
    {
        foreach (SimulatedController device in _devices)
            await device.DisposeAsync().ConfigureAwait(false);
    }

    private async Task CreateDevicesAsync(FleetApi api, string root, CancellationToken cancellationToken)
    {
        IReadOnlyList<DeviceKind> kinds = options.Mix.Assign(options.Devices);
        string tag = DateTime.UtcNow.ToString("MMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
        var settings = new SimulationSettings(options.Api, options.Faults, _faults, options.MovingIntervalSeconds, options.ParkedIntervalSeconds);
        var placement = new Random(options.Seed);
        var secrets = new string[kinds.Count];
        string[] ids = [.. kinds.Select((k, i) => $"sim{tag}-{Short(k)}{i + 1:0000}")];
        await Parallel.ForAsync(0, kinds.Count, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (i, ct) =>
            secrets[i] = await api.RegisterAsync(ids[i], kinds[i], kinds[i].HasSlots() ? SimulatedController.KioskSlots : null, ct).ConfigureAwait(false)).ConfigureAwait(false);
        for (int i = 0; i < kinds.Count; i++)
        {
            (double lat, double lon) = options.Traces.Count > 0 && kinds[i] == DeviceKind.Bike
                ? options.Traces[i % options.Traces.Count][0]
                : options.Box.RandomPoint(placement);
            _devices.Add(new SimulatedController(ids[i], kinds[i], secrets[i], Path.Combine(root, ids[i]), new Motion(lat, lon, TimeProvider.System),
                new LinkRelay(options.Broker, TimeProvider.System), settings, _logs, new Random(options.Seed * 7919 + i)));
        }
    }

    private async Task StartDevicesAsync(CancellationToken cancellationToken) =>
        await Parallel.ForEachAsync(_devices, new ParallelOptions { MaxDegreeOfParallelism = options.StartParallelism, CancellationToken = cancellationToken },
            async (d, ct) => await d.StartAsync(ct).ConfigureAwait(false)).ConfigureAwait(false);

    private async Task WaitReadyAsync(CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            int connected = _devices.Count(d => d.Connected), trusted = _devices.Count(d => d.ClockTrusted);
            Progress?.Invoke($"starting: {connected}/{_devices.Count} connected, {trusted} with a trusted clock");
            if (connected == _devices.Count && trusted == _devices.Count)
                return;
            if (waited.Elapsed > options.ReadyTimeout)
                throw new SetupException($"after {options.ReadyTimeout.TotalSeconds:F0} s only {connected} of {_devices.Count} controllers are connected and {trusted} trust their clock (is --broker the backend's MQTT port?)");
            await Task.Delay(TimeSpan.FromMilliseconds(500), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Every second, for every device: a disconnect or a reboot by their rates (only while it is connected, so each is one offline transition), and its battery.</summary>
    private async Task ChaosAsync(CancellationToken cancellationToken)
    {
        var random = new Random(options.Seed + 1);
        var rebooting = new ConcurrentDictionary<string, Task>(StringComparer.Ordinal);
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                foreach (SimulatedController device in _devices)
                {
                    device.TickBattery();
                    if (rebooting.ContainsKey(device.Id) || !device.Connected || device.Relay.IsCut)
                        continue;
                    double draw = random.NextDouble();
                    if (draw < options.Faults.Rate(FaultPlan.Disconnect))
                    {
                        _faults.Count(FaultPlan.Disconnect);
                        device.Ledger.Disconnected();
                        device.Relay.Cut(TimeSpan.FromSeconds(2 + (random.NextDouble() * 4)));
                    }
                    else if (draw < options.Faults.Rate(FaultPlan.Disconnect) + options.Faults.Rate(FaultPlan.Reboot))
                    {
                        _faults.Count(FaultPlan.Reboot);
                        rebooting[device.Id] = RebootAsync(device, rebooting);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        await Task.WhenAll(rebooting.Values).ConfigureAwait(false);
    }

    private async Task RebootAsync(SimulatedController device, ConcurrentDictionary<string, Task> rebooting)
    {
        await Task.Yield();
        try
        {
            await device.RebootAsync(CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or OperationCanceledException)
        {
            Log.RebootFailed(logger, device.Id, e);
        }
        rebooting.TryRemove(device.Id, out _);
    }

    /// <summary>One rider (or kiosk customer) per device: wait, unlock or release, ride or take the item, lock or return it.</summary>
    private async Task RiderAsync(SimulatedController device, FleetApi api, int index, DateTimeOffset end, CancellationToken cancellationToken)
    {
        var random = new Random((options.Seed * 104729) + index);
        int n = 0, trace = 0;
        await Task.Delay(Jitter(random, options.Pause), cancellationToken).ConfigureAwait(false);
        while (DateTimeOffset.UtcNow < end && !cancellationToken.IsCancellationRequested)
        {
            if (device.Kind.HasSlots())
            {
                int slot = random.Next(1, SimulatedController.KioskSlots + 1);
                if (device.HasItem(slot))
                {
                    if (await SendAsync(device, api, "release", slot, ++n, cancellationToken).ConfigureAwait(false) == "SUCCEEDED")
                        device.SetItem(slot, present: false);
                }
                else
                {
                    device.SetItem(slot, present: true);
                    await SendAsync(device, api, "secure", slot, ++n, cancellationToken).ConfigureAwait(false);
                }
            }
            else if (await SendAsync(device, api, "unlock", null, ++n, cancellationToken).ConfigureAwait(false) == "SUCCEEDED")
            {
                (double lat, double lon, _, _) = device.Motion.Now();
                IReadOnlyList<(double, double)> path = options.Traces.Count > 0
                    ? TraceLeg(options.Traces[index % options.Traces.Count], ref trace)
                    : Geo.GridPath(lat, lon, options.Box, random, legs: 4);
                device.Motion.Ride(path, 4 + (random.NextDouble() * 3));
                TimeSpan ride = TimeSpan.FromSeconds(options.Ride.TotalSeconds * (0.5 + random.NextDouble()));
                await Task.Delay(ride, cancellationToken).ConfigureAwait(false);
                device.Motion.Park();
                // A rider tries to lock until it holds (a jam frees itself after a few seconds).
                for (int attempt = 0; attempt < 3; attempt++)
                {
                    if (await SendAsync(device, api, "lock", null, ++n, cancellationToken).ConfigureAwait(false) == "SUCCEEDED")
                        break;
                    await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken).ConfigureAwait(false);
                }
            }
            TimeSpan pause = Jitter(random, options.Pause);
            if (DateTimeOffset.UtcNow + pause >= end)
                break;
            await Task.Delay(pause, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<string?> SendAsync(SimulatedController device, FleetApi api, string action, int? slot, int n, CancellationToken cancellationToken)
    {
        CommandAnswer answer = await api.CommandAsync(device.Id, action, slot, $"{device.Id}-{n}", options.CommandTtlSeconds, options.CommandWaitSeconds, cancellationToken).ConfigureAwait(false);
        if (answer.Id is null)
        {
            _refused.AddOrUpdate(answer.Refusal ?? "unknown", 1, (_, c) => c + 1);
            if (answer.Refusal is not ("device-offline" or "rate-limited"))
                Log.RequestFailed(logger, device.Id, action, answer.Refusal ?? "unknown");
            return null;
        }
        _commands.Enqueue(new SentCommand(answer.Id, device.Id, action, slot, answer.State ?? "UNKNOWN") { FinalState = answer.State });
        return answer.State;
    }

    /// <summary>The next stretch of a recorded ride (about 300 points), back and forth along it.</summary>
    private static List<(double, double)> TraceLeg(IReadOnlyList<(double Lat, double Lon)> track, ref int cursor)
    {
        var leg = new List<(double, double)>();
        int period = 2 * (track.Count - 1);
        for (int i = 0; i < 300; i++, cursor++)
        {
            int at = cursor % period;
            leg.Add(track[at < track.Count ? at : period - at]);
        }
        return leg;
    }

    /// <summary>After the ride: every command ends (a delayed ack lands a second after its expiry), then its final state from the API.</summary>
    private async Task SettleAsync(FleetApi api, CancellationToken cancellationToken)
    {
        DateTimeOffset settleBy = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(options.CommandTtlSeconds + 20);
        // A delayed ack is sent a second after its command's expiry: wait for those before reading the final states.
        DateTimeOffset lateAcksBy = DateTimeOffset.UtcNow + (options.Faults.Rate(FaultPlan.DelayAck) > 0 ? TimeSpan.FromSeconds(options.CommandTtlSeconds + 3) : TimeSpan.Zero);
        while (true)
        {
            SentCommand[] open = [.. _commands.Where(c => c.FinalState is null || !FleetApi.Terminal.Contains(c.FinalState) || DateTimeOffset.UtcNow < lateAcksBy)];
            Progress?.Invoke($"settling: {open.Count(c => c.FinalState is null || !FleetApi.Terminal.Contains(c.FinalState))} commands not ended");
            await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (c, ct) =>
                c.FinalState = await api.StateAsync(c.Id, ct).ConfigureAwait(false) ?? c.FinalState).ConfigureAwait(false);
            bool allEnded = _commands.All(c => c.FinalState is not null && FleetApi.Terminal.Contains(c.FinalState));
            if ((allEnded && DateTimeOffset.UtcNow >= lateAcksBy) || DateTimeOffset.UtcNow > settleBy)
                break;
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
        foreach (SentCommand c in _commands.Where(c => c.FinalState is null || !FleetApi.Terminal.Contains(c.FinalState)))
            Log.CommandNotTerminal(logger, c.Id, c.FinalState ?? "unknown");
    }

    private async Task ProgressAsync(Stopwatch since, CancellationToken cancellationToken)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        try
        {
            while (await tick.WaitForNextTickAsync(cancellationToken).ConfigureAwait(false))
            {
                SentCommand[] commands = [.. _commands];
                Progress?.Invoke(
                    $"{since.Elapsed.TotalSeconds,4:F0}/{options.Duration.TotalSeconds:F0} s | {_devices.Count(d => d.Connected)}/{_devices.Count} online, " +
                    $"{_devices.Count(d => d.Motion.Moving)} riding | commands {commands.Length} ({commands.Count(c => c.FinalState == "SUCCEEDED")} ok) | " +
                    $"readings {_devices.Sum(d => d.Ledger.AckedSeqs().Length)} acked | faults {_faults.Snapshot().Values.Sum()}");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static TimeSpan Jitter(Random random, TimeSpan mean) => TimeSpan.FromSeconds(mean.TotalSeconds * 2 * random.NextDouble());

    private static string Short(DeviceKind kind) => kind switch
    {
        DeviceKind.Bike => "b",
        DeviceKind.UmbrellaKiosk => "u",
        _ => "c",
    };

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp folder is harmless.
        }
    }
}
