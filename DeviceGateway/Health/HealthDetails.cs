using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace IoTPlatform.DeviceGateway.Health;

/// <summary>
/// <c>/health</c> answers the status word (for load balancers); <c>/health/details</c> answers each check with
/// its status and description, e.g. the history spool's depth while the history store is down.
/// </summary>
public static class HealthDetails
{
    public static IEndpointRouteBuilder MapHealth(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/health");
        app.MapHealthChecks("/health/details", new HealthCheckOptions { ResponseWriter = WriteAsync });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        var body = new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["status"] = report.Status.ToString(),
            ["checks"] = report.Entries.ToDictionary(
                e => e.Key,
                e => new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["status"] = e.Value.Status.ToString(),
                    ["description"] = e.Value.Description,
                },
                StringComparer.Ordinal),
        };
        return context.Response.WriteAsync(JsonSerializer.Serialize(body), context.RequestAborted);
    }
}
