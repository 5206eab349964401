using System.Diagnostics.Metrics;

namespace IoTPlatform.DeviceGateway.Observability;

/// <summary>
/// Counters of the gateway on the <c>IoTPlatform.DeviceGateway</c> meter (read with
/// <c>dotnet-counters</c> or any OpenTelemetry exporter; a <c>/metrics</c> endpoint comes later).
/// </summary>
public sealed class GatewayCounters : IDisposable
{
    public const string MeterName = "IoTPlatform.DeviceGateway";

    private readonly Meter _meter;
    private readonly Counter<long> _apiKeyRejected;
    private readonly Counter<long> _badRequests;
    private readonly Counter<long> _devicesRegistered;

    public GatewayCounters(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        _meter = meterFactory.Create(MeterName);
        _apiKeyRejected = _meter.CreateCounter<long>("gateway.api.key_rejected", description: "Requests with an X-Api-Key that matches no key.");
        _badRequests = _meter.CreateCounter<long>("gateway.api.bad_requests", description: "HTTP requests refused as invalid, by field.");
        _devicesRegistered = _meter.CreateCounter<long>("gateway.devices.registered", description: "Devices registered.");
    }

    public void ApiKeyRejected() => _apiKeyRejected.Add(1);

    public void BadRequest(string field) => _badRequests.Add(1, new KeyValuePair<string, object?>("field", field));

    public void DeviceRegistered() => _devicesRegistered.Add(1);

    public void Dispose() => _meter.Dispose();
}
