using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.Telemetry.History;
using IoTPlatform.Telemetry.Ingest;
using IoTPlatform.Telemetry.Spool;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Registry;

namespace IoTPlatform.DeviceGateway.Ingest;

/// <summary>The history spool, its replayer and the "history-write" resilience pipeline.</summary>
public static class SpoolHosting
{
    /// <summary>Registers the spool in <c>Storage:DataDir/spool</c>, the pipeline (settings <c>Storage:HistoryWrite</c>) and the writer.</summary>
    public static IServiceCollection AddHistorySpool(this IServiceCollection services)
    {
        services.AddOptions<HistoryWriteOptions>()
            .BindConfiguration(HistoryWriteOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddResiliencePipeline(HistoryWritePipeline.Name, (builder, context) =>
        {
            builder.TimeProvider = context.ServiceProvider.GetRequiredService<TimeProvider>();
            HistoryWritePipeline.Configure(builder, context.ServiceProvider.GetRequiredService<IOptions<HistoryWriteOptions>>().Value);
        });
        services.AddSingleton(sp =>
        {
            var storage = sp.GetRequiredService<IOptions<StorageOptions>>().Value;
            return new HistorySpool(
                Path.Combine(storage.FullDataDir, HistorySpool.FolderName), storage.SpoolMaxBytes, sp.GetRequiredService<IngestStats>(), sp.GetRequiredService<ILogger<HistorySpool>>());
        });
        services.AddSingleton(sp => new HistoryWriter(
            sp.GetRequiredService<IHistoryStore>(), sp.GetRequiredService<ResiliencePipelineProvider<string>>().GetPipeline(HistoryWritePipeline.Name)));
        services.AddSingleton(sp => ActivatorUtilities.CreateInstance<SpoolReplayer>(sp, sp.GetRequiredService<IOptions<HistoryWriteOptions>>().Value));
        return services;
    }
}
