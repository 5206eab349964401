using IoTPlatform.Broker;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTPlatform.DeviceGateway.Health;

/// <summary>Healthy once the MQTT broker accepts connections.</summary>
internal sealed class BrokerHealthCheck(BrokerEndpoint broker) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(broker.IsReady ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("The MQTT broker is not started."));
}
