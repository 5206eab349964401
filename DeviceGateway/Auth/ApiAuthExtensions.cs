using IoTPlatform.DeviceGateway.Storage;
using Microsoft.Extensions.Options;

namespace IoTPlatform.DeviceGateway.Auth;

/// <summary>Wires API-key authentication and the role policies.</summary>
internal static class ApiAuthExtensions
{
    public const string AdminPolicy = "admin";
    public const string AdminKeyFile = "admin.key";

    public static WebApplicationBuilder AddApiKeyAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ApiOptions>()
            .BindConfiguration(ApiOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        builder.Services.AddSingleton(services =>
        {
            var api = services.GetRequiredService<IOptions<ApiOptions>>().Value;
            var storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
            var log = services.GetRequiredService<ILoggerFactory>().CreateLogger<ApiKeyRing>();
            return new ApiKeyRing(ResolveAdminKey(api, storage, log), api.Keys);
        });

        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<Microsoft.AspNetCore.Authentication.AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(
                ApiKeyAuthenticationHandler.SchemeName, _ => { });
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AdminPolicy, policy => policy.RequireRole(ApiRole.Admin));
        return builder;
    }

    private static string ResolveAdminKey(ApiOptions api, StorageOptions storage, ILogger log)
    {
        if (api.AdminKey is { } configured)
        {
            Log.AdminKeyFromConfiguration(log);
            return configured;
        }

        var path = Path.Combine(DataDirectory.Ensure(storage.FullDataDir), AdminKeyFile);
        var created = !File.Exists(path);
        var key = DataDirectory.ReadOrCreateSecret(path, DataDirectory.NewRandomToken);
        Log.AdminKeyFile(log, path, created ? "generated now" : "kept from an earlier start");
        return key;
    }
}
