using IoTPlatform.DeviceGateway.Auth;
using IoTPlatform.DeviceGateway.Storage;
using IoTPlatform.DeviceProtocol.Signing;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway.Commands.Signing;

/// <summary>The command-signing public keys over HTTP: the key set devices verify with, and rotation.</summary>
public static class CommandKeysApi
{
    public const string Path = "/api/keys/command-signing";

    /// <summary>Registers <c>Commands:Signing</c> (validated at start) and the <see cref="CommandKeyStore"/>.</summary>
    public static IServiceCollection AddCommandSigning(this IServiceCollection services)
    {
        services.AddOptions<CommandSigningOptions>()
            .BindConfiguration(CommandSigningOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<CommandSigningOptions>, CommandSigningOptionsValidator>();
        services.AddSingleton(services => new CommandKeyStore(
            services.GetRequiredService<IOptions<CommandSigningOptions>>().Value,
            services.GetRequiredService<IOptions<StorageOptions>>().Value.FullDataDir,
            services.GetRequiredService<IHostEnvironment>().ContentRootPath,
            services.GetRequiredService<TimeProvider>(),
            services.GetRequiredService<ILogger<CommandKeyStore>>()));
        return services;
    }

    /// <summary>
    /// Maps the endpoints, and loads the keys now: a bad <c>Commands:Signing</c> setting or a damaged
    /// <c>command-signing</c> folder fails the start, before any listener opens.
    /// </summary>
    public static WebApplication MapCommandKeysApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        _ = app.Services.GetRequiredService<CommandKeyStore>();

        var api = app.MapGroup(Path).WithTags("Command signing");
        api.MapGet("/", GetKeySet).AllowAnonymous()
            .WithSummary("The public keys devices verify commands with (no API key needed).");
        api.MapPost("/rotate", RotateAsync).RequireAuthorization(ApiAuthExtensions.AdminPolicy)
            .WithSummary("Make a new signing key current; the previous one stays listed for Commands:Signing:OverlapHours.");
        return app;
    }

    public static Ok<CommandSigningKeySet> GetKeySet(CommandKeyStore store, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(context);
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Ok(store.KeySet);
    }

    public static async Task<Results<Created<CommandSigningKeySet>, ProblemHttpResult>> RotateAsync(
        CommandKeyStore store, HttpContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(context);
        if (!store.CanRotate)
        {
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The command-signing key comes from a file.",
                detail: CommandKeyStore.RotateWithFileMessage(store.KeyFile!));
        }

        await store.RotateAsync(cancellationToken).ConfigureAwait(false);
        context.Response.Headers.CacheControl = "no-cache";
        return TypedResults.Created(Path, store.KeySet);
    }
}
