using System.ComponentModel.DataAnnotations;
using IoTPlatform.Broker;
using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.DeviceProtocol;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.History.InfluxDb;
using IoTPlatform.Telemetry.Ingest;
using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway.Ingest;

/// <summary>The telemetry ingest's services: history store, latest state, key index, committer, pipeline, handlers.</summary>
public static class IngestHosting
{
    /// <summary>Registers the ingest. Call before the broker so that it starts before and stops after it.</summary>
    public static IServiceCollection AddTelemetryIngest(this IServiceCollection services)
    {
        services.AddOptions<IngestOptions>()
            .BindConfiguration(IngestOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => Validator.TryValidateObject(o.Gps, new ValidationContext(o.Gps), null, validateAllProperties: true), "Ingest:Gps has a value out of range.")
            .ValidateOnStart();
        services.AddSingleton<IngestStats>();
        services.AddSingleton(HistoryStore);
        services.AddSingleton(sp => (IHistoryQueries)sp.GetRequiredService<IHistoryStore>());
        services.AddSingleton<LatestStateStore>();
        services.AddSingleton<ILastFixSource>(sp => sp.GetRequiredService<LatestStateStore>());
        services.AddSingleton<ICommitObserver>(sp => sp.GetRequiredService<LatestStateStore>());
        services.AddSingleton(sp => new KeyIndex(sp.GetRequiredService<IHistoryStore>(), Options(sp)));
        services.AddSingleton(sp => new GpsCheck(Options(sp).Gps, sp.GetRequiredService<ILastFixSource>()));
        services.AddHistorySpool();
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<GroupCommitter>(sp, Options(sp)));
        foreach (var step in IngestSteps.Default)
        {
            services.AddSingleton(step);
        }

        services.AddSingleton(sp => new IngestPipeline(IngestSteps.Default.Select(t => (IIngestStep)sp.GetRequiredService(t))));
        services.AddSingleton<DeviceShapes>();
        services.AddSingleton<IDeviceMessageHandler>(sp => ActivatorUtilities.CreateInstance<IngestHandler>(sp, TopicKind.Telemetry));
        services.AddSingleton<IDeviceMessageHandler>(sp => ActivatorUtilities.CreateInstance<IngestHandler>(sp, TopicKind.Events));
        services.AddHostedService<IngestService>();
        services.AddHostedService<RetentionService>();
        return services;
    }

    /// <summary><c>Storage:History</c>: DuckDB in the data dir (<c>embedded</c>) or an InfluxDB server (<c>influxdb</c>); both answer the queries too.</summary>
    private static IHistoryStore HistoryStore(IServiceProvider services)
    {
        var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        return storage.UsesInfluxDb ? new InfluxDbHistoryStore(storage.InfluxDb) : new DuckDbHistoryStore(storage.FullDataDir);
    }

    private static IngestOptions Options(IServiceProvider services) => services.GetRequiredService<IOptions<IngestOptions>>().Value;
}
