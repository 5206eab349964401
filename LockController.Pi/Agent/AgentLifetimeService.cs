using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace IoTPlatform.LockController.Pi.Agent;

/// <summary>
/// The first hosted service to start and the last to stop: logs the start with who and where, and at a clean stop
/// marks the <see cref="BootMarker"/> stopped (so the next <c>boot</c> event says <c>restart</c>, not <c>unclean-shutdown</c>).
/// </summary>
public sealed class AgentLifetimeService : IHostedService
{
    private readonly BootMarker _marker;
    private readonly FirmwareInfo _firmware;
    private readonly DeviceOptions _device;
    private readonly BackendOptions _backend;
    private readonly AgentOptions _agent;
    private readonly ILogger _logger;

    /// <summary>The lifetime of this run.</summary>
    public AgentLifetimeService(BootMarker marker, FirmwareInfo firmware, IOptions<DeviceOptions> device, IOptions<BackendOptions> backend, IOptions<AgentOptions> agent, ILogger<AgentLifetimeService> logger)
    {
        ArgumentNullException.ThrowIfNull(marker);
        ArgumentNullException.ThrowIfNull(firmware);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(backend);
        ArgumentNullException.ThrowIfNull(agent);
        ArgumentNullException.ThrowIfNull(logger);
        _marker = marker;
        _firmware = firmware;
        _device = device.Value;
        _backend = backend.Value;
        _agent = agent.Value;
        _logger = logger;
    }

    /// <inheritdoc />
    public Task StartAsync(CancellationToken cancellationToken)
    {
        Log.AgentStarted(_logger, _device.Id, _firmware.Version, _firmware.BootReason, _backend.Mqtt, _agent.FullDataDir);
        return Task.CompletedTask;
    }

    /// <inheritdoc />
    public Task StopAsync(CancellationToken cancellationToken)
    {
        _marker.End();
        Log.AgentStopped(_logger);
        return Task.CompletedTask;
    }
}
